"""`make exhaustive`: every float32 bit pattern through emu.encode and ml_dtypes, compared code by code."""
from __future__ import annotations

import sys
import time

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


def sweep_grid(fmt_name: str, rounding: str, chunk_bits: int = 24, quiet: bool = False) -> tuple[int, float]:
    """All 2^32 float32 patterns through emu.encode (codes and flags, overflow saturate) against
    the independent grid reference (emu/grid_ref.py). Returns (mismatches, seconds)."""
    import time

    from emu.grid_ref import GridReference, expand, nan_policy, segments

    fmt = get_format(fmt_name)
    t0 = time.perf_counter()
    starts, ref_codes, ref_flags = segments(GridReference(fmt), rounding)
    chunk, mismatches, shown = 1 << chunk_bits, 0, 0
    bar = None if quiet else Progress(1 << 32, f"float32 -> {fmt.name} {rounding} (grid reference)")
    for lo in range(0, 1 << 32, chunk):
        hi = min(lo + chunk, 1 << 32)
        bits = np.arange(lo, hi, dtype=np.uint64).astype(np.uint32)
        codes, flags = encode(bits.view(np.float32), fmt, rounding=rounding, overflow="saturate",
                              nan=nan_policy(fmt), flags=True)
        bad = np.flatnonzero((codes != expand(starts, ref_codes, lo, hi))
                             | (flags != expand(starts, ref_flags, lo, hi)))
        mismatches += bad.size
        for i in bad[: max(0, 5 - shown)]:
            print(f"\nmismatch: bits {int(bits[i]):#010x}: fp4ref code {int(codes[i]):#x} flags "
                  f"{int(flags[i])}", file=sys.stderr)
            shown += 1
        if bar:
            bar.update(hi - lo)
    if bar:
        bar.close()
    return mismatches, time.perf_counter() - t0


def _ml_dtypes_quiet(fmt_name: str) -> tuple[int, float]:
    import contextlib
    import io
    import time
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        rc = sweep(fmt_name, "rne", 24, 0, 1 << 32)
    return rc, time.perf_counter() - t0


def coverage(jobs: int = 2, readme: str | None = None) -> int:
    """`make exhaustive`: every preset in RNE against ml_dtypes where it has the format, every
    preset in RNE against the grid reference, E2M1 in every rounding mode against the grid
    reference; all 2^32 float32 inputs each. Prints a markdown table with the times."""
    from concurrent.futures import ProcessPoolExecutor

    from emu import list_formats
    from emu.grid_ref import MODES

    runs = [(f, "rne", "ml_dtypes") for f in list_formats() if get_format(f).name in ML_DTYPES_NAMES]
    runs += [(f, "rne", "grid") for f in list_formats()]
    runs += [("e2m1", m, "grid") for m in MODES if m != "rne"]
    if readme:
        from .markers import check
        check(readme, "exhaustive")
    t_start = time.perf_counter()
    bar = Progress(len(runs), "exhaustive runs (2^32 inputs each)")
    results = {}
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(_ml_dtypes_quiet if ref == "ml_dtypes" else sweep_grid,
                               *((f,) if ref == "ml_dtypes" else (f, m, 24, True))): (f, m, ref)
                   for f, m, ref in runs}
        for fut, key in futures.items():
            results[key] = fut.result()
            bar.update(1)
    bar.close()
    lines = ["| format | rounding | reference | inputs | mismatches | seconds |", "|---|---|---|---|---|---|"]
    bad = 0
    for f, m, ref in runs:
        n, sec = results[(f, m, ref)]
        what = "ml_dtypes " + ml_dtypes.__version__ + " (codes)" if ref == "ml_dtypes" else "grid reference (codes + flags)"
        lines.append(f"| {f} | {m} | {what} | 4,294,967,296 | {n} | {sec:.0f} |")
        bad += n
    total = sum(sec for _, sec in results.values())
    summary = (f"{len(runs)} runs, {len(runs) * 2**32:,} inputs, {bad} mismatches, "
               f"{total / 60:.1f} CPU-minutes, {(time.perf_counter() - t_start) / 60:.1f} minutes wall "
               f"with {jobs} jobs")
    print("\n".join(lines))
    print(f"\n{summary}")
    if readme:
        from .markers import replace
        replace(readme, "exhaustive", "\n".join(lines) + f"\n\n{summary}.\n")
    return 1 if bad else 0
