"""rtl/fp4_mx_block.v on both simulators: the default mx_block pack (structured corners and
20,000 seeded random blocks), every output bit; and the pack's expectations against the contract
text and the model (mac.mx_dot)."""
import json

import numpy as np
import pytest

from fp4ref.golden import manifest, pack
from fp4ref.golden.defaults import mx_specs
from fp4ref.golden.mx_pack import SCALE_CORNERS, MxPackSpec, expected
from fp4ref.mac.mx_dot import mx_dot
from fp4ref.rtl_tb.runner import run_unit
from fp4ref.rtl_tb.sims import SIMS

SPEC = mx_specs()[0]
CORNERS = 721          #: structured vectors ahead of the random blocks (golden/mx_pack.py)


@pytest.fixture(scope="module")
def mx_pack(tmp_path_factory):
    return pack.write(SPEC, tmp_path_factory.mktemp("mx") / SPEC.name)


@pytest.mark.parametrize("sim", SIMS)
def test_fp4_mx_block_default_pack(sim, mx_pack, record_rtl):
    run = run_unit("mx_block", sim, [mx_pack])
    record_rtl(run, "mx_block")
    assert run.mismatches == 0 and run.failed == 0, f"see {run.build}/sim.log"
    assert run.vectors == manifest.load(mx_pack)["count"] == CORNERS + SPEC.n_random == 20721


def test_expectations_follow_the_contract_text(mx_pack):
    """I per E2M1 code as docs/rtl_contract.md lists it, exp = xa + xb - 256, NaN on 0xFF."""
    table = np.array([0, 1, 2, 3, 4, 6, 8, 12])
    codes = np.arange(16)
    a, b = np.meshgrid(codes, codes, indexing="ij")
    a, b = a.reshape(-1, 1).repeat(32, axis=1), b.reshape(-1, 1).repeat(32, axis=1)
    sign = lambda c: np.where(c & 8, -1, 1) * table[c & 7]     # noqa: E731
    xa, xb = np.full(256, 3), np.full(256, 255)
    got = expected(a, b, xa, xb, SPEC.fmt)
    assert (got["sum"] == (sign(a) * sign(b)).sum(axis=1)).all()
    assert (got["exp"] == xa + xb - 256).all() and got["nan"].all()
    _, cols = pack.load(mx_pack)
    signed = lambda v, w: np.where(v >> (w - 1), v.astype(np.int64) - (1 << w), v.astype(np.int64))  # noqa: E731
    s, e = signed(cols["sum"], 16), signed(cols["exp"], 10)
    assert s.max() == 4608 and s.min() == -4608
    assert (e == cols["xa"].astype(np.int64) + cols["xb"].astype(np.int64) - 256).all()
    assert (cols["nan"] == ((cols["xa"] == 255) | (cols["xb"] == 255))).all()
    pairs = {(int(x), int(y)) for x, y in zip(cols["xa"], cols["xb"])}
    assert {(x, y) for x in SCALE_CORNERS for y in SCALE_CORNERS} <= pairs


def test_pack_values_match_the_model(mx_pack):
    """The JSONL's float32 value (mac.mx_dot on the block) is fl32(S * 2^exp), NaN on a NaN scale."""
    lines = (mx_pack / "vectors.jsonl").read_text().splitlines()
    for line in lines[:CORNERS] + lines[CORNERS::97]:
        r = json.loads(line)
        value = float(r["value"])
        again = float(mx_dot(np.array(r["a"]), np.array(r["b"]), np.array([r["xa"]]), np.array([r["xb"]])))
        assert repr(value) == repr(again)
        if r["nan"]:
            assert np.isnan(value)
        else:
            with np.errstate(over="ignore"):
                assert value == float(np.float32(np.ldexp(float(r["sum"]), r["exp"])))


def test_spec_is_deterministic_and_checked():
    a = MxPackSpec(n_random=50)
    assert pack.render(a) == pack.render(MxPackSpec(n_random=50))
    with pytest.raises(ValueError):
        MxPackSpec(n_random=-1)
    with pytest.raises(ValueError):
        MxPackSpec(unit="dot")
