"""run_bench: build an HDL top once per (simulator, top, parameters) and run a cocotb module on it.

Used by the pytest files in tests/rtl and by the CLI. cocotb_tools.runner only turns a failing
cocotb test into a failure under pytest (peers.md §14.2), so callers outside pytest check the
returned results file with ``failures()``.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .sims import SIMS, apply_sim_env

REPO = Path(__file__).resolve().parent.parent
BUILD = REPO / "build" / "sim"


def build_dir(sim: str, top: str, parameters: dict) -> Path:
    """build/sim/<sim>/<top>-<hash of the parameters>: one build per parameter set."""
    key = json.dumps(parameters, sort_keys=True).encode()
    return BUILD / sim / f"{top}-{hashlib.sha256(key).hexdigest()[:10]}"


def run_bench(bench: str, top: str, sources: list[Path], sim: str, parameters: dict | None = None,
              extra_env: dict | None = None, waves: bool = False, testcase: str | None = None) -> Path:
    """Build ``top`` from ``sources`` and run the cocotb module ``bench`` (dotted name) on it.

    Returns the results.xml path. Raises ValueError for an unknown simulator.
    """
    if sim not in SIMS:
        raise ValueError(f"sim: must be one of {', '.join(SIMS)}, got {sim!r}")
    from cocotb_tools.runner import get_runner

    apply_sim_env()
    parameters = dict(parameters or {})
    bdir = build_dir(sim, top, parameters)
    runner = get_runner(sim)
    build_args = ["-Wno-fatal"] if sim == "verilator" else []
    runner.build(sources=[str(s) for s in sources], hdl_toplevel=top, parameters=parameters,
                 build_dir=bdir, build_args=build_args, waves=waves, timescale=("1ns", "1ps"))
    return runner.test(test_module=bench, hdl_toplevel=top, build_dir=bdir, test_dir=bdir,
                       parameters=parameters, extra_env=dict(extra_env or {}), waves=waves,
                       testcase=testcase)


def failures(results_xml: Path) -> int:
    """Number of failed cocotb tests in a results file."""
    from cocotb_tools.check_results import get_results

    _total, failed = get_results(Path(results_xml))
    return failed
