"""Every deliberately broken variant of rtl/fp4_mac.v (tests/rtl/mac_mutants.py) fails
`fp4ref verify --unit dot` in at least one of two saturating configurations (adder tree and
sequential chain, E2M1 x E2M1, 16 lanes, 13-bit accumulator, pre-shift B = 3), and the reference
passes both: the MAC benches check what they claim to."""
import subprocess
import sys

import pytest

from fp4ref.rtl_tb.runner import RTL
from tests.rtl.mac_mutants import MAC_MUTANTS
from tests.rtl.mutate import mutated_rtl

REQUIRED = {"narrower_accumulator", "missing_sign_extension", "wrong_shift"}
ORDERS = ("tree", "sequential")


def params(order):
    p = {"LANES": 16, "X_EXP_W": 2, "X_MAN_W": 1, "X_BIAS": 1, "X_SUBNORMALS": 1, "W_EXP_W": 2,
         "W_MAN_W": 1, "W_BIAS": 1, "W_SUBNORMALS": 1, "SHIFT_W": 2, "SHIFT_MAX": 3, "ACC_W": 13,
         "SATURATE": 1, "TREE": int(order == "tree")}
    return [a for k, v in p.items() for a in ("--param", f"{k}={v}")]


def verify(rtl_file, order, packs):
    args = [sys.executable, "-m", "fp4ref", "verify", "--unit", "dot", "--x", "e2m1", "--w", "e2m1",
            "--lanes", "16", "--acc-w", "13", "--policy", "saturate", "--order", order,
            "--shift-max", "3", "--sim", "icarus", "--top", "fp4_mac", "--rtl", str(rtl_file),
            "--packs", str(packs), "--max-mismatches", "3", *params(order)]
    return subprocess.run(args, capture_output=True, text=True, timeout=600)


def test_the_required_kinds_of_bug_are_covered():
    assert REQUIRED <= {m["name"] for m in MAC_MUTANTS}


@pytest.mark.parametrize("order", ORDERS)
def test_reference_mac_passes_verify(order, tmp_path):
    proc = verify(RTL / "fp4_mac.v", order, tmp_path / "packs")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "PASS: fp4_mac on icarus" in proc.stdout


@pytest.mark.parametrize("mutant", MAC_MUTANTS, ids=[m["name"] for m in MAC_MUTANTS])
def test_mac_mutant_fails_verify(mutant, tmp_path):
    rtl = mutated_rtl(mutant, tmp_path)
    results = [verify(rtl / "fp4_mac.v", order, tmp_path / "packs") for order in ORDERS]
    assert any(r.returncode == 1 and "FAIL: fp4_mac on icarus" in r.stdout for r in results), \
        "\n".join(r.stdout + r.stderr for r in results)
    assert all(r.returncode in (0, 1) for r in results)
