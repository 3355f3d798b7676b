"""`fp4ref exhaustive` (`make exhaustive`): every float32 bit pattern through emu.encode against
ml_dtypes or the grid reference. The sweeps and the coverage matrix are emu.exhaustive's; this
module shows their progress and prints their results (and the README table of --all)."""
from __future__ import annotations

import sys
import time

import ml_dtypes

from fp4ref.emu import exhaustive, get_format

from .progress import Later, Progress


def _ml_dtypes_mismatch(bits: int, x: float, ours: int, theirs: int) -> None:
    print(f"\nmismatch: bits {bits:#010x} ({x!r}): fp4ref {ours:#x}, ml_dtypes {theirs:#x}", file=sys.stderr)


def _grid_mismatch(bits: int, code: int, flags: int) -> None:
    print(f"\nmismatch: bits {bits:#010x}: fp4ref code {code:#x} flags {flags}", file=sys.stderr)


def sweep(fmt_name: str, rounding: str, chunk_bits: int, start: int, stop: int) -> int:
    """Bit patterns start .. stop - 1 against ml_dtypes: progress, the summary line; 1 on a mismatch."""
    bar = Later(lambda: f"float32 -> {get_format(fmt_name).name} rne")
    r = exhaustive.sweep_ml_dtypes(fmt_name, rounding, chunk_bits, start, stop, progress=bar.start,
                                   mismatch=_ml_dtypes_mismatch)
    bar.close()
    print(f"exhaustive float32 -> {r.fmt} (rne, {r.options['overflow']}, nan={r.options['nan']}): "
          f"{r.inputs:,} inputs, {r.mismatches} mismatches against ml_dtypes {ml_dtypes.__version__}, "
          f"{r.seconds:.1f} s")
    return 1 if r.mismatches else 0


def sweep_grid(fmt_name: str, rounding: str, chunk_bits: int) -> int:
    """All 2^32 patterns against the grid reference: progress, the summary line; 1 on a mismatch."""
    bar = Later(lambda: f"float32 -> {get_format(fmt_name).name} {rounding} (grid reference)")
    r = exhaustive.sweep_grid(fmt_name, rounding, chunk_bits, progress=bar.start, mismatch=_grid_mismatch)
    bar.close()
    print(f"exhaustive float32 -> {fmt_name} ({rounding}, saturate): 4,294,967,296 inputs, "
          f"{r.mismatches} mismatches (codes and flags) against the grid reference, {r.seconds:.1f} s")
    return 1 if r.mismatches else 0


def coverage(jobs: int = 2, readme: str | None = None) -> int:
    """`make exhaustive`: the runs of emu.exhaustive.coverage_runs, all 2^32 float32 inputs each.
    Prints a markdown table with the times (and writes it into ``readme``'s markers)."""
    runs = exhaustive.coverage_runs()
    if readme:
        from .markers import check
        check(readme, "exhaustive")
    t_start = time.perf_counter()
    bar = Progress(len(runs), "exhaustive runs (2^32 inputs each)")
    results = exhaustive.run_coverage(runs, jobs, done=lambda run: bar.update(1), mismatch=_grid_mismatch)
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
