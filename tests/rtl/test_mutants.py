"""Every deliberately broken variant of the reference RTL (tests/rtl/mutants.py) fails
`fp4ref verify`, and the unbroken RTL passes it: the benches check what they claim to."""
import subprocess
import sys

import pytest

from fp4ref.rtl_tb.runner import RTL
from tests.rtl.mutants import MUTANTS
from tests.rtl.mutate import mutated_rtl

REQUIRED = {"rne_ties_away", "sticky_drops_shifted_out_bits", "no_saturation_code_wraps",
            "zero_loses_sign", "bias_off_by_one"}
ENCODE_PARAMS = ["EXP_W=2", "MAN_W=1", "BIAS=1", "SUBNORMALS=1", "SPECIALS=0", "SRC_EXP_W=8",
                 "SRC_MAN_W=7", "SR_W=8"]


def verify(rtl_dir, packs):
    args = [sys.executable, "-m", "fp4ref", "verify", "--unit", "encode", "--format", "e2m1",
            "--sim", "icarus", "--top", "fp4_encode", "--packs", str(packs), "--max-mismatches", "3"]
    args += [a for f in ("fp4_round.v", "fp4_encode.v") for a in ("--rtl", str(rtl_dir / f))]
    args += [a for p in ENCODE_PARAMS for a in ("--param", p)]
    return subprocess.run(args, capture_output=True, text=True, timeout=600)


def test_the_required_kinds_of_bug_are_covered():
    assert REQUIRED <= {m["name"] for m in MUTANTS}


def test_reference_rtl_passes_verify(tmp_path):
    proc = verify(RTL, tmp_path / "packs")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "PASS: fp4_encode on icarus: 393,216 vectors, 0 mismatches" in proc.stdout


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m["name"] for m in MUTANTS])
def test_mutant_fails_verify(mutant, tmp_path):
    proc = verify(mutated_rtl(mutant, tmp_path), tmp_path / "packs")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "FAIL: fp4_encode on icarus" in proc.stdout and "mismatches" in proc.stdout
    assert "vector " in proc.stdout and "expected" in proc.stdout     # the report names a vector
