"""`make exhaustive`: every float32 bit pattern through emu.encode and ml_dtypes, compared code by code."""
from __future__ import annotations

import sys

import ml_dtypes
import numpy as np

from emu import encode, get_format
from emu.conventions import ML_DTYPES_NAMES, ml_dtypes_options

from .progress import Progress


def sweep(fmt_name: str, rounding: str, chunk_bits: int, start: int, stop: int) -> int:
    fmt = get_format(fmt_name)
    if fmt.name not in ML_DTYPES_NAMES:
        raise ValueError(f"ml_dtypes has no type for {fmt.name}; it has {', '.join(ML_DTYPES_NAMES)}")
    if rounding != "rne":
        raise ValueError(f"ml_dtypes rounds to nearest even only; got --rounding {rounding}")
    if not 10 <= chunk_bits <= 28:
        raise ValueError(f"--chunk-bits must be 10..28, got {chunk_bits}")
    if not 0 <= start < stop <= 1 << 32:
        raise ValueError(f"need 0 <= --start < --stop <= 2^32, got {start:#x}..{stop:#x}")
    dtype = getattr(ml_dtypes, ML_DTYPES_NAMES[fmt.name])
    options = ml_dtypes_options(fmt)
    chunk = 1 << chunk_bits
    total, mismatches, shown = stop - start, 0, 0
    bar = Progress(total, f"float32 -> {fmt.name} rne")
    for lo in range(start, stop, chunk):
        bits = np.arange(lo, min(lo + chunk, stop), dtype=np.uint64).astype(np.uint32)
        x = bits.view(np.float32)
        ours = encode(x, fmt, **options)
        with np.errstate(invalid="ignore", over="ignore"):
            theirs = x.astype(dtype).view(np.uint8)
        bad = np.flatnonzero(ours != theirs)
        mismatches += bad.size
        for i in bad[: max(0, 5 - shown)]:
            print(f"\nmismatch: bits {int(bits[i]):#010x} ({float(x[i])!r}): fp4ref {int(ours[i]):#x}, "
                  f"ml_dtypes {int(theirs[i]):#x}", file=sys.stderr)
            shown += 1
        bar.update(bits.size)
    seconds = bar.close()
    print(f"exhaustive float32 -> {fmt.name} (rne, {options['overflow']}, nan={options['nan']}): "
          f"{total:,} inputs, {mismatches} mismatches against ml_dtypes {ml_dtypes.__version__}, "
          f"{seconds:.1f} s")
    return 1 if mismatches else 0
