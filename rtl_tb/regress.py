"""The reference-RTL regression of `fp4ref regress` (and `make demo`): the default packs
(golden.defaults) generated, then every group of packs through its reference bench on each
simulator, in parallel (local worker processes or a Dask cluster: rtl_tb.campaign); one row per
(simulator, unit, group).

Progress follows the house convention: ``progress(n)`` after each step (a pack generated, a
bench run finished)."""
from __future__ import annotations

import time
from pathlib import Path

from fp4ref.emu import get_format
from fp4ref.golden.defaults import block_specs, default_specs, lut_specs, mac_specs, mx_specs
from fp4ref.golden.pack import ensure

from .runner import run_unit

#: units whose packs run as one bank: every lookup decoder (multiplier) side by side in one build
BANKED = ("lut_decode", "lut_mul")


def pack_groups(formats: tuple[str, ...], with_mac: bool = True) -> list[list]:
    """The default pack specs of ``formats`` (ValueError for an unknown one), one group per bench
    run: the codec packs per format and source, and with ``with_mac`` each MAC and MX pack, each
    banked lookup unit and the block units' groups."""
    for name in formats:
        get_format(name)
    groups = default_specs(formats) + ([[spec] for spec in mac_specs() + mx_specs()] if with_mac else [])
    if with_mac:
        luts = lut_specs()
        groups += [[s for s in luts if s.unit == unit] for unit in BANKED]
        groups += block_specs()
    return groups


def label(spec) -> str:
    """The row label of the group a spec leads: the format, the format and source, or the MAC."""
    if spec.unit == "decode":
        return spec.fmt.name
    if spec.unit == "encode":
        return f"{spec.fmt.name} {spec.src}"
    if spec.unit in BANKED:
        return "every lookup format, one bank"
    return spec.name.split("-", 1)[1]


def prepare(groups: list[list], root: Path, sims: tuple[str, ...], progress=None) -> list[tuple]:
    """Every pack of ``groups`` generated under ``root`` (or found there); the bench runs, one per
    group and simulator, each a shard for run_shard: (sim, unit, label, pack specs, root)."""
    jobs = []
    for group in groups:
        for spec in group:
            ensure(spec, root)
        if progress:
            progress(len(group))
        jobs += [(sim, group[0].unit, label(group[0]), group, str(root)) for sim in sims]
    return jobs


def run_one(sim: str, unit: str, dirs: list[str]) -> dict:
    """One bench run of a group's packs: vectors, mismatches, failed tests, rate, wall seconds,
    the watchdog's verdict, packs run and expected, the build folder."""
    t0 = time.perf_counter()
    if unit in BANKED:
        from .bench_fp4_lut import reference_lanes, run_bank
        run = run_bank(unit, sim, *reference_lanes(unit, [Path(d) for d in dirs]))
    else:
        run = run_unit(unit, sim, [Path(d) for d in dirs])
    return {"sim": sim, "unit": unit, "vectors": run.vectors, "mismatches": run.mismatches,
            "failed": run.failed, "rate": run.rate, "wall": time.perf_counter() - t0,
            "timeout": str(run.timeout) if run.timeout else None,
            "packs": len(run.results), "expected_packs": len(dirs), "build": str(run.build)}


def run_shard(job: tuple) -> dict:
    """One bench run of prepare(), wherever it runs: its packs found under the root (or
    generated there, on a worker without a copy: the same bytes), then run_one; the row with
    its label."""
    sim, unit, lab, specs, root = job
    return {**run_one(sim, unit, [str(ensure(spec, Path(root))) for spec in specs]), "label": lab}


def run_jobs(jobs: list[tuple], executor, progress=None) -> list[dict]:
    """The bench runs of prepare() on the executor (rtl_tb.campaign: local processes or a Dask
    cluster), the rows of run_shard in the order of ``jobs``; ``progress(1)`` as each finishes.
    Local workers die with this process, and their simulators with them (rtl_tb/process.py)."""
    return list(executor.map(run_shard, jobs, progress and (lambda i, row: progress(1))))


def failures(rows: list[dict]) -> list[dict]:
    """The rows that did not pass: a mismatch, a failed test (a timeout is one) or packs not run."""
    return [r for r in rows if r["mismatches"] or r["failed"] or r["packs"] != r["expected_packs"]]
