"""`fp4ref exhaustive` (`make exhaustive`): every float32 bit pattern through emu.encode against
ml_dtypes or the grid reference. The sweeps and the coverage matrix are emu.exhaustive's, run in
shards by rtl_tb.campaign (local processes or a Dask cluster); this module shows their progress
and prints their results (and the README table of --all)."""
from __future__ import annotations

import sys
import time

import ml_dtypes

from fp4ref.emu import exhaustive, get_format

from .progress import Progress


def _ml_dtypes_mismatch(bits: int, x: float, ours: int, theirs: int) -> None:
    print(f"\nmismatch: bits {bits:#010x} ({x!r}): fp4ref {ours:#x}, ml_dtypes {theirs:#x}", file=sys.stderr)


def _grid_mismatch(bits: int, code: int, flags: int) -> None:
    print(f"\nmismatch: bits {bits:#010x}: fp4ref code {code:#x} flags {flags}", file=sys.stderr)


def _run(shards: list[tuple], executor, label: str):
    """One sweep's shards on the executor, with a progress bar; its Sweep, mismatches printed."""
    bar = Progress(sum(hi - lo for _, _, _, lo, hi, _ in shards), label)
    from fp4ref.rtl_tb.campaign import float32_sweep
    r = float32_sweep(shards, executor, progress=bar.update)
    wall = bar.close()
    for m in r.shown:
        (_ml_dtypes_mismatch if r.reference == "ml_dtypes" else _grid_mismatch)(*m)
    return r, wall


def sweep(shards: list[tuple], executor) -> int:
    """Bit patterns of the shards (emu.exhaustive.shards) against ml_dtypes: progress, the
    summary line; 1 on a mismatch."""
    fmt_name = shards[0][0]
    r, wall = _run(shards, executor, f"float32 -> {get_format(fmt_name).name} rne")
    print(f"exhaustive float32 -> {r.fmt} (rne, {r.options['overflow']}, nan={r.options['nan']}): "
          f"{r.inputs:,} inputs, {r.mismatches} mismatches against ml_dtypes {ml_dtypes.__version__}, "
          f"{wall:.1f} s")
    return 1 if r.mismatches else 0


def sweep_grid(shards: list[tuple], executor) -> int:
    """All 2^32 patterns against the grid reference: progress, the summary line; 1 on a mismatch."""
    fmt_name, rounding = shards[0][:2]
    r, wall = _run(shards, executor, f"float32 -> {get_format(fmt_name).name} {rounding} (grid reference)")
    print(f"exhaustive float32 -> {fmt_name} ({rounding}, saturate): 4,294,967,296 inputs, "
          f"{r.mismatches} mismatches (codes and flags) against the grid reference, {wall:.1f} s")
    return 1 if r.mismatches else 0


def coverage(executor, readme: str | None = None) -> int:
    """`make exhaustive`: the runs of emu.exhaustive.coverage_runs, all 2^32 float32 inputs each,
    one shard per run on the executor. Prints a markdown table with the times (and writes it
    into ``readme``'s markers)."""
    from fp4ref.rtl_tb.campaign import float32_coverage

    runs = exhaustive.coverage_runs()
    if readme:
        from .markers import check
        check(readme, "exhaustive")
    t_start = time.perf_counter()
    bar = Progress(len(runs), "exhaustive runs (2^32 inputs each)")

    def done(run, r):
        if r.reference == "grid":
            for m in r.shown:
                _grid_mismatch(*m)
        bar.update(1)

    results = float32_coverage(runs, executor, done)
    bar.close()
    lines = ["| format | rounding | reference | inputs | mismatches | seconds |", "|---|---|---|---|---|---|"]
    bad = 0
    for f, m, ref in runs:
        r = results[(f, m, ref)]
        what = "ml_dtypes " + ml_dtypes.__version__ + " (codes)" if ref == "ml_dtypes" else "grid reference (codes + flags)"
        lines.append(f"| {f} | {m} | {what} | 4,294,967,296 | {r.mismatches} | {r.seconds:.0f} |")
        bad += r.mismatches
    total = sum(r.seconds for r in results.values())
    summary = (f"{len(runs)} runs, {len(runs) * 2**32:,} inputs, {bad} mismatches, "
               f"{total / 60:.1f} CPU-minutes, {(time.perf_counter() - t_start) / 60:.1f} minutes wall "
               f"with {executor.workers} jobs")
    print("\n".join(lines))
    print(f"\n{summary}")
    if readme:
        from .markers import replace
        replace(readme, "exhaustive", "\n".join(lines) + f"\n\n{summary}.\n")
    return 1 if bad else 0
