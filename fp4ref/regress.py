"""`fp4ref regress`: generate the default packs and run the reference codec benches on both
simulators in parallel, then print one summary table (what `make demo` shows)."""
from __future__ import annotations

import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from emu import get_format
from golden.defaults import block_specs, default_specs, lut_specs, mac_specs, mx_specs
from golden.pack import ensure
from rtl_tb.process import die_with_parent
from rtl_tb.runner import REPO, run_unit
from rtl_tb.sims import SIMS, versions

from .progress import Progress

BANKED = ("lut_decode", "lut_mul")


def _one(sim: str, unit: str, dirs: list[str]) -> dict:
    t0 = time.perf_counter()
    if unit in BANKED:        # every lookup decoder (multiplier) side by side in one build
        from rtl_tb.bench_fp4_lut import reference_lanes, run_bank
        run = run_bank(unit, sim, *reference_lanes(unit, [Path(d) for d in dirs]))
    else:
        run = run_unit(unit, sim, [Path(d) for d in dirs])
    return {"sim": sim, "unit": unit, "vectors": run.vectors, "mismatches": run.mismatches,
            "failed": run.failed, "rate": run.rate, "wall": time.perf_counter() - t0,
            "timeout": str(run.timeout) if run.timeout else None,
            "packs": len(run.results), "expected_packs": len(dirs), "build": str(run.build)}


def regress(formats: tuple[str, ...], sims: tuple[str, ...] = SIMS, root: Path | None = None,
            jobs: int | None = None, with_mac: bool = True) -> int:
    for name in formats:
        get_format(name)
    found = versions()
    root = root or REPO / "build" / "packs"
    groups = default_specs(formats) + ([[spec] for spec in mac_specs() + mx_specs()] if with_mac else [])
    if with_mac:
        luts = lut_specs()
        groups += [[s for s in luts if s.unit == unit] for unit in BANKED]
        groups += block_specs()
    bar = Progress(sum(len(g) for g in groups), f"packs under {root}")
    jobs_list = []
    for group in groups:
        dirs = [str(ensure(spec, root)) for spec in group]
        bar.update(len(group))
        label = _label(group[0])
        jobs_list += [(sim, group[0].unit, label, dirs) for sim in sims]
    bar.close()
    rows = []
    bar = Progress(len(jobs_list), "bench runs")
    # workers die with this process (and their simulators with them: rtl_tb/process.py)
    with ProcessPoolExecutor(max_workers=jobs or os.cpu_count() or 2, initializer=die_with_parent) as pool:
        try:
            futures = {pool.submit(_one, sim, unit, dirs): (sim, unit, label)
                       for sim, unit, label, dirs in jobs_list}
            for fut in as_completed(futures):
                sim, unit, label = futures[fut]
                rows.append({**fut.result(), "label": label})
                bar.update(1)
        except BaseException:           # Ctrl-C, SIGTERM: stop the workers, not wait for them
            for proc in list(getattr(pool, "_processes", {}).values()):
                proc.kill()
            raise
    bar.close()
    print(f"\ncodec benches on the reference RTL ({found['icarus']}; Verilator {found['verilator']})")
    head = "".join(f" | {sim + ' vectors':>17} {'mismatch':>8} {'vectors/s':>10}" for sim in sims)
    print(f"  {'unit':<10} {'format / source / MAC':<42} {'packs':>5}{head}")
    by_key = {(r["unit"], r["label"], r["sim"]): r for r in rows}
    for unit, label in sorted({(r["unit"], r["label"]) for r in rows}):
        cells = [by_key[(unit, label, sim)] for sim in sims]
        line = "".join(f" | {c['vectors']:>17,} {c['mismatches']:>8,} {c['rate']:>10,.0f}" for c in cells)
        print(f"  {unit:<10} {label:<42} {cells[0]['packs']:>5}{line}")
    bad = [r for r in rows if r["mismatches"] or r["failed"] or r["packs"] != r["expected_packs"]]
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


def _label(spec) -> str:
    if spec.unit == "decode":
        return spec.fmt.name
    if spec.unit == "encode":
        return f"{spec.fmt.name} {spec.src}"
    if spec.unit in BANKED:
        return "every lookup format, one bank"
    return spec.name.split("-", 1)[1]
