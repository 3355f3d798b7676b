"""`fp4ref golden tb`: self-checking Verilog testbenches that run without Python, used as a user
would (the command line, then the run scripts it writes). The reference RTL passes them on both
simulators for encode, decode, product, dot and a block unit (fp_mul); a broken encoder (ties away
in rne, tests/rtl/mutants.py) fails them with the same mismatch count as the cocotb bench, and so
do the other encoder mutants, a broken decoder and a broken MAC through `verify --engine`."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests import REPO
from fp4ref.rtl_tb.sims import sim_env

from .mutants import MUTANTS

#: (case, `fp4ref golden gen` arguments)
PACKS = [
    ("encode", ["--unit", "encode", "-f", "e2m1", "--src", "bfloat16", "-r", "rne"]),
    ("decode", ["--unit", "decode", "-f", "e4m3"]),
    ("product", ["--unit", "product", "--x", "e2m1", "--w", "e4m3"]),
    ("dot", ["--unit", "dot", "--x", "e2m1", "--w", "e2m1", "--lanes", "8", "--acc-w", "12", "--dot-random", "500"]),
    ("fp_mul", ["--unit", "fp_mul", "--opt", "o=e4m3"]),
]


def fp4ref(*args, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "fp4ref", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=600)


def _tb(tmp_path: Path, gen: list[str], *extra) -> Path:
    assert fp4ref("golden", "gen", *gen, "--out", "pack", cwd=tmp_path).returncode == 0
    res = fp4ref("golden", "tb", "pack", "--out", "tb", *extra, cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    return tmp_path / "tb"


def _run(tb: Path, sim: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(tb / f"run_{sim}.sh")], capture_output=True, text=True, env=sim_env(), timeout=600)


@pytest.mark.parametrize("case, gen", PACKS, ids=[p[0] for p in PACKS])
def test_the_reference_rtl_passes_its_native_testbench_on_both_simulators(case, gen, tmp_path):
    tb = _tb(tmp_path, gen)
    assert sorted(p.name for p in tb.iterdir() if not p.name.startswith(".")) == [
        "cycles.bin", "files.f", "run_icarus.sh", "run_verilator.sh", "tb_native.v", "tb_native_glue.v"]
    for sim in ("icarus", "verilator"):
        res = _run(tb, sim)
        assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
        assert f"PASS: " in res.stdout and f" on {sim}: " in res.stdout and ", 0 mismatches" in res.stdout


def test_a_broken_encoder_gets_the_cocotb_verdict(tmp_path):
    m = MUTANTS[0]                                     # rne breaks ties away
    broken = tmp_path / "fp4_round.v"
    broken.write_text((REPO / m["file"]).read_text().replace(m["find"], m["replace"]))
    rtl = [broken, REPO / "rtl" / "fp4_encode.v"]
    gen = PACKS[0][1]
    tb = _tb(tmp_path, gen, *(a for f in rtl for a in ("--rtl", f)), "--top", "fp4_encode",
             *(a for p in ("EXP_W=2", "MAN_W=1", "BIAS=1", "SUBNORMALS=1", "SPECIALS=0", "SRC_EXP_W=8",
                           "SRC_MAN_W=7", "SR_W=8") for a in ("--param", p)))
    native = _run(tb, "icarus")
    assert native.returncode != 0
    assert "FAIL: fp4_encode on icarus: 65536 vectors, 8 mismatches" in native.stdout, native.stdout[-2000:]
    assert "vector 16000: x=3e80 rand=00: code expected 0x0 got 0x1" in native.stdout
    cocotb = fp4ref("verify", "--unit", "encode", "-f", "e2m1", "--src", "bfloat16", "-r", "rne", "--sim", "icarus",
                    *(a for f in rtl for a in ("--rtl", f)), "--top", "fp4_encode", cwd=tmp_path)
    assert cocotb.returncode == 1 and "65,536 vectors, 8 mismatches" in cocotb.stdout, cocotb.stdout[-2000:]
    for sim in ("icarus", "verilator"):                # the same verdicts from verify's native engine
        native = fp4ref("verify", "--engine", "native", "--unit", "encode", "-f", "e2m1", "--src", "bfloat16", "-r",
                        "rne", "--sim", sim, *(a for f in rtl for a in ("--rtl", f)), "--top", "fp4_encode",
                        cwd=tmp_path)
        assert native.returncode == 1 and f"FAIL: fp4_encode on {sim}: 65,536 vectors, 8 mismatches" in native.stdout
        assert "vector 16000: x=3e80" in native.stdout


def test_verify_native_passes_the_reference_encoder(tmp_path):
    rtl = [REPO / "rtl" / "fp4_round.v", REPO / "rtl" / "fp4_encode.v"]
    res = fp4ref("verify", "--engine", "native", "--unit", "encode", "-f", "e2m1", "--src", "bfloat16", "-r", "all",
                 "--sim", "icarus", *(a for f in rtl for a in ("--rtl", f)), "--top", "fp4_encode",
                 "--param", "SRC_EXP_W=8", "--param", "SRC_MAN_W=7", cwd=tmp_path)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr
    assert "PASS: fp4_encode on icarus: 393,216 vectors, 0 mismatches" in res.stdout


def test_a_clocked_unit_and_a_foreign_folder_are_one_line(tmp_path):
    assert fp4ref("golden", "gen", "--unit", "mac_stream", "--opt", "cycles=10", "--out", "ms", cwd=tmp_path).returncode == 0
    res = fp4ref("golden", "tb", "ms", "--out", "tb", cwd=tmp_path)
    assert res.returncode == 2 and "mac_stream is clocked" in res.stderr and not (tmp_path / "tb").exists()
    assert fp4ref("golden", "gen", *PACKS[1][1], "--out", "dec", cwd=tmp_path).returncode == 0
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "a.v").write_text("// mine")
    res = fp4ref("golden", "tb", "dec", "--out", "mine", cwd=tmp_path)
    assert res.returncode == 2 and "not an fp4ref output folder" in res.stderr


def test_user_designs_in_other_styles(tmp_path):
    """A user's encoder that wraps the reference with its mode tied to ties-away passes the
    testbench of a microxcaling-convention pack on both simulators; the README's compare-ladder
    encoder (examples/explain/enc_cmp.v) fails the rne pack with the cocotb bench's count."""
    ref = [REPO / "rtl" / "fp4_round.v", REPO / "rtl" / "fp4_encode.v"]
    away = REPO / "tests" / "rtl" / "diag_designs" / "enc_ties_away.v"
    tb = _tb(tmp_path, ["--unit", "encode", "-f", "e2m1", "--convention", "microxcaling"],
             *(a for f in (*ref, away) for a in ("--rtl", f)), "--top", "enc_ties_away")
    for sim in ("icarus", "verilator"):
        res = _run(tb, sim)
        assert res.returncode == 0 and f"PASS: enc_ties_away on {sim}: 65536 vectors, 0 mismatches" in res.stdout
    other = tmp_path / "ladder"
    other.mkdir()
    tb = _tb(other, PACKS[0][1], "--rtl", REPO / "examples" / "explain" / "enc_cmp.v", "--top", "enc_cmp")
    res = _run(tb, "icarus")
    assert res.returncode != 0 and "FAIL: enc_cmp on icarus: 65536 vectors, 65522 mismatches" in res.stdout


