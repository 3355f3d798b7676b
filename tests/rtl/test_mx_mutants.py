"""Every deliberately broken variant of rtl/fp4_mx_block.v (tests/rtl/mx_mutants.py) fails
`fp4ref verify --unit mx_block` on Verilator, and the reference passes: the MX block bench
checks what it claims to."""
import subprocess
import sys

import pytest

from fp4ref.rtl_tb.runner import RTL
from tests.rtl.mutate import mutated_rtl
from tests.rtl.mx_mutants import MX_MUTANTS

REQUIRED = {"lane_sign_lost", "exp_off_by_one", "nan_only_on_xa", "accumulator_one_bit_narrower",
            "wrong_magnitude_code_7"}


def verify(rtl_file, packs):
    args = [sys.executable, "-m", "fp4ref", "verify", "--unit", "mx_block", "--sim", "verilator",
            "--top", "fp4_mx_block", "--rtl", str(rtl_file), "--packs", str(packs),
            "--max-mismatches", "3"]
    return subprocess.run(args, capture_output=True, text=True, timeout=600)


def test_the_required_kinds_of_bug_are_covered():
    assert REQUIRED <= {m["name"] for m in MX_MUTANTS}


def test_reference_mx_block_passes_verify(tmp_path_factory):
    proc = verify(RTL / "fp4_mx_block.v", tmp_path_factory.getbasetemp() / "mx-packs")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "PASS: fp4_mx_block on verilator: 20,721 vectors, 0 mismatches" in proc.stdout


@pytest.mark.parametrize("mutant", MX_MUTANTS, ids=[m["name"] for m in MX_MUTANTS])
def test_mx_mutant_fails_verify(mutant, tmp_path, tmp_path_factory):
    rtl = mutated_rtl(mutant, tmp_path)
    proc = verify(rtl / "fp4_mx_block.v", tmp_path_factory.getbasetemp() / "mx-packs")
    assert proc.returncode == 1 and "FAIL: fp4_mx_block on verilator" in proc.stdout, proc.stdout + proc.stderr
