"""rtl/fp4_mac.v on both simulators: every finite product of several format pairs (one-lane
MAC), and dot-product packs (corners and seeded random) over policies, orders, pre-shift ranges,
accumulator widths and mixed formats."""
from fp4ref import emu
import pytest

from fp4ref.golden import pack
from fp4ref.golden.defaults import MAC_DOTS, MAC_DOTS_SHIFT_PORT, MAC_PRODUCT_PAIRS, dot_spec
from fp4ref.golden.mac_pack import MacPackSpec
from fp4ref.rtl_tb.runner import run_unit
from fp4ref.rtl_tb.sims import SIMS

F = emu.get_format
PRODUCT_PAIRS = list(MAC_PRODUCT_PAIRS)
DOTS = list(MAC_DOTS)


def check(run, record_rtl, unit):
    record_rtl(run, unit)
    assert run.mismatches == 0 and run.failed == 0, f"see {run.build}/sim.log"


@pytest.mark.parametrize("sim", SIMS)
@pytest.mark.parametrize("x, w", PRODUCT_PAIRS, ids=[f"{a}x{b}" for a, b in PRODUCT_PAIRS])
def test_fp4_mac_every_product(sim, x, w, tmp_path, record_rtl):
    spec = MacPackSpec("product", F(x), F(w))
    run = run_unit("product", sim, [pack.write(spec, tmp_path / spec.name)])
    check(run, record_rtl, "product")
    finite = lambda f: sum(not (f.is_nan_code(c) or f.is_inf_code(c)) for c in range(f.n_codes))  # noqa: E731
    assert run.vectors == finite(F(x)) * finite(F(w))


@pytest.mark.parametrize("sim", SIMS)
@pytest.mark.parametrize("x, w, lanes, acc_w, policy, order, shift_max", DOTS,
                         ids=["-".join(map(str, d)) for d in DOTS])
def test_fp4_mac_dot_products(sim, x, w, lanes, acc_w, policy, order, shift_max, tmp_path, record_rtl):
    spec = MacPackSpec("dot", F(x), F(w), lanes, acc_w, policy, order, shift_max)
    run = run_unit("dot", sim, [pack.write(spec, tmp_path / spec.name)])
    check(run, record_rtl, "dot")
    assert run.vectors > 2000


@pytest.mark.parametrize("sim", SIMS)
@pytest.mark.parametrize("row", MAC_DOTS_SHIFT_PORT, ids=["-".join(map(str, d)) for d in MAC_DOTS_SHIFT_PORT])
def test_fp4_mac_shift_port_contract(sim, row, tmp_path, record_rtl):
    """SHIFT_W = 0 with B > 0 (every product << B, the ignored port driven with ones) and a
    shift field wider than B needs (shifts above B clamp to B): docs/mac.md §5."""
    spec = dot_spec(*row)
    assert spec.sw == row[7] and spec.shift_max == row[6]
    run = run_unit("dot", sim, [pack.write(spec, tmp_path / spec.name)])
    check(run, record_rtl, "dot")
    assert run.vectors > 2000
