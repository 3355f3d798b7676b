"""The DUT file's mapping features, each shown to matter (issue 13): a code map on an input,
float16 output bits compared as values, a parameter and a define the design needs, a filelist
with +incdir+ and +define+, packed lanes (xs[{lane}*4 +: 4]), a tied input, an accumulating MAC
that takes two pairs per clock with a synchronous reset. Each design passes
as described and fails (or is refused) when one feature is taken away.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent / "dut_designs"


def _verify(toml: Path, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "fp4ref", "verify", "--dut", str(toml)], capture_output=True,
                          text=True, timeout=600, cwd=cwd)


def _copy(tmp_path: Path, toml: str, old: str = "", new: str = "") -> Path:
    for f in HERE.rglob("*"):
        if f.is_file():
            (tmp_path / f.relative_to(HERE)).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / f.relative_to(HERE)).write_bytes(f.read_bytes())
    path = tmp_path / toml
    if old:
        text = path.read_text()
        assert old in text
        path.write_text(text.replace(old, new, 1))
    return path


@pytest.mark.parametrize("toml", ["dec_f16.toml", "dot4_packed.toml", "mac2.toml"])
def test_described_as_it_is_the_design_passes(toml, tmp_path):
    proc = _verify(_copy(tmp_path, toml), tmp_path)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr
    assert proc.stdout.count("PASS: ") == 2                      # Icarus and Verilator


#: one feature taken away: (file, line, replacement, what the run then says)
WITHOUT = [
    ("dec_f16.toml", "code = { port = \"c\", map = [8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7] }",
     'code = "c"', "FAIL: dec_f16 on"),                                       # the code map
    ("dec_f16.toml", "parameters = { EXP_BIAS = 15 }", "", "FAIL: dec_f16 on"),  # the parameter
    ("dec_f16.toml", "defines = { FP16_OUT = 1 }", "", "h has X/Z bits"),       # the define
    ("dec_f16.toml", 'f32 = { port = "h", float = "float16" }', 'f32 = "h"',
     "[ports] f32: a 16-bit port at scale 1 cannot represent the 32-bit field"),  # float16 bits
    ("dot4_packed.toml", 'x = "xs[{lane}*4 +: 4]"', 'x = "xs[{lane}*3 +: 4]"', "FAIL: dot4_packed on"),
    ("dot4_packed.toml", "unused_mode = 0", "", "input unused_mode of dot4_packed is not driven"),
    ("mac2.toml", "latency = 1", "latency = 2", "FAIL: mac2 on"),                   # the latency
    ("mac2.toml", "pairs_per_cycle = 2", "pairs_per_cycle = 3", "[timing] pairs_per_cycle: must divide lanes (16)"),
]


@pytest.mark.parametrize("toml, old, new, says", WITHOUT, ids=lambda v: str(v)[:30])
def test_each_feature_matters(toml, old, new, says, tmp_path):
    proc = _verify(_copy(tmp_path, toml, old, new), tmp_path)
    assert proc.returncode in (1, 2), proc.stdout[-2000:] + proc.stderr
    assert says in proc.stdout + proc.stderr, proc.stdout[-3000:] + proc.stderr
    assert "PASS" not in proc.stdout


def test_a_filelist_without_its_define_fails(tmp_path):
    path = _copy(tmp_path, "dot4_packed.toml")
    (tmp_path / "files.f").write_text((tmp_path / "files.f").read_text().replace("+define+DOT4_SUM", ""))
    proc = _verify(path, tmp_path)
    assert proc.returncode == 1 and "FAIL: dot4_packed on icarus" in proc.stdout
    assert "acc expected" in proc.stdout
