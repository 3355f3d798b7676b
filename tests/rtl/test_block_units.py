"""The reference RTL of the block units (docs/block.md §7-§12) on both simulators: every default
pack (golden.defaults.BLOCK_BUILDS: one build per row, every option value of every unit in some
row), every output bit; the bench reads the packs and never computes an expectation."""
import pytest

from fp4ref.golden import manifest
from fp4ref.golden.defaults import block_specs
from fp4ref.golden.unit_pack import unit_def
from fp4ref.golden.pack import ensure
from fp4ref import paths
from tests import REPO
from fp4ref.rtl_tb.runner import run_unit
from fp4ref.rtl_tb.sims import SIMS

GROUPS = block_specs()


def _id(group) -> str:
    """The unit and the options of the build that differ from the unit's defaults (+ sr)."""
    spec = group[0]
    defaults = unit_def(spec.unit).defaults()
    parts = [f"{k}{v}" for k, v in spec.options.items() if k not in ("rounding", "overflow") and v != defaults[k]]
    return "-".join([spec.unit, *parts] + (["sr"] if spec.options.get("rounding") == "sr" else []))


IDS = [_id(g) for g in GROUPS]
PACKS = paths.build("packs")


#: rows of golden.defaults.BLOCK_BUILDS added to kill mutants on Verilator (docs/mutation.md: the
#: campaign runs there): the simulators' agreement on these units is shown by the rows above
#: them, so Icarus, which interprets every vector, skips these (Verilator runs every row)
VERILATOR_ONLY = {"nvfp4_dot-blocks4-random500", "mx_quant-rulerceil-random500", "fp_mul-ae1m2-be2m1_nosub-oe4m3",
                  "fp_mul-ae3m4-oe4m3", "fp_mul-ae3m0-be4m3-oe4m3", "fp_mul-ae4m3fnuz-be3m0-oe4m3",
                  "fp_mul-ae2m1_nosub-be5m2fnuz-oe4m3"}
CASES = [(sim, g) for g, i in zip(GROUPS, IDS) for sim in SIMS if sim == "verilator" or i not in VERILATOR_ONLY]


def test_the_verilator_only_rows_exist():
    assert VERILATOR_ONLY <= set(IDS)


@pytest.mark.parametrize("sim, group", CASES, ids=[f"{_id(g)}-{sim}" for sim, g in CASES])
def test_block_unit_reference_rtl(sim, group, record_rtl):
    dirs = [ensure(spec, PACKS) for spec in group]
    unit = group[0].unit
    run = run_unit(unit, sim, dirs)
    record_rtl(run, unit)
    assert run.failed == 0 and run.mismatches == 0, f"{run.mismatches} mismatches; see {run.build}/sim.log"
    assert run.vectors == sum(manifest.load(d)["count"] for d in dirs)


def test_every_option_value_is_in_the_default_set():
    """Each unit's every allowed value of a choice option (and both ends of the block count)
    runs in make test."""
    from fp4ref.golden.unit_pack import unit_names
    for name in unit_names():
        seen: dict[str, set] = {}
        for group in GROUPS:
            for spec in group:
                if spec.unit == name:
                    for k, v in spec.options.items():
                        seen.setdefault(k, set()).add(v)
        for o in unit_def(name).options:
            if o.choices:
                assert set(o.choices) <= seen[o.name], f"{name}: {o.name} never {set(o.choices) - seen[o.name]}"
