"""`fp4ref exhaustive-rtl` (issue 16, part 3), used as a user would: ranges of float32 inputs
through the reference encoder on Verilator pass; an encoder whose rne breaks ties away (a user's
file given with --rtl/--top) fails at exactly the ties; a second run reuses every shard's verdict;
bad input is one line. `make exhaustive-rtl` runs the full 6 x 2^32 sweep into the README."""
from __future__ import annotations

import subprocess
import sys

from tests import REPO

from .mutants import MUTANTS


def fp4ref(*args, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "fp4ref", "exhaustive-rtl", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd, timeout=900)


def test_the_reference_encoder_passes_ranges_of_every_kind(tmp_path):
    # 0.5 .. 8 (every E2M1 tie), then float32 zeros, subnormals and the smallest normals, negative;
    # then the top of the range: the largest finite values, Inf and NaN (one build: E4M3's six
    # sweeps of all 2^32 inputs are `make exhaustive-rtl`'s)
    for fmt, mode, lo, hi in (("e2m1", "rne", 0x3F000000, 0x41000000), ("e2m1", "rdn", 0x80000000, 0x81000000),
                              ("e2m1", "rup", 0x7F000000, 0x80000000)):
        res = fp4ref("-f", fmt, "-r", mode, "--start", hex(lo), "--stop", hex(hi), cwd=tmp_path)
        assert res.returncode == 0, res.stdout + res.stderr
        assert f"PASS: float32 -> {fmt} {mode} through fp4_encode on verilator: {hi - lo:,} inputs" in res.stdout
        assert ", 0 mismatches" in res.stdout


def test_a_broken_encoder_fails_at_the_ties_and_a_rerun_reuses_the_shards(tmp_path):
    m = MUTANTS[0]
    assert m["name"] == "rne_ties_away"
    broken = tmp_path / "my_round.v"
    broken.write_text((REPO / m["file"]).read_text().replace(m["find"], m["replace"]))
    args = ("-f", "e2m1", "--start", "0x3f000000", "--stop", "0x41000000", "--rtl", broken,
            "--rtl", REPO / "rtl" / "fp4_encode.v", "--top", "fp4_encode")
    first = fp4ref(*args, cwd=tmp_path)
    assert first.returncode == 1, first.stdout + first.stderr
    assert "33,554,432 inputs (0x3f000000..0x41000000), 3 mismatches" in first.stdout
    # 1.25 -> 1, 2.5 -> 2, 5 -> 4 under rne; ties away gives 1.5, 3, 6
    for x, want, got in (("3fa00000", 2, 3), ("40200000", 4, 5), ("40a00000", 6, 7)):
        assert f"mismatch x={x} code expected 0x{want} got 0x{got}" in first.stderr
    second = fp4ref(*args, cwd=tmp_path)
    assert second.returncode == 1 and "3 mismatches" in second.stdout and "shards cached" in second.stdout


def test_bad_input_is_one_line(tmp_path):
    (tmp_path / "broken.v").write_text("module fp4_encode(input wire x); not verilog\nendmodule\n")
    for args, text in ((["-r", "sr"], "deterministic mode"),
                       (["--start", "3"], "multiples of 16"),
                       (["-f", "nf4"], "unknown format 'nf4'"),
                       (["--readme", "README.md"], "add --all"),
                       (["--rtl", "missing.v"], "is not a file"),
                       (["--rtl", "broken.v", "--stop", "16"], "Verilator rejects the design")):
        res = fp4ref(*args, cwd=tmp_path)
        assert res.returncode == 2, (args, res.stderr)
        assert text in res.stderr and len(res.stderr.strip().splitlines()) == 1, (args, res.stderr)


def test_a_users_encoder_in_another_style(tmp_path):
    """A float32 E2M1 encoder written as a compare ladder with no parameters and no flags
    (tests/rtl/diag_designs/enc32_ladder.v): swept as it is, its codes are right on every input of
    0.5 .. 8 (every tie included) and its flags wrong on every input but the 7 exact values."""
    design = REPO / "tests" / "rtl" / "diag_designs" / "enc32_ladder.v"
    res = fp4ref("-f", "e2m1", "--start", "0x3f000000", "--stop", "0x41000000", "--rtl", design,
                 "--top", "enc32_ladder", cwd=tmp_path)
    assert res.returncode == 1, res.stdout + res.stderr
    assert "33,554,432 inputs (0x3f000000..0x41000000), 33,554,425 mismatches" in res.stdout
    shown = [ln for ln in res.stderr.splitlines() if " mismatch x=" in ln]
    assert len(shown) == 10
    for ln in shown:                                   # the code agrees; only the flags differ
        code = ln.split("code expected ")[1].split(" flags")[0]
        want, got = code.split(" got ")
        assert want == got and "flags expected" in ln and ln.endswith("got 0x0"), ln
