"""`fp4ref verify` says what a failing design does, used as a user would (a subprocess, the
user's own files), on designs in styles fp4ref did not choose (tests/rtl/diag_designs/):

- enc_ties_away: the reference encoder with its mode port tied to rna (a design whose only fault
  is its tie rule): the default rne packs fail and the diagnosis names rna with its 8 vectors;
  under `--convention microxcaling` (ties away from zero) the same design passes;
- enc_cmp (examples/explain/enc_cmp.v, the README's example): a ladder of magnitude compares
  with ties-away thresholds and no subnormal output: both faults are reported, together
  explaining every mismatch;
- dec_lut_swapped: a ROM-style decoder with the rows of codes 1 and 2 swapped: the diagnosis
  finds the code map.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests import REPO

HERE = Path(__file__).resolve().parent / "diag_designs"
RTL = REPO / "rtl"


def verify(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "fp4ref", "verify", *args], capture_output=True,
                          text=True, timeout=600, cwd=cwd)


def _enc(top: str, *extra: str, rtl=(), sim="icarus", cwd: Path, where: Path = HERE) -> subprocess.CompletedProcess:
    files = [a for f in (*rtl, where / f"{top}.v") for a in ("--rtl", str(f))]
    return verify("--unit", "encode", "-f", "e2m1", "--src", "bfloat16", "--sim", sim, *files,
                  "--top", top, *extra, cwd=cwd)


def test_a_tie_rule_fault_is_named_and_its_convention_passes(tmp_path):
    ref = (RTL / "fp4_round.v", RTL / "fp4_encode.v")
    fail = _enc("enc_ties_away", "-r", "rne", rtl=ref, cwd=tmp_path)
    assert fail.returncode == 1, fail.stderr
    out = fail.stdout
    assert "FAIL: enc_ties_away on icarus: 65,536 vectors, 8 mismatches" in out, out
    assert "one hypothesis explains all 8 mismatches" in out, out
    assert "[rounding=rna = convention=microxcaling]: 8 of 8 mismatches" in out, out
    assert "x=0x3e80 (0|01111101|0000000 = 0.25): code expected 0x0 (0|00|0 = 0.0) got 0x1 (0|00|1 = 0.5), 1 ulp off" in out
    csv = next(line.split(" every mismatch in ")[1] for line in out.splitlines() if "every mismatch in" in line)
    assert len(Path(csv).read_text().splitlines()) == 1 + 8           # a header and every mismatch
    ok = _enc("enc_ties_away", "--convention", "microxcaling", rtl=ref, cwd=tmp_path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "encode-e2m1-bfloat16-rna-saturate" in ok.stdout and "0 mismatches" in ok.stdout


def test_two_faults_in_one_encoder_are_both_reported(tmp_path):
    res = _enc("enc_cmp", "-r", "rne", "--max-mismatches", "2", cwd=tmp_path, where=REPO / "examples" / "explain")
    assert res.returncode == 1
    out = res.stdout
    assert "two faults together explain all 388 mismatches of 65,536 vectors" in out, out
    assert "[ftz = flush<=0.74609375]: alone 382" in out, out
    assert "[rounding=rna = convention=microxcaling]: alone 6" in out, out
    assert "besides: 65,134 vectors differ only in flags" in out, out


def test_a_decoder_with_two_rows_swapped_gets_its_code_map(tmp_path):
    res = verify("--unit", "decode", "-f", "e2m1", "--sim", "verilator", "--rtl",
                 str(HERE / "dec_lut_swapped.v"), "--top", "dec_lut_swapped", cwd=tmp_path)
    assert res.returncode == 1
    out = res.stdout
    assert ("reads its input codes permuted: 0x1 read as 0x2, 0x2 read as 0x1, 0x9 read as 0xa, "
            "0xa read as 0x9 [code-map]: 4 of 4 mismatches") in out, out


def test_a_convention_with_a_flag_it_contradicts_is_one_line(tmp_path):
    res = _enc("enc_ties_away", "--convention", "microxcaling", "-r", "rne", cwd=tmp_path)
    assert res.returncode == 2 and res.stdout == ""
    assert res.stderr.strip() == ("fp4ref verify: error: --rounding rne contradicts --convention microxcaling, "
                                  "which fixes rounding rna")


def test_a_multiplier_with_a_swapped_rom_gets_its_code_map(tmp_path):
    res = verify("--dut", str(HERE / "mul_rom_perm.toml"), "--sim", "verilator", cwd=tmp_path)
    assert res.returncode == 1
    assert ("reads both operands' codes permuted: 0x3 as 0x4, 0x4 as 0x3, 0xb as 0xc, 0xc as 0xb "
            "[code-map-both]: 88 of 88 mismatches") in res.stdout, res.stdout


def test_a_mac_with_a_faulty_weight_decoder_is_named(tmp_path):
    res = verify("--dut", str(HERE / "mac4_wdec.toml"), "--sim", "icarus", cwd=tmp_path)
    assert res.returncode == 1
    out = res.stdout
    assert ("swaps the weight decoder's rows of codes 0x5 and 0x6 (and their negatives) [swap-w-0x5-0x6]: "
            "1,233 of 1,233 mismatches") in out, out


def test_a_block_quantizer_built_with_the_wrong_scale_rule_is_named(tmp_path):
    """The reference MX quantizer instantiated with RULE=1 (ceil) where the packs say floor."""
    files = [a for f in ("fp4_round.v", "fp4_quant_elem.v", "fp4_mx_quant.v") for a in ("--rtl", str(RTL / f))]
    res = verify("--unit", "mx_quant", "--opt", "rule=floor", "--sim", "icarus", *files, "--top", "fp4_mx_quant",
                 "--param", "RULE=1", "--max-mismatches", "1", cwd=tmp_path)
    assert res.returncode == 1
    out = res.stdout
    assert "one hypothesis explains all 3,598 mismatches of 4,173 vectors" in out, out
    assert "computes the E8M0 scale by the ceil rule (docs/block.md §3) [rule=ceil]: 3,598 of 3,598" in out


def test_the_readme_diagnosis_is_a_real_run(tmp_path):
    """examples/explain/dump.txt is what its testbench prints on Icarus, and the README's
    diagnosis block is what `fp4ref explain --readme` writes for it."""
    from fp4ref.rtl_tb.sims import sim_env

    ex = REPO / "examples" / "explain"
    env = sim_env()
    subprocess.run(["iverilog", "-g2012", "-o", str(tmp_path / "tb.vvp"), str(ex / "tb_dump.v"), str(ex / "enc_cmp.v")],
                   check=True, env=env, capture_output=True)
    dump = subprocess.run(["vvp", "-n", str(tmp_path / "tb.vvp")], check=True, env=env, capture_output=True,
                          text=True).stdout
    assert dump == (ex / "dump.txt").read_text()
    readme = tmp_path / "README.md"
    readme.write_text((REPO / "README.md").read_text())
    res = subprocess.run([sys.executable, "-m", "fp4ref", "explain", "--unit", "encode", "-f", "e2m1", "--src",
                          "bfloat16", "examples/explain/dump.txt", "--readme", str(readme)],
                         capture_output=True, text=True, cwd=REPO)
    assert res.returncode == 1, res.stderr                     # mismatches: exit 1, like verify
    assert readme.read_text() == (REPO / "README.md").read_text(), "run the command above with --readme README.md"
