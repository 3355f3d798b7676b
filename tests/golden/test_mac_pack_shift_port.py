"""Dot packs and the MAC's shift-port contract (docs/mac.md §5): no shift port (SHIFT_W = 0:
every product << B) and a shift field wider than B needs (shifts above B clamp to B), checked
against a Python-int recomputation from the JSONL records and the decoded values."""
import json
from fractions import Fraction

import pytest

from fp4ref import emu
from fp4ref.golden import pack
from fp4ref.golden.defaults import MAC_DOTS_SHIFT_PORT, dot_spec
from fp4ref.golden.mac_pack import MacPackSpec

E2M1 = emu.get_format("e2m1")


def integer(code: int) -> int:
    """I = value / 2^unit_exp, from the decoded float value (independent of mac/)."""
    v = Fraction(float(emu.decode(code, E2M1))) / Fraction(2) ** E2M1.int_unit_exp
    assert v.denominator == 1
    return int(v)


def expected(rec: dict, shift_max: int, acc_w: int, policy: str, order: str) -> tuple[int, int]:
    shifts = rec.get("s", [0] * len(rec["x"]))
    terms = [integer(x) * integer(w) << (shift_max - min(s, shift_max))
             for x, w, s in zip(rec["x"], rec["w"], shifts)]
    lo, hi = -(1 << (acc_w - 1)), (1 << (acc_w - 1)) - 1
    acc, ovf = rec["acc_in"], 0
    for t in ([sum(terms)] if order == "tree" else terms):
        t = acc + t
        ovf |= not lo <= t <= hi
        acc = min(max(t, lo), hi) if policy == "saturate" else (t - lo) % (1 << acc_w) + lo
    return acc, int(ovf)


@pytest.mark.parametrize("row", MAC_DOTS_SHIFT_PORT, ids=[f"sw{r[7]}" for r in MAC_DOTS_SHIFT_PORT])
def test_shift_port_packs_hold_the_contract(row, tmp_path):
    x, w, lanes, acc_w, policy, order, shift_max, sw = row
    spec = dot_spec(*row)
    out = pack.write(spec, tmp_path / spec.name)
    record = json.loads((out / "manifest.json").read_text())
    assert record["options"]["shift_w"] == sw and record["options"]["shift_max"] == shift_max
    assert [f["name"] for f in record["fields"] if f["name"].startswith("s")] == (
        [f"s{j}" for j in range(lanes)] if sw else [])
    lines = [json.loads(line) for line in (out / "vectors.jsonl").read_text().splitlines()]
    above = 0
    for rec in lines:
        assert (rec["acc"], rec["ovf"]) == expected(rec, shift_max, acc_w, policy, order), rec
        above += sum(s > shift_max for s in rec.get("s", []))
    # the wide port really carries shifts above B (every value up to 2^sw - 1)
    if sw:
        assert above > 1000 and max(max(r["s"]) for r in lines) == (1 << sw) - 1
    else:
        assert all("s" not in r for r in lines) and any(r["acc"] != r["acc_in"] for r in lines)


def test_the_default_shift_width_changes_nothing(tmp_path):
    """shift_w = bit_length(B) given explicitly is the default pack, byte for byte."""
    a = MacPackSpec("dot", E2M1, E2M1, 16, 16, "saturate", "tree", 3)
    b = MacPackSpec("dot", E2M1, E2M1, 16, 16, "saturate", "tree", 3, shift_w=2)
    assert a.name == b.name
    pa, pb = pack.write(a, tmp_path / "a"), pack.write(b, tmp_path / "b")
    for name in ("vectors.hex", "vectors.jsonl", "manifest.json"):
        assert (pa / name).read_bytes() == (pb / name).read_bytes()


@pytest.mark.parametrize("shift_max, sw", [(3, 1), (7, 2), (0, 9), (1, -1)])
def test_a_shift_field_that_cannot_hold_b_is_refused(shift_max, sw):
    with pytest.raises(ValueError, match="shift_w: must be 0"):
        MacPackSpec("dot", E2M1, E2M1, 16, 16, "wrap", "tree", shift_max, shift_w=sw)
