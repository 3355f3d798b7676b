"""`fp4ref regress`: generate the default packs and run the reference codec benches on both
simulators in parallel (local processes, or a Dask cluster with --scheduler/--cluster), then print
one summary table (what `make demo` shows). The packs and the runs are rtl_tb.regress'; this
module shows progress and prints."""
from __future__ import annotations

import os
from pathlib import Path

from fp4ref.rtl_tb import regress as rg
from fp4ref import paths
from fp4ref.rtl_tb.campaign import Local
from fp4ref.rtl_tb.sims import SIMS, versions

from .progress import Progress


def regress(formats: tuple[str, ...], sims: tuple[str, ...] = SIMS, root: Path | None = None,
            executor=None, with_mac: bool = True) -> int:
    """``executor``: where the bench runs go (rtl_tb.campaign; default one local process per core)."""
    groups = rg.pack_groups(formats, with_mac)
    found = versions()
    root = root or paths.build("packs")
    bar = Progress(sum(len(g) for g in groups), f"packs under {root}")
    jobs_list = rg.prepare(groups, root, sims, progress=bar.update)
    bar.close()
    bar = Progress(len(jobs_list), "bench runs")
    rows = rg.run_jobs(jobs_list, executor or Local(os.cpu_count() or 2), progress=bar.update)
    bar.close()
    print(f"\ncodec benches on the reference RTL ({found['icarus']}; Verilator {found['verilator']})")
    head = "".join(f" | {sim + ' vectors':>17} {'mismatch':>8} {'vectors/s':>10}" for sim in sims)
    print(f"  {'unit':<10} {'format / source / MAC':<42} {'packs':>5}{head}")
    by_key = {(r["unit"], r["label"], r["sim"]): r for r in rows}
    for unit, label in sorted({(r["unit"], r["label"]) for r in rows}):
        cells = [by_key[(unit, label, sim)] for sim in sims]
        line = "".join(f" | {c['vectors']:>17,} {c['mismatches']:>8,} {c['rate']:>10,.0f}" for c in cells)
        print(f"  {unit:<10} {label:<42} {cells[0]['packs']:>5}{line}")
    bad = rg.failures(rows)
    for sim in sims:
        mine = [r for r in rows if r["sim"] == sim]
        vectors = sum(r["vectors"] for r in mine)
        print(f"  {sim:<10} total: {vectors:,} vectors, {sum(r['mismatches'] for r in mine):,} mismatches")
    if bad:
        for r in bad:
            if r["timeout"]:
                print(f"TIMEOUT: {r['unit']} {r['label']} on {r['sim']}: {r['timeout']}")
        print(f"FAILED: {len(bad)} bench runs; logs in " + ", ".join(r["build"] for r in bad[:3]))
        return 1
    print("PASS: every vector of every pack matched on every simulator")
    return 0
