"""Every deliberately broken lookup decoder (tests/rtl/lut_mutants.py) fails its lut_decode pack
while the unbroken decoders pass, on Verilator.

The mutants (each renamed <module>__<mutant>) and every reference decoder share one bank top:
one Verilator build. One mutant also goes through `fp4ref verify`, which must exit 1 and name
a failing vector.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fp4ref.golden import pack
from fp4ref.golden.lut_pack import LutPackSpec, decoder_names
from fp4ref.rtl_tb.bench_fp4_lut import reference_lanes, run_bank
from fp4ref import paths
from tests import REPO
from tests.rtl.lut_mutants import LUT_MUTANTS

REQUIRED = {"nf4_constant_bit", "e2m1_sr_supernormal_negative", "apot4_06_08_swapped",
            "int4_sym_valid_stuck_1", "int4_full_int_not_sign_extended"}
#: mutated sources live at fixed paths (their content is fixed), so the bank build is cached
MUTANT_DIR = paths.build("lut_mutants")


def mutant_source(mutant: dict) -> tuple[str, Path]:
    """(module, file) of the mutant: the decoder with `find` replaced, renamed <module>__<name>."""
    stem = Path(mutant["file"]).stem
    text = (REPO / mutant["file"]).read_text()
    assert text.count(mutant["find"]) == 1, f"mutant {mutant['name']} no longer applies to the RTL"
    assert text.count(f"module {stem} (") == 1
    module = f"{stem}__{mutant['name']}"
    text = text.replace(mutant["find"], mutant["replace"]).replace(f"module {stem} (", f"module {module} (")
    path = MUTANT_DIR / f"{module}.v"
    if not path.is_file() or path.read_text() != text:
        MUTANT_DIR.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(text)
        os.replace(tmp, path)
    return module, path


@pytest.fixture(scope="module")
def lut_packs(tmp_path_factory):
    root = tmp_path_factory.mktemp("lut_decode")
    return {n: pack.write(LutPackSpec("lut_decode", n), root / n) for n in decoder_names()}


@pytest.fixture(scope="module")
def bank(lut_packs):
    """{module: result} of one Verilator bank: every reference decoder, then every mutant."""
    lanes, sources = reference_lanes("lut_decode", list(lut_packs.values()))
    for m in LUT_MUTANTS:
        module, path = mutant_source(m)
        lanes.append((lut_packs[m["format"]], module))
        sources.append(path)
    run = run_bank("lut_decode", "verilator", lanes, sources, max_mismatches=3)
    assert len(run.results) == len(lanes), f"see {run.build}/sim.log"
    return {r["module"]: r for r in run.results}


def test_the_required_kinds_of_bug_are_covered():
    assert REQUIRED <= {m["name"] for m in LUT_MUTANTS}


def test_reference_decoders_pass(bank):
    ref = {m: r for m, r in bank.items() if "__" not in m}
    assert len(ref) == len(decoder_names())
    assert all(r["mismatches"] == 0 and r["count"] == 16 for r in ref.values()), ref


@pytest.mark.parametrize("mutant", LUT_MUTANTS, ids=[m["name"] for m in LUT_MUTANTS])
def test_mutant_fails(mutant, bank):
    stem = Path(mutant["file"]).stem
    r = bank[f"{stem}__{mutant['name']}"]
    assert r["count"] == 16 and r["mismatches"] > 0, f"{mutant['name']} passed: {mutant['why']}"
    assert r["first"] and "expected" in r["first"][0]


def test_fp4ref_verify_fails_a_mutant(tmp_path):
    mutant = next(m for m in LUT_MUTANTS if m["name"] == "e2m1_sr_supernormal_negative")
    module, path = mutant_source(mutant)
    proc = subprocess.run([sys.executable, "-m", "fp4ref", "verify", "--unit", "lut_decode", "-f", "e2m1_sr",
                           "--sim", "verilator", "--rtl", str(path), "--top", module,
                           "--packs", str(tmp_path / "packs")], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"FAIL: {module} on verilator: 16 vectors, 1 mismatches" in proc.stdout
    assert "code=0x8" in proc.stdout and "f32 expected 0x41000000 got 0xc1000000" in proc.stdout
