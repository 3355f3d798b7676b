"""Every rtl/lut/fp4_lut_<name>.v case arm against emu.lookup, without a simulator: the f32_o,
int_o and valid_o literals of each of the 16 arms, and the value written in the arm's comment.

A second, independent check of the hand-written decoder tables (the benches in
tests/rtl/test_fp4_lut.py simulate them); it fails fast and names the arm.
"""
import re
from pathlib import Path

import numpy as np
import pytest

from fp4ref.emu.lookup import get_lookup, lookup_names

LUT = Path(__file__).resolve().parents[2] / "rtl" / "lut"
FILES = sorted(LUT.glob("fp4_lut_*.v"))

ARM = re.compile(
    r"^\s*4'b(?P<code>[01_]+)\s*:\s*begin\s+"
    r"f32_o\s*=\s*32'h(?P<f32>[0-9A-Fa-f_]+)\s*;\s*"
    r"int_o\s*=\s*16'h(?P<int>[0-9A-Fa-f_]+)\s*;\s*"
    r"valid_o\s*=\s*1'b(?P<valid>[01])\s*;\s*end\s*//\s*(?P<comment>.*)$")
FIRST_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")


def arms(path: Path) -> dict[int, dict]:
    """code -> {f32, int (signed), valid, comment, line} for every case arm of a decoder."""
    out = {}
    for n, line in enumerate(path.read_text().splitlines(), 1):
        m = ARM.match(line)
        if m is None:
            assert "begin f32_o" not in line, f"{path.name}:{n}: an arm this parser cannot read: {line!r}"
            continue
        code = int(m["code"].replace("_", ""), 2)
        assert code not in out, f"{path.name}:{n}: code {code:#06b} has two arms"
        raw = int(m["int"].replace("_", ""), 16)
        out[code] = {"f32": int(m["f32"].replace("_", ""), 16), "int": raw - (raw >> 15 << 16),
                     "valid": m["valid"] == "1", "comment": m["comment"].strip(), "line": n}
    return out


def f32_bits(text: str) -> int:
    return int(np.array(float(text), dtype=np.float32).view(np.uint32))


def test_every_lookup_format_with_an_rtl_decoder_is_covered():
    names = {p.stem.removeprefix("fp4_lut_") for p in FILES}
    # the float presets' lookup views (e2m1, e1m2, e3m0) decode through rtl/fp4_decode.v
    wanted = set(lookup_names()) - {"e2m1", "e1m2", "e3m0"}
    assert names == wanted, f"decoders without a format: {names - wanted}; formats without one: {wanted - names}"


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_rtl_case_arms_match_emu_lookup(path):
    name = path.stem.removeprefix("fp4_lut_")
    fmt = get_lookup(name)
    assert re.search(rf"^\s*module\s+{path.stem}\s*\(", path.read_text(), re.M), f"{path.name}: module name"
    table = arms(path)
    assert sorted(table) == list(range(16)), f"{path.name}: arms for codes {sorted(table)}"
    ints = fmt.ints if fmt.ints is not None else (0,) * 16
    bad = []
    for code, arm in table.items():
        want = {"f32": fmt.f32_bits[code], "int": ints[code], "valid": fmt.valid[code]}
        got = {k: arm[k] for k in want}
        if got != want:
            bad.append(f"line {arm['line']} code {code:#06b}: RTL {got}, emu.lookup {want}")
            continue
        head = arm["comment"].split(",")[0]
        if not fmt.valid[code]:
            ok = head.lower().startswith("unused")
        else:
            number = FIRST_NUMBER.search(head)
            ok = number is not None and f32_bits(number.group()) == want["f32"]
        if not ok:
            bad.append(f"line {arm['line']} code {code:#06b}: comment {arm['comment']!r} does not "
                       f"state the value {want}")
    assert not bad, f"{path.name}:\n" + "\n".join(bad)
