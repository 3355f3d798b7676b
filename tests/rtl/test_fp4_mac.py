"""rtl/fp4_mac.v on both simulators: every finite product of several format pairs (one-lane
MAC), and dot-product packs (corners and seeded random) over policies, orders, pre-shift ranges,
accumulator widths and mixed formats."""
import emu
import pytest

from golden import pack
from golden.mac_pack import MacPackSpec
from rtl_tb.runner import run_unit
from rtl_tb.sims import SIMS

F = emu.get_format
PRODUCT_PAIRS = [("e2m1", "e2m1"), ("e3m0", "e2m1"), ("e1m2", "e2m1"), ("e2m1", "e1m2"),
                 ("e2m1_b0", "e3m0_b0"), ("e2m1_nosub", "e2m1"), ("e2m3", "e3m2"), ("e4m3", "e4m3")]
DOTS = [  # x, w, lanes, acc_w, policy, order, shift_max
    ("e2m1", "e2m1", 16, 13, "wrap", "tree", 0),
    ("e2m1", "e2m1", 16, 13, "saturate", "sequential", 0),
    ("e2m1", "e2m1", 16, 16, "saturate", "tree", 3),
    ("e2m1", "e2m1", 16, 16, "wrap", "sequential", 3),
    ("e3m0_b0", "e2m1_b0", 16, 22, "saturate", "tree", 7),
    ("e1m2", "e2m1", 16, 13, "wrap", "tree", 1),
    ("e4m3", "e4m3", 4, 40, "saturate", "sequential", 0),
    ("e2m1", "e2m1", 1, 2, "saturate", "tree", 0),
]


def check(run, record_property, unit, sim):
    record_property("fp4ref_rtl", {"sim": sim, "unit": unit, "vectors": run.vectors,
                                   "mismatches": run.mismatches,
                                   "seconds": sum(r["seconds"] for r in run.results)})
    assert run.mismatches == 0 and run.failed == 0, f"see {run.build}/sim.log"


@pytest.mark.parametrize("sim", SIMS)
@pytest.mark.parametrize("x, w", PRODUCT_PAIRS, ids=[f"{a}x{b}" for a, b in PRODUCT_PAIRS])
def test_fp4_mac_every_product(sim, x, w, tmp_path, record_property):
    spec = MacPackSpec("product", F(x), F(w))
    run = run_unit("product", sim, [pack.write(spec, tmp_path / spec.name)])
    check(run, record_property, "product", sim)
    finite = lambda f: sum(not (f.is_nan_code(c) or f.is_inf_code(c)) for c in range(f.n_codes))  # noqa: E731
    assert run.vectors == finite(F(x)) * finite(F(w))


@pytest.mark.parametrize("sim", SIMS)
@pytest.mark.parametrize("x, w, lanes, acc_w, policy, order, shift_max", DOTS,
                         ids=["-".join(map(str, d)) for d in DOTS])
def test_fp4_mac_dot_products(sim, x, w, lanes, acc_w, policy, order, shift_max, tmp_path, record_property):
    spec = MacPackSpec("dot", F(x), F(w), lanes, acc_w, policy, order, shift_max)
    run = run_unit("dot", sim, [pack.write(spec, tmp_path / spec.name)])
    check(run, record_property, "dot", sim)
    assert run.vectors > 2000
