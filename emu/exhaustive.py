"""Every float32 bit pattern through emu.encode, compared code by code with an independent
reference: ml_dtypes' casts (codes; RNE, the formats ml_dtypes has) or the grid reference of
emu/grid_ref.py (codes and flags; every deterministic mode, overflow saturate). The sweeps and
the coverage matrix of `make exhaustive`; `fp4ref exhaustive` parses, shows progress and prints.

Progress follows the convention of the long runs: ``progress``, if given, is called once with
the number of inputs when the sweep starts and returns the function called with each chunk's
count. ``mismatch``, if given, is called for each of the first SHOWN mismatches as it is found.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import ml_dtypes
import numpy as np

from .conventions import ML_DTYPES_NAMES, ml_dtypes_options
from .encode import encode
from .grid_ref import MODES, GridReference, expand, nan_policy, segments
from .registry import get_format, list_formats

ALL = 1 << 32          #: every float32 bit pattern
CHUNK_BITS = 24        #: log2 of the inputs encoded at once (default)
SHOWN = 5              #: mismatches reported through ``mismatch`` per sweep


@dataclass(frozen=True)
class Sweep:
    """What one sweep compared and found."""
    fmt: str            #: the preset's name
    rounding: str
    reference: str      #: "ml_dtypes" or "grid"
    inputs: int
    mismatches: int
    seconds: float
    options: dict       #: the encode options compared (overflow, nan)


def sweep_ml_dtypes(fmt_name, rounding: str = "rne", chunk_bits: int = CHUNK_BITS, start: int = 0,
                    stop: int = ALL, progress=None, mismatch=None) -> Sweep:
    """Bit patterns start .. stop - 1 through emu.encode and ml_dtypes' cast, with the options
    that match ml_dtypes' convention (emu.conventions.ml_dtypes_options). ValueError, before any
    work, for a format ml_dtypes lacks, a mode other than rne and a bad chunk size or range.
    ``mismatch(bits, x, ours, theirs)``: the pattern, its float value and the two codes."""
    fmt = get_format(fmt_name)
    if fmt.name not in ML_DTYPES_NAMES:
        raise ValueError(f"ml_dtypes has no type for {fmt.name}; it has {', '.join(ML_DTYPES_NAMES)}")
    if rounding != "rne":
        raise ValueError(f"ml_dtypes rounds to nearest even only; got --rounding {rounding}")
    if not 10 <= chunk_bits <= 28:
        raise ValueError(f"--chunk-bits must be 10..28, got {chunk_bits}")
    if not 0 <= start < stop <= ALL:
        raise ValueError(f"need 0 <= --start < --stop <= 2^32, got {start:#x}..{stop:#x}")
    t0 = time.perf_counter()
    dtype = getattr(ml_dtypes, ML_DTYPES_NAMES[fmt.name])
    options = ml_dtypes_options(fmt)
    chunk, mismatches, shown = 1 << chunk_bits, 0, 0
    update = progress(stop - start) if progress else None
    for lo in range(start, stop, chunk):
        bits = np.arange(lo, min(lo + chunk, stop), dtype=np.uint64).astype(np.uint32)
        x = bits.view(np.float32)
        ours = encode(x, fmt, **options)
        with np.errstate(invalid="ignore", over="ignore"):
            theirs = x.astype(dtype).view(np.uint8)
        bad = np.flatnonzero(ours != theirs)
        mismatches += bad.size
        for i in bad[: max(0, SHOWN - shown)]:
            if mismatch:
                mismatch(int(bits[i]), float(x[i]), int(ours[i]), int(theirs[i]))
            shown += 1
        if update:
            update(bits.size)
    return Sweep(fmt.name, rounding, "ml_dtypes", stop - start, mismatches, time.perf_counter() - t0, options)


def sweep_grid(fmt_name, rounding: str, chunk_bits: int = CHUNK_BITS, progress=None, mismatch=None) -> Sweep:
    """All 2^32 float32 patterns through emu.encode (codes and flags, overflow saturate, the NaN
    policy of emu.grid_ref.nan_policy) against the independent grid reference.
    ``mismatch(bits, code, flags)``: the pattern and emu's code and flags."""
    fmt = get_format(fmt_name)
    t0 = time.perf_counter()
    starts, ref_codes, ref_flags = segments(GridReference(fmt), rounding)
    options = {"overflow": "saturate", "nan": nan_policy(fmt)}
    chunk, mismatches, shown = 1 << chunk_bits, 0, 0
    update = progress(ALL) if progress else None
    for lo in range(0, ALL, chunk):
        hi = min(lo + chunk, ALL)
        bits = np.arange(lo, hi, dtype=np.uint64).astype(np.uint32)
        codes, flags = encode(bits.view(np.float32), fmt, rounding=rounding, flags=True, **options)
        bad = np.flatnonzero((codes != expand(starts, ref_codes, lo, hi))
                             | (flags != expand(starts, ref_flags, lo, hi)))
        mismatches += bad.size
        for i in bad[: max(0, SHOWN - shown)]:
            if mismatch:
                mismatch(int(bits[i]), int(codes[i]), int(flags[i]))
            shown += 1
        if update:
            update(hi - lo)
    return Sweep(fmt.name, rounding, "grid", ALL, mismatches, time.perf_counter() - t0, options)


def coverage_runs() -> list[tuple[str, str, str]]:
    """The runs of `make exhaustive`, (format, rounding, reference) each: every preset in RNE
    against ml_dtypes where it has the format, every preset in RNE against the grid reference,
    E2M1 in every other rounding mode against the grid reference."""
    runs = [(f, "rne", "ml_dtypes") for f in list_formats() if get_format(f).name in ML_DTYPES_NAMES]
    runs += [(f, "rne", "grid") for f in list_formats()]
    runs += [("e2m1", m, "grid") for m in MODES if m != "rne"]
    return runs


def _coverage_run(run: tuple[str, str, str], mismatch) -> tuple[int, float]:
    f, m, ref = run
    res = sweep_ml_dtypes(f, m) if ref == "ml_dtypes" else sweep_grid(f, m, mismatch=mismatch)
    return res.mismatches, res.seconds


def run_coverage(runs, jobs: int = 2, done=None, mismatch=None) -> dict[tuple[str, str, str], tuple[int, float]]:
    """Each run of ``runs`` (coverage_runs()) over all 2^32 inputs, ``jobs`` at a time in worker
    processes: {run: (mismatches, seconds)}. ``done(run)`` after each, in the order of ``runs``;
    ``mismatch`` (picklable: it runs in the workers) as for sweep_grid, for the grid runs."""
    from concurrent.futures import ProcessPoolExecutor

    results = {}
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(_coverage_run, run, mismatch): run for run in runs}
        for fut, run in futures.items():
            results[run] = fut.result()
            if done:
                done(run)
    return results
