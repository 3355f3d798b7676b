"""rtl/fp4_encode.v on both simulators: every preset, every rounding mode and overflow policy,
streamed from golden packs (exhaustive for bfloat16 and float16, TestFloat level 1 for float32).
One build per (simulator, format, source type).

Verilator runs every pack of every source type for every preset. Icarus, which interprets the
encoder's logic for every vector (make bench: under 0.1 M vectors/s), runs for every preset the
float32 packs (TestFloat level 1 in every mode and overflow policy) and the float16 packs in rne
(every overflow policy) and sr, and for E2M1 the bfloat16 packs in every mode: float16's 10
fraction bits exercise the aligner and the sticky more than bfloat16's 7, float32 brings the
8-bit source exponent and every directed mode, so the simulators agree on every preset, every
mode and both exponent widths. (All 2^32 float32 inputs go through the encoder on Verilator in
`make exhaustive-rtl`.) The packs are generated once per session (build/packs, shared by the
workers under a lock)."""
from fp4ref import emu
import pytest

from fp4ref.golden import manifest, pack
from fp4ref.golden.defaults import encode_specs
from fp4ref import paths
from tests import REPO
from fp4ref.rtl_tb.runner import run_unit

PACKS = paths.build("packs")
CASES = [(sim, name, src) for sim in ("icarus", "verilator") for name in emu.list_formats()
         for src in ("bfloat16", "float16", "float32")
         if sim == "verilator" or src != "bfloat16" or name == "e2m1"]


@pytest.mark.parametrize("sim, name, src", CASES, ids=["-".join(c) for c in CASES])
def test_fp4_encode_passes_every_pack(sim, name, src, record_rtl):
    specs = encode_specs(name, src)
    if sim == "icarus" and src == "float16":
        specs = [s for s in specs if s.rounding == "rne" or (s.rounding == "sr" and s.overflow == "saturate")]
    dirs = [pack.ensure(s, PACKS) for s in specs]
    expected = sum(manifest.load(d)["count"] for d in dirs)
    run = run_unit("encode", sim, dirs)
    record_rtl(run, "encode")
    assert [r["pack"] for r in run.results] == [s.name for s in specs]
    assert run.mismatches == 0 and run.failed == 0, f"see {run.build}/sim.log"
    assert run.vectors == expected


@pytest.mark.parametrize("sim", ("icarus", "verilator"))
def test_reserved_mode_codes_behave_as_rne(sim, record_rtl):
    """docs/rtl_contract.md: mode codes 6 and 7 are reserved and behave as rne. The E2M1 rne
    pack from bfloat16 (every input; E2M1 saturates) driven with mode_i = 6 and 7 must
    match; driven with rna (1) they must not, which shows the override reaches the port."""
    specs = [s for s in encode_specs("e2m1", "bfloat16") if s.rounding == "rne"]
    dirs = [pack.ensure(s, PACKS) for s in specs]
    expected = sum(manifest.load(d)["count"] for d in dirs)
    for code in (6, 7):
        run = run_unit("encode", sim, dirs, shared={"mode_i": code})
        record_rtl(run, "encode")
        assert run.mismatches == 0 and run.failed == 0 and run.vectors == expected, f"mode {code}"
    run = run_unit("encode", sim, dirs, shared={"mode_i": 1}, max_mismatches=1)
    assert run.mismatches > 0
