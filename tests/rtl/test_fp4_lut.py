"""rtl/lut/fp4_lut_<name>.v on both simulators: every code of every lookup-format decoder
(f32_o, int_o, valid_o) against the lut_decode packs (expectations from emu.lookup).

Every decoder sits in one generated bank top per simulator (rtl_tb.bench_fp4_lut.run_bank), so
the whole set is one build each; one decoder also goes through `fp4ref verify` (the 16-lane
path a user's module takes).
"""
import subprocess
import sys

import numpy as np
import pytest

from fp4ref.emu.lookup import get_lookup
from fp4ref.golden import pack
from fp4ref.golden.defaults import lut_specs
from fp4ref.golden.lut_pack import LutPackSpec, decoder_names
from fp4ref.rtl_tb.bench_fp4_lut import reference_lanes, run_bank
from fp4ref.rtl_tb.runner import RTL
from fp4ref.rtl_tb.sims import SIMS

NAMES = decoder_names()


@pytest.fixture(scope="module")
def decode_packs(tmp_path_factory):
    root = tmp_path_factory.mktemp("lut_decode")
    return [pack.write(LutPackSpec("lut_decode", n), root / n) for n in NAMES]


def test_every_decoder_file_has_a_pack_and_the_defaults_hold_them():
    files = {p.stem.removeprefix("fp4_lut_") for p in (RTL / "lut").glob("fp4_lut_*.v")}
    assert files == set(NAMES)
    assert {s.fmt for s in lut_specs() if s.unit == "lut_decode"} == set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_pack_follows_the_contract(name):
    """Unused codes expect valid 0, f32 0, int 0; formats without an integer mapping expect int 0."""
    fmt = get_lookup(name)
    fields, cols = LutPackSpec("lut_decode", name).build()
    assert [f.name for f in fields] == ["code", "f32", "int", "valid"]
    assert cols["code"].tolist() == list(range(16))
    unused = ~np.array(fmt.valid)
    assert (cols["valid"] == fmt.valid).all()
    assert not cols["f32"][unused].any() and not cols["int"][unused].any()
    if fmt.ints is None:
        assert not cols["int"].any()
    else:
        signed = cols["int"].astype(np.int64) - ((cols["int"].astype(np.int64) >> 15) << 16)
        assert signed.tolist() == list(fmt.ints)


@pytest.mark.parametrize("sim", SIMS)
def test_every_decoder_passes_every_code(sim, decode_packs, record_rtl):
    lanes, sources = reference_lanes("lut_decode", decode_packs)
    run = run_bank("lut_decode", sim, lanes, sources)
    record_rtl(run, "lut_decode")
    bad = {r["module"]: r["first"] for r in run.results if r["mismatches"]}
    assert not bad and run.failed == 0, f"see {run.build}/sim.log: {bad}"
    assert [r["module"] for r in run.results] == [f"fp4_lut_{n}" for n in NAMES]
    assert all(r["count"] == 16 for r in run.results)
    assert run.vectors == 16 * len(NAMES) == 304 and run.mismatches == 0


def test_fp4ref_verify_runs_one_decoder(tmp_path):
    """The user's path: `fp4ref verify --unit lut_decode` (16 copies per cycle, run_unit)."""
    proc = subprocess.run([sys.executable, "-m", "fp4ref", "verify", "--unit", "lut_decode", "-f", "bnb_fp4",
                           "--sim", "icarus", "--rtl", str(RTL / "lut" / "fp4_lut_bnb_fp4.v"),
                           "--top", "fp4_lut_bnb_fp4", "--packs", str(tmp_path / "packs")],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "PASS: fp4_lut_bnb_fp4 on icarus: 16 vectors, 0 mismatches" in proc.stdout
