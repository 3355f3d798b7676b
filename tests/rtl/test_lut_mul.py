"""rtl/cost/cost_mul_<name>.v on both simulators: every pair of valid codes, prod_o = Ia * Ib with
(Ia, Ib) from emu.lookup's LookupFormat.mul_ints() (the exact integer mapping; NF4/SF4: the RNE
int8 fixed point v * 127), against the lut_mul packs.

Every multiplier sits in one generated bank top per simulator (one build each); one multiplier
also goes through `fp4ref verify`.
"""
import subprocess
import sys

import numpy as np
import pytest

from fp4ref.emu.lookup import get_lookup
from fp4ref.golden import pack
from fp4ref.golden.defaults import LUT_MUL_FORMATS
from fp4ref.golden.lut_pack import LutPackSpec
from fp4ref.rtl_tb.bench_fp4_lut import reference_lanes, run_bank
from fp4ref.rtl_tb.runner import RTL
from fp4ref.rtl_tb.sims import SIMS

COUNTS = {n: sum(get_lookup(n).valid) ** 2 for n in LUT_MUL_FORMATS}


@pytest.fixture(scope="module")
def mul_packs(tmp_path_factory):
    root = tmp_path_factory.mktemp("lut_mul")
    return [pack.write(LutPackSpec("lut_mul", n), root / n) for n in LUT_MUL_FORMATS]


def test_every_multiplier_exists():
    missing = [n for n in LUT_MUL_FORMATS if not (RTL / "cost" / f"cost_mul_{n}.v").is_file()]
    assert not missing, f"no rtl/cost/cost_mul_<name>.v for {missing}"


@pytest.mark.parametrize("name", LUT_MUL_FORMATS)
def test_pack_is_every_valid_pair(name):
    fmt = get_lookup(name)
    fields, cols = LutPackSpec("lut_mul", name).build()
    ints, _ = fmt.mul_ints()
    valid = np.array(fmt.valid)
    assert valid[cols["a"].astype(int)].all() and valid[cols["b"].astype(int)].all()
    assert len({(a, b) for a, b in zip(cols["a"].tolist(), cols["b"].tolist())}) == COUNTS[name]
    prod = cols["prod"].astype(np.int64)
    prod -= (prod >> 15) << 16
    assert prod.tolist() == [ints[a] * ints[b] for a, b in zip(cols["a"].tolist(), cols["b"].tolist())]


@pytest.mark.parametrize("sim", SIMS)
def test_every_multiplier_passes_every_pair(sim, mul_packs, record_rtl):
    lanes, sources = reference_lanes("lut_mul", mul_packs)
    run = run_bank("lut_mul", sim, lanes, sources)
    record_rtl(run, "lut_mul")
    bad = {r["module"]: r["first"] for r in run.results if r["mismatches"]}
    assert not bad and run.failed == 0, f"see {run.build}/sim.log: {bad}"
    assert {r["module"]: r["count"] for r in run.results} == {f"cost_mul_{n}": c for n, c in COUNTS.items()}
    assert run.vectors == sum(COUNTS.values()) == 2273 and run.mismatches == 0


def test_fp4ref_verify_runs_one_multiplier(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "fp4ref", "verify", "--unit", "lut_mul", "-f", "nf4",
                           "--sim", "icarus", "--rtl", str(RTL / "cost" / "cost_mul_nf4.v"),
                           "--top", "cost_mul_nf4", "--packs", str(tmp_path / "packs")],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "PASS: cost_mul_nf4 on icarus: 256 vectors, 0 mismatches" in proc.stdout