#: more broken designs beside the encoder's (tests/rtl/mutants.py): (name, file, find, replace, verify args)
OTHER_MUTANTS = [
    ("decode_int_loses_sign", "rtl/fp4_decode.v", "(sign ? -int_mag : int_mag)", "int_mag",
     ["--unit", "decode", "-f", "e4m3", "--top", "fp4_decode"]),
    ("mac_products_lose_sign", "rtl/fp4_mac.v", "assign prod[j] = p_neg ? -p_sh : p_sh;", "assign prod[j] = p_sh;",
     ["--unit", "dot", "--x", "e2m1", "--w", "e2m1", "--lanes", "8", "--acc-w", "12", "--dot-random", "500",
      "--top", "fp4_mac"]),
]
_ENCODE_ARGS = ["--unit", "encode", "-f", "e2m1", "--src", "bfloat16", "--top", "fp4_encode"]
_ROUNDING = {"sr_rounds_up_on_equal_minus_one": "sr", "rup_sign_inverted": "rup"}


def test_both_engines_give_the_same_verdict_on_every_broken_design(tmp_path):
    """`fp4ref verify --engine native` and `--engine cocotb` on Icarus, on every encoder mutant
    of tests/rtl/mutants.py (the pack of the rounding each one breaks) and on a broken decoder and
    MAC: the same vector and mismatch counts, each non-zero."""
    import re

    cases = [(m["name"], m["file"], m["find"], m["replace"],
              _ENCODE_ARGS + ["-r", _ROUNDING.get(m["name"], "rne")]) for m in MUTANTS[1:]] + OTHER_MUTANTS
    for name, file, find, replace, args in cases:
        folder = tmp_path / name
        folder.mkdir()
        src = (REPO / file).read_text()
        assert src.count(find) == 1, (name, find)
        broken = folder / Path(file).name
        broken.write_text(src.replace(find, replace))
        rtl = [broken] + ([REPO / "rtl" / "fp4_encode.v"] if broken.name == "fp4_round.v" else
                          [REPO / "rtl" / "fp4_round.v"] if broken.name == "fp4_encode.v" else [])
        counts = {}
        for engine in ("cocotb", "native"):
            res = fp4ref("verify", "--engine", engine, "--sim", "icarus", *args,
                         *(a for f in rtl for a in ("--rtl", f)), cwd=folder)
            assert res.returncode == 1, (name, engine, res.stdout[-1500:] + res.stderr[-500:])
            m = re.search(r"([\d,]+) vectors, ([\d,]+) mismatches", res.stdout)
            assert m, (name, engine, res.stdout[-1500:])
            counts[engine] = m.groups()
        assert counts["native"] == counts["cocotb"] and counts["cocotb"][1] != "0", (name, counts)
