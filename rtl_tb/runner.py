"""Build a top once per (simulator, top, parameters) and run a cocotb bench on it.

``run_bench`` is the plain layer (any top, any bench module). ``run_unit`` adds the lane
wrapper and the pack streaming of a codec unit; the tests in tests/rtl and `fp4ref verify` both
call it. cocotb_tools.runner turns a failing cocotb test into an exception only under pytest
(peers.md §14.2); outside pytest ``run_unit`` reads the results back and reports itself.

Every command the cocotb runner starts (compiler, make, simulator) goes through
rtl_tb.process.run: its own process group, killed with fp4ref, and a watchdog. The simulation
has a wall-clock limit (default ``default_timeout``: scaled from the vectors and the measured
build time) and a stall limit (no heartbeat from the bench for ``STALL_S`` seconds); either ends
the run as a ``SimTimeout`` with the pack and the last vector index the bench reached.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from fp4ref.golden import manifest as manifests

from .contracts import CONTRACTS, port_widths, reference_params
from .lanes import wrapper_verilog
from .mismatches import MISMATCH_DIR
from . import process
from .sims import SIMS, apply_sim_env

from fp4ref import paths

RTL = paths.rtl()


def build_dir(sim: str, top: str, key: dict) -> Path:
    """<build folder>/sim/<sim>/<top>-<hash of everything that changes the build>."""
    blob = json.dumps(key, sort_keys=True, default=str).encode()
    return paths.build("sim", sim) / f"{top}-{hashlib.sha256(blob).hexdigest()[:12]}"


def waves_requested() -> bool:
    return os.environ.get("WAVES", "0") not in ("", "0")


#: seconds without a heartbeat from the bench (rtl_tb.drive.Heartbeat) before a run is stalled
STALL_S = 30.0
#: wall-clock limit of one build (a compiler that never ends)
BUILD_LIMIT_S = 900.0
#: the slowest streaming rate the default limit allows (vectors/s; Icarus runs 10,000 to 90,000)
FLOOR_RATE = 2000
PROGRESS_FILE = "fp4ref_progress"


def default_timeout(vectors: int, build_seconds: float) -> float:
    """The default wall-clock limit of a simulation: 60 s, plus twice the build time (a measure of
    this machine), plus one second per FLOOR_RATE vectors."""
    return float(math.ceil(60 + 2 * build_seconds + vectors / FLOOR_RATE))


class SimTimeout(RuntimeError):
    """The watchdog ended a build or a simulation: ``stage``, ``why``, and for a simulation the
    last heartbeat (``pack``, ``vector``, ``count``)."""

    def __init__(self, stage: str, why: str, limit: float, log: Path, heartbeat: str | None = None):
        self.stage, self.why, self.limit, self.log = stage, why, limit, log
        parts = (heartbeat or "").rsplit(maxsplit=2)
        self.pack = parts[0] if len(parts) == 3 else None
        self.vector = int(parts[1]) if len(parts) == 3 else None
        self.count = int(parts[2]) if len(parts) == 3 else None
        super().__init__(self.summary())

    def summary(self) -> str:
        where = ""
        if self.stage == "simulation":
            where = (f" in pack {self.pack} (last heartbeat at vector {self.vector:,} of {self.count:,}; "
                     "beats come every 0.5 s)" if self.pack else " before the bench started its first pack")
        return f"the {self.stage} stopped{where}: {self.why}; its process group was killed"

    def causes(self) -> str:
        if self.stage == "build":
            return ("likely causes: a compiler stuck on the design (a loop the simulator tries to "
                    "unroll, a huge generate), or a machine under heavy load")
        return ("likely causes: a loop that never ends (a for loop whose variable never reaches its "
                "bound), a combinational loop (an output that feeds back into its own inputs with "
                "no register between), or a handshake that never completes (a valid or ready that "
                "never rises); a design that is only slow needs --timeout")


class BenchRun(NamedTuple):
    xml: Path               #: cocotb's results file
    limit: float            #: the simulation's wall-clock limit (seconds; inf: none)
    build_seconds: float


def _watch(runner, limit: float, stall: float | None = None, progress=None) -> None:
    """Route the cocotb runner's commands through process.run with these limits."""
    def execute_cmds(cmds, cwd, stdout=None):
        for cmd in cmds:
            res = process.run(list(cmd), cwd=cwd, env=runner.env, stdout=stdout,
                              stderr=subprocess.STDOUT if stdout is not None else None,
                              timeout=None if math.isinf(limit) else limit, stall=stall, progress=progress)
            if res.timed_out:
                raise process.Timeout(list(cmd), res)
            if res.returncode != 0:
                raise RuntimeError(f"Command failed with return code: {res.returncode}")
    runner._execute_cmds = execute_cmds


