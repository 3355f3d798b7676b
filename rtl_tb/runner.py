"""Build a top once per (simulator, top, parameters) and run a cocotb bench on it.

``run_bench`` is the plain layer (any top, any bench module). ``run_unit`` adds the lane
wrapper and the pack streaming of a codec unit; the tests in tests/rtl and `fp4ref verify` both
call it. cocotb_tools.runner turns a failing cocotb test into an exception only under pytest
(peers.md §14.2); outside pytest ``run_unit`` reads the results back and reports itself.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from golden import manifest as manifests

from .contracts import CONTRACTS, port_widths, reference_params
from .lanes import wrapper_verilog
from .sims import SIMS, apply_sim_env

REPO = Path(__file__).resolve().parent.parent
RTL = REPO / "rtl"
BUILD = REPO / "build" / "sim"


def build_dir(sim: str, top: str, key: dict) -> Path:
    """build/sim/<sim>/<top>-<hash of everything that changes the build>."""
    blob = json.dumps(key, sort_keys=True, default=str).encode()
    return BUILD / sim / f"{top}-{hashlib.sha256(blob).hexdigest()[:12]}"


def waves_requested() -> bool:
    return os.environ.get("WAVES", "0") not in ("", "0")


def run_bench(bench: str, top: str, sources: list[Path], sim: str, parameters: dict | None = None,
              extra_env: dict | None = None, bdir: Path | None = None,
              includes: list[Path] | None = None) -> Path:
    """Build ``top`` from ``sources`` and run the cocotb module ``bench`` on it; results.xml path."""
    if sim not in SIMS:
        raise ValueError(f"sim: must be one of {', '.join(SIMS)}, got {sim!r}")
    from cocotb_tools.runner import get_runner

    apply_sim_env(sim)
    parameters = dict(parameters or {})
    bdir = bdir or build_dir(sim, top, {"sources": [str(s) for s in sources], "params": parameters})
    waves = waves_requested()
    runner = get_runner(sim)
    build_args = ["-Wno-fatal"] if sim == "verilator" else []
    Path(bdir).mkdir(parents=True, exist_ok=True)
    try:
        runner.build(sources=[str(s) for s in sources], hdl_toplevel=top, parameters=parameters,
                     build_dir=bdir, build_args=build_args, waves=waves, timescale=("1ns", "1ps"),
                     includes=[str(i) for i in includes or []], log_file=Path(bdir) / "build.log")
    except (SystemExit, Exception) as err:   # the runner exits on a compiler error
        tail = _tail(Path(bdir) / "build.log")
        raise ValueError(f"{sim} could not build {top}: see {Path(bdir) / 'build.log'}\n{tail}") from err
    xml = (Path(bdir) / "results.xml").resolve()    # absolute: the same name under pytest or not
    try:
        runner.test(test_module=bench, hdl_toplevel=top, build_dir=bdir, test_dir=bdir,
                    extra_env=dict(extra_env or {}), waves=waves, results_xml=str(xml),
                    log_file=Path(bdir) / "sim.log")
    except SystemExit:   # a failing test under pytest, or a simulator that died: report, not exit
        pass
    return xml


def _tail(path: Path, lines: int = 12) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def failures(results_xml: Path) -> int:
    """Number of failed cocotb tests in a results file (1 when the simulation left none)."""
    from cocotb_tools.check_results import get_results

    if not Path(results_xml).is_file():
        return 1
    total, failed = get_results(Path(results_xml))
    return failed if total else 1


@dataclass
class UnitRun:
    sim: str
    results: list[dict]     #: per pack: pack, count, mismatches, seconds
    failed: int             #: failed cocotb tests (0 when every vector matched)
    build: Path

    @property
    def vectors(self) -> int:
        return sum(r["count"] for r in self.results)

    @property
    def mismatches(self) -> int:
        return sum(r["mismatches"] for r in self.results)

    @property
    def rate(self) -> float:
        seconds = sum(r["seconds"] for r in self.results)
        return self.vectors / seconds if seconds else 0.0


def run_unit(unit: str, sim: str, packs: list[Path], rtl: list[Path] | None = None,
             module: str | None = None, params: dict | None = None, copies: int | None = None,
             max_mismatches: int = 10, shared: dict | None = None) -> UnitRun:
    """Stream ``packs`` (one field layout) through ``copies`` copies of ``module`` per cycle.

    With no ``rtl``, the reference RTL and its parameters for the packs are used. ``shared``
    overrides shared-port values (e.g. {"mode_i": 6}: a reserved mode code with an rne pack).
    """
    if unit not in CONTRACTS:
        raise ValueError(f"unit: must be one of {', '.join(CONTRACTS)}, got {unit!r}")
    if not packs:
        raise ValueError("no packs to run")
    contract = CONTRACTS[unit]
    copies = copies or contract.copies
    records = [manifests.verify(p) for p in packs]
    layouts = {json.dumps(r["fields"]) for r in records}
    if len(layouts) != 1 or any(r["unit"] != unit for r in records):
        raise ValueError(f"packs of one run must be {unit} packs with one field layout")
    first = records[0]
    if rtl is None:
        rtl = [RTL / s for s in contract.sources]
        module = contract.module
        params = reference_params(first) if params is None else params
    missing = [str(p) for p in rtl if not Path(p).is_file()]
    if missing:
        raise ValueError(f"RTL source not found: {', '.join(missing)}")
    widths = port_widths(contract, first)
    top = f"tb_{unit}"
    sources = [Path(p).resolve() for p in rtl]
    hashed = sources + sorted(RTL.glob("*.vh"))     # an include change must rebuild too
    key = {"unit": unit, "module": module, "params": params, "copies": copies, "widths": widths,
           "waves": waves_requested(),
           "sources": [(str(s), hashlib.sha256(s.read_bytes()).hexdigest()) for s in hashed]}
    bdir = build_dir(sim, top, key)
    bdir.mkdir(parents=True, exist_ok=True)
    # one build folder per parameter set, shared by every run of it: runs of the same set (two
    # pytest workers, a test and `fp4ref regress`) take turns, or they would compile over each
    # other and mix their results files
    with open(bdir / ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _run_locked(contract, bdir, top, widths, copies, module, params, sources, packs,
                           sim, max_mismatches, shared)


def _run_locked(contract, bdir, top, widths, copies, module, params, sources, packs, sim,
                max_mismatches, shared: dict | None = None) -> UnitRun:
    unit = contract.unit
    wrapper = bdir / f"{top}.v"
    wrapper.write_text(wrapper_verilog(contract, widths, copies, module, params or {}, top))
    results_path = bdir / "fp4ref_results.jsonl"
    results_path.unlink(missing_ok=True)
    env = {"FP4REF_UNIT": unit, "FP4REF_PACKS": os.pathsep.join(str(Path(p).resolve()) for p in packs),
           "FP4REF_COPIES": str(copies), "FP4REF_MAX_MISMATCHES": str(max_mismatches),
           "FP4REF_RESULTS": str(results_path), "FP4REF_SHARED": json.dumps(shared or {})}
    xml = run_bench(contract.bench, top, sources + [wrapper], sim, extra_env=env, bdir=bdir,
                    includes=[RTL])
    results = ([json.loads(line) for line in results_path.read_text().splitlines()]
               if results_path.exists() else [])
    return UnitRun(sim, results, failures(xml), bdir)
