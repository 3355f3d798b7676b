"""The DPI-C example (examples/dpi_c/tb_dpi.sv) as a user runs it: `fp4ref export c`, then
Verilator --binary with the exported C, no Python in the loop. The reference encoder passes
every bfloat16 input in the six modes; the same scoreboard fails a broken encoder (the first
deliberately broken variant of tests/rtl/mutants.py, ties away from zero in rne)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests import REPO
from fp4ref.rtl_tb.sims import sim_env

from .mutants import MUTANTS

TB = REPO / "examples" / "dpi_c" / "tb_dpi.sv"


def _run(tmp_path: Path, round_v: Path) -> subprocess.CompletedProcess:
    c = tmp_path / "c"
    exp = subprocess.run([sys.executable, "-m", "fp4ref", "export", "c", "-f", "e2m1", "--out", str(c)],
                         capture_output=True, text=True)
    assert exp.returncode == 0, exp.stderr
    obj = tmp_path / "obj"
    build = subprocess.run(["verilator", "--binary", "-Mdir", str(obj), "-CFLAGS", "-fcoroutines", "-CFLAGS",
                            f"-I{c}", "--top-module", "tb_dpi", f"-I{REPO / 'rtl'}", str(TB), str(round_v),
                            str(REPO / "rtl" / "fp4_encode.v"), str(c / "fp4ref_e2m1.c")],
                           capture_output=True, text=True, env=sim_env(), timeout=600)
    assert build.returncode == 0, build.stdout[-2000:] + build.stderr[-2000:]
    return subprocess.run([str(obj / "Vtb_dpi")], capture_output=True, text=True, timeout=300)


def test_the_reference_encoder_passes_the_c_scoreboard(tmp_path):
    run = _run(tmp_path, REPO / "rtl" / "fp4_round.v")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "PASS: 393216 vectors, 0 mismatches" in run.stdout


def test_a_broken_encoder_fails_it(tmp_path):
    m = MUTANTS[0]
    src = (REPO / m["file"]).read_text()
    assert m["file"] == "rtl/fp4_round.v" and src.count(m["find"]) == 1
    broken = tmp_path / "fp4_round.v"
    broken.write_text(src.replace(m["find"], m["replace"]))
    run = _run(tmp_path, broken)
    assert run.returncode != 0
    assert "FAIL: 393216 vectors, 8 mismatches" in run.stdout, run.stdout
    assert "mismatch: x=3e80 mode=0" in run.stdout