def run_bench(bench: str, top: str, sources: list[Path], sim: str, parameters: dict | None = None,
              extra_env: dict | None = None, bdir: Path | None = None,
              includes: list[Path] | None = None, timeout: float | None = None, vectors: int = 0,
              stall: float = STALL_S, defines: dict | None = None) -> BenchRun:
    """Build ``top`` from ``sources`` and run the cocotb module ``bench`` on it.

    ``timeout``: the simulation's wall-clock limit in seconds (None: default_timeout(vectors, the
    build time); math.inf: none, for a caller that has its own). SimTimeout when a limit is hit."""
    if sim not in SIMS:
        raise ValueError(f"sim: must be one of {', '.join(SIMS)}, got {sim!r}")
    from cocotb_tools.runner import get_runner

    apply_sim_env(sim)
    parameters = dict(parameters or {})
    bdir = bdir or build_dir(sim, top, {"sources": [str(s) for s in sources], "params": parameters})
    waves = waves_requested()
    runner = get_runner(sim)
    build_args = ["-Wno-fatal"] if sim == "verilator" else []
    if sim == "verilator" and os.environ.get("FP4REF_VERILATOR_OPT_FAST", "-O0") == "-O0":
        # one C++ file, not one per class: at -O0 the compiler's time goes to parsing Verilator's
        # headers once per file (the block units' benches: 64 CPU-s instead of 99 for 11 builds)
        build_args += ["--output-split", "0"]
    Path(bdir).mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    _watch(runner, BUILD_LIMIT_S)
    try:
        runner.build(sources=[str(s) for s in sources], hdl_toplevel=top, parameters=parameters,
                     build_dir=bdir, build_args=build_args, waves=waves, timescale=("1ns", "1ps"),
                     defines=dict(defines or {}),
                     includes=[str(i) for i in includes or []], log_file=Path(bdir) / "build.log")
    except process.Timeout as err:
        raise SimTimeout("build", err.result.timed_out, BUILD_LIMIT_S, Path(bdir) / "build.log") from None
    except (SystemExit, Exception) as err:   # the runner exits on a compiler error
        tail = _tail(Path(bdir) / "build.log")
        raise ValueError(f"{sim} could not build {top}: see {Path(bdir) / 'build.log'}\n{tail}") from err
    build_seconds = time.monotonic() - t0
    if sim == "verilator":
        shrink_verilator_build(Path(bdir))
    limit = default_timeout(vectors, build_seconds) if timeout is None else float(timeout)
    xml = (Path(bdir) / "results.xml").resolve()    # absolute: the same name under pytest or not
    beat = Path(bdir).resolve() / PROGRESS_FILE
    beat.unlink(missing_ok=True)
    _watch(runner, limit, stall, beat.read_text)
    try:
        runner.test(test_module=bench, hdl_toplevel=top, build_dir=bdir, test_dir=bdir,
                    extra_env={**(extra_env or {}), "FP4REF_PROGRESS": str(beat)}, waves=waves,
                    results_xml=str(xml), log_file=Path(bdir) / "sim.log")
    except process.Timeout as err:
        raise SimTimeout("simulation", err.result.timed_out, limit, Path(bdir) / "sim.log",
                         err.result.progress) from None
    except (SystemExit, RuntimeError):   # a failing test under pytest, or a simulator that died:
        pass                             # results.xml (or its absence) tells, not an exit
    return BenchRun(xml, limit, build_seconds)


