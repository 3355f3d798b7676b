"""The encodings are written once in Python and once in rtl/fp4_defs.vh; they must agree."""
import re

from fp4ref.emu.flags import Flag
from fp4ref.emu.round import MODES
from fp4ref.emu.spec import SPECIALS
from fp4ref.rtl_tb.runner import RTL

DEFS = (RTL / "fp4_defs.vh").read_text()


def define(name: str) -> int:
    m = re.search(rf"`define\s+{name}\s+(?:\d+'([bdh]))?([0-9a-fA-F_]+)", DEFS)
    assert m, f"{name} missing from fp4_defs.vh"
    base = {"b": 2, "d": 10, "h": 16, None: 10}[m.group(1)]
    return int(m.group(2).replace("_", ""), base)


def test_rounding_mode_codes_agree():
    assert {m: define(f"FP4_MODE_{m.upper()}") for m in MODES} == {m: i for i, m in enumerate(MODES)}


def test_special_policy_codes_agree():
    assert [define(f"FP4_SPECIALS_{s.upper()}") for s in SPECIALS] == list(range(len(SPECIALS)))


def test_flag_masks_agree():
    for flag in Flag:
        assert define(f"FP4_FLAG_{flag.name}") == int(flag)
