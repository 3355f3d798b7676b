"""Every float32 bit pattern through emu.encode, compared code by code with an independent
reference: ml_dtypes' casts (codes; RNE, the formats ml_dtypes has) or the grid reference of
emu/grid_ref.py (codes and flags; every deterministic mode, overflow saturate). The sweeps and
the coverage matrix of `make exhaustive`; `fp4ref exhaustive` parses, shows progress and prints.

Progress follows the convention of the long runs: ``progress``, if given, is called once with
the number of inputs when the sweep starts and returns the function called with each chunk's
count. A sweep keeps its first SHOWN mismatches (``Sweep.shown``) for the caller to print.

A sweep of a range is a shard of a campaign: ``sweep_shard`` runs one from a small picklable
description, ``shards`` cuts a range into them and ``combine`` adds their results up, in order.
The campaign runner (rtl_tb.campaign) sends the shards to local processes or a Dask cluster.
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
SHOWN = 5              #: mismatches kept per sweep (Sweep.shown)


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
    #: the first SHOWN mismatches: (bits, x, ours, theirs) against ml_dtypes, (bits, code, flags)
    #: against the grid reference
    shown: tuple = ()


def sweep_ml_dtypes(fmt_name, rounding: str = "rne", chunk_bits: int = CHUNK_BITS, start: int = 0,
                    stop: int = ALL, progress=None) -> Sweep:
    """Bit patterns start .. stop - 1 through emu.encode and ml_dtypes' cast, with the options
    that match ml_dtypes' convention (emu.conventions.ml_dtypes_options). ValueError, before any
    work, for a format ml_dtypes lacks, a mode other than rne and a bad chunk size or range.
    Sweep.shown: (pattern, its float value, our code, ml_dtypes' code) of each."""
    fmt = check(fmt_name, rounding, "ml_dtypes", chunk_bits, start, stop)
    t0 = time.perf_counter()
    dtype = getattr(ml_dtypes, ML_DTYPES_NAMES[fmt.name])
    options = ml_dtypes_options(fmt)
    chunk, mismatches, shown = 1 << chunk_bits, 0, []
    update = progress(stop - start) if progress else None
    for lo in range(start, stop, chunk):
        bits = np.arange(lo, min(lo + chunk, stop), dtype=np.uint64).astype(np.uint32)
        x = bits.view(np.float32)
        ours = encode(x, fmt, **options)
        with np.errstate(invalid="ignore", over="ignore"):
            theirs = x.astype(dtype).view(np.uint8)
        bad = np.flatnonzero(ours != theirs)
        mismatches += bad.size
        for i in bad[: max(0, SHOWN - len(shown))]:
            shown.append((int(bits[i]), float(x[i]), int(ours[i]), int(theirs[i])))
        if update:
            update(bits.size)
    return Sweep(fmt.name, rounding, "ml_dtypes", stop - start, mismatches, time.perf_counter() - t0, options,
                 tuple(shown))


def check(fmt_name, rounding: str, reference: str, chunk_bits: int, start: int, stop: int):
    """The format, or ValueError for a sweep the reference cannot make: a format ml_dtypes lacks
    or a mode other than rne (ml_dtypes), a mode the grid reference lacks, a bad chunk size or
    range."""
    fmt = get_format(fmt_name)
    if reference == "ml_dtypes":
        if fmt.name not in ML_DTYPES_NAMES:
            raise ValueError(f"ml_dtypes has no type for {fmt.name}; it has {', '.join(ML_DTYPES_NAMES)}")
        if rounding != "rne":
            raise ValueError(f"ml_dtypes rounds to nearest even only; got --rounding {rounding}")
    elif reference == "grid":
        if rounding not in MODES:
            raise ValueError(f"--rounding: the grid reference has {', '.join(MODES)}, got {rounding!r}")
    else:
        raise ValueError(f"--reference: ml_dtypes or grid, got {reference!r}")
    if not 10 <= chunk_bits <= 28:
        raise ValueError(f"--chunk-bits must be 10..28, got {chunk_bits}")
    if not 0 <= start < stop <= ALL:
        raise ValueError(f"need 0 <= --start < --stop <= 2^32, got {start:#x}..{stop:#x}")
    return fmt


def sweep_grid(fmt_name, rounding: str, chunk_bits: int = CHUNK_BITS, progress=None,
               start: int = 0, stop: int = ALL) -> Sweep:
    """Float32 patterns start .. stop - 1 (default all 2^32) through emu.encode (codes and flags,
    overflow saturate, the NaN policy of emu.grid_ref.nan_policy) against the independent grid
    reference. Sweep.shown: (pattern, emu's code, emu's flags) of each. ValueError, before any
    work, for a mode the reference lacks and a bad chunk size or range."""
    fmt = check(fmt_name, rounding, "grid", chunk_bits, start, stop)
    t0 = time.perf_counter()
    starts, ref_codes, ref_flags = segments(GridReference(fmt), rounding)
    options = {"overflow": "saturate", "nan": nan_policy(fmt)}
    chunk, mismatches, shown = 1 << chunk_bits, 0, []
    update = progress(stop - start) if progress else None
    for lo in range(start, stop, chunk):
        hi = min(lo + chunk, stop)
        bits = np.arange(lo, hi, dtype=np.uint64).astype(np.uint32)
        codes, flags = encode(bits.view(np.float32), fmt, rounding=rounding, flags=True, **options)
        bad = np.flatnonzero((codes != expand(starts, ref_codes, lo, hi))
                             | (flags != expand(starts, ref_flags, lo, hi)))
        mismatches += bad.size
        for i in bad[: max(0, SHOWN - len(shown))]:
            shown.append((int(bits[i]), int(codes[i]), int(flags[i])))
        if update:
            update(hi - lo)
    return Sweep(fmt.name, rounding, "grid", stop - start, mismatches, time.perf_counter() - t0, options,
                 tuple(shown))


def coverage_runs() -> list[tuple[str, str, str]]:
    """The runs of `make exhaustive`, (format, rounding, reference) each: every preset in RNE
    against ml_dtypes where it has the format, every preset in RNE against the grid reference,
    E2M1 in every other rounding mode against the grid reference."""
    runs = [(f, "rne", "ml_dtypes") for f in list_formats() if get_format(f).name in ML_DTYPES_NAMES]
    runs += [(f, "rne", "grid") for f in list_formats()]
    runs += [("e2m1", m, "grid") for m in MODES if m != "rne"]
    return runs


#: inputs of a shard when a single sweep is cut up: at most SHARDS pieces of a range, each a
#: whole number of chunks
SHARDS = 16


def shards(fmt_name, rounding: str, reference: str, start: int = 0, stop: int = ALL,
           chunk_bits: int = CHUNK_BITS, pieces: int = SHARDS) -> list[tuple]:
    """The range start .. stop - 1 of one sweep cut into at most ``pieces`` shards of whole
    chunks, each a description for sweep_shard: (format, rounding, reference, start, stop,
    chunk_bits). ValueError, before any work, for what the sweep would refuse."""
    check(fmt_name, rounding, reference, chunk_bits, start, stop)
    chunk = 1 << chunk_bits
    step = -(-(stop - start) // pieces // chunk) * chunk
    cuts = list(range(start, stop, step)) + [stop]
    return [(fmt_name, rounding, reference, lo, hi, chunk_bits) for lo, hi in zip(cuts, cuts[1:])]


def sweep_shard(shard: tuple) -> Sweep:
    """One shard of shards(): its Sweep (a pure function of the description)."""
    fmt_name, rounding, reference, start, stop, chunk_bits = shard
    if reference == "ml_dtypes":
        return sweep_ml_dtypes(fmt_name, rounding, chunk_bits, start, stop)
    return sweep_grid(fmt_name, rounding, chunk_bits, start=start, stop=stop)


def combine(parts: list[Sweep]) -> Sweep:
    """The Sweep of consecutive shards of one sweep, in their order: inputs, mismatches and
    seconds added up, the first SHOWN mismatches kept."""
    shown = tuple(m for p in parts for m in p.shown)[:SHOWN]
    first = parts[0]
    return Sweep(first.fmt, first.rounding, first.reference, sum(p.inputs for p in parts),
                 sum(p.mismatches for p in parts), sum(p.seconds for p in parts), first.options, shown)