def shrink_verilator_build(bdir: Path) -> None:
    """Empty the two precompiled headers of a finished Verilator build (72 MB each, 1.4 GB over
    `make test`'s builds, enough to fill a CI disk), keeping their times so that `make` still
    finds the build up to date. Should an object be rebuilt (the generated sources changed), g++
    ignores the emptied .gch and reads the empty header stub beside it instead, and every
    generated .cpp includes its __pch.h itself: the rebuild is correct, only without the PCH."""
    for gch in Path(bdir).glob("*.gch"):
        st = gch.stat()
        if st.st_size == 0:
            continue
        stub = gch.with_suffix("")          # Vtop__pch.h.fast, what `-include` names
        gch.write_bytes(b"")
        stub.write_bytes(b"")
        for f in (gch, stub):
            os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))


def sim_error(bdir: Path) -> str | None:
    """The simulator's own error line in sim.log, if it stopped on one (e.g. Verilator's
    'Verilated model didn't converge', its word for a combinational loop)."""
    found = None
    for line in _tail(Path(bdir) / "sim.log", 200).splitlines():
        if "%Error" in line or "didn't converge" in line or "Segmentation fault" in line:
            return line.strip()[:300]
        if re.match(r"^\s*\w+(Error|Exception): ", line) and "AssertionError" not in line:
            found = "the bench stopped: " + line.strip()[:300]     # the last one: the cause
    return found


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
    limit: float = math.inf             #: the simulation's wall-clock limit (seconds)
    timeout: SimTimeout | None = None   #: set when the watchdog ended the run (then failed >= 1)
    error: str | None = None            #: the simulator's own error line, if it stopped on one

    @classmethod
    def of(cls, sim: str, bdir: Path, results_path: Path, bench) -> "UnitRun":
        """The run's record from what the bench wrote; ``bench`` runs the simulation
        (-> BenchRun), a SimTimeout it raises is recorded, not raised."""
        try:
            done = bench()
        except SimTimeout as err:
            out = cls(sim, _results(results_path), 1, bdir, err.limit, err)
        else:
            out = cls(sim, _results(results_path), failures(done.xml), bdir, done.limit)
        if out.failed:
            out.error = sim_error(bdir)
        return out

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

    def passed(self, packs: int) -> bool:
        """Every vector of ``packs`` packs ran and matched: no failed test (a timeout is one), no
        mismatch, no pack missing (the run stopped early) and none stopped on an error."""
        return (self.failed == 0 and self.mismatches == 0 and len(self.results) == packs
                and not any(r.get("error") for r in self.results))


def _results(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def run_unit(unit: str, sim: str, packs: list[Path], rtl: list[Path] | None = None,
             module: str | None = None, params: dict | None = None, copies: int | None = None,
             max_mismatches: int = 10, shared: dict | None = None, timeout: float | None = None,
             stall: float = STALL_S) -> UnitRun:
    """Stream ``packs`` (one field layout) through ``copies`` copies of ``module`` per cycle.

    With no ``rtl``, the reference RTL and its parameters for the packs are used. ``shared``
    overrides shared-port values (e.g. {"mode_i": 6}: a reserved mode code with an rne pack).
    ``timeout``/``stall``: the watchdog (run_bench); a run it ends has ``timeout`` set.
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
                           sim, max_mismatches, shared, timeout, stall,
                           sum(r["count"] for r in records))


def _run_locked(contract, bdir, top, widths, copies, module, params, sources, packs, sim,
                max_mismatches, shared, timeout, stall, vectors) -> UnitRun:
    unit = contract.unit
    wrapper = bdir / f"{top}.v"
    wrapper.write_text(wrapper_verilog(contract, widths, copies, module, params or {}, top))
    results_path = bdir / "fp4ref_results.jsonl"
    results_path.unlink(missing_ok=True)
    shutil.rmtree(bdir / MISMATCH_DIR, ignore_errors=True)     # this run's mismatches only
    env = {"FP4REF_UNIT": unit, "FP4REF_PACKS": os.pathsep.join(str(Path(p).resolve()) for p in packs),
           "FP4REF_COPIES": str(copies), "FP4REF_MAX_MISMATCHES": str(max_mismatches),
           "FP4REF_RESULTS": str(results_path), "FP4REF_SHARED": json.dumps(shared or {})}
    return UnitRun.of(sim, bdir, results_path, lambda: run_bench(
        contract.bench, top, sources + [wrapper], sim, extra_env=env, bdir=bdir, includes=[RTL],
        timeout=timeout, vectors=vectors, stall=stall))
