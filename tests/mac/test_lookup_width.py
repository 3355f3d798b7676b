"""Lookup formats with an integer mapping as MAC operands (docs/mac.md §3, docs/lookup.md):
every code's integer against its decoded value, worst-case widths against a brute force over
every code pair, mac.dot, the MAC packs, and `fp4ref width` as a user runs it."""
import json
import re
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from fp4ref import emu
from fp4ref import mac
from fp4ref.emu.lookup import FLOAT_VIEWS, decode, get_lookup, lookup_names
from fp4ref.mac.products import int_codes, int_format
from fp4ref.mac.width import check_accumulator

#: every lookup format with an integer mapping (the float views are the presets themselves)
MAPPED = [n for n in lookup_names() if get_lookup(n).ints is not None and n not in FLOAT_VIEWS]
UNMAPPED = [n for n in lookup_names() if get_lookup(n).ints is None]
DOCS = Path(__file__).resolve().parents[2] / "docs" / "mac.md"


def decoded_ints(name: str) -> dict[int, int]:
    """code -> the integer of its decoded float32 value in the format's unit (independent of
    int_codes: from emu.lookup.decode and the unit only)."""
    fmt = get_lookup(name)
    out = {}
    for c in range(16):
        if fmt.valid[c]:
            out[c] = round(Fraction(float(decode(np.array([c]), fmt)[0])) / fmt.unit)
    return out


def operand_ints(name: str) -> dict[int, int]:
    return decoded_ints(name) if name in MAPPED else {
        c: int(emu.int_map(np.array([c]), name)[0]) for c in range(emu.get_format(name).n_codes)
        if not (emu.get_format(name).is_nan_code(c) or emu.get_format(name).is_inf_code(c))}


def test_the_mapped_formats_are_the_ones_docs_lookup_lists():
    assert {"e2m1_sr", "e2m1_sp", "e2m1_p25", "apot4", "apot4_sp", "int4_sym", "int4_full",
            "int4_asym"} <= set(MAPPED)
    assert {"nf4", "sf4_nu5"} <= set(UNMAPPED)


@pytest.mark.parametrize("name", MAPPED)
def test_every_code_through_int_codes_is_its_decoded_value_over_the_unit(name):
    fmt, f = get_lookup(name), int_format(name)
    assert f.is_lookup and f.unit == fmt.unit and f.bits == 4
    want = decoded_ints(name)
    for c in range(16):
        if c not in want:
            with pytest.raises(ValueError, match="not used"):
                int_codes(np.array([c]), name)
            continue
        got = int(int_codes(np.array([c]), name)[0])
        value = Fraction(float(decode(np.array([c]), fmt)[0]))
        assert got == want[c], (name, c)
        # the decoder's float32 is the binary32 nearest to I * unit (exact for power-of-two units)
        assert np.float32(float(got * fmt.unit)) == np.float32(float(value))
        if f.unit_exp is not None:
            assert value == got * fmt.unit
    codes = np.array(sorted(want))
    for spec in (name, fmt, f, name.upper().replace("_", "-")):   # any way of naming it
        assert int_codes(codes, spec).tolist() == [want[c] for c in codes]
    assert f.int_max == max(abs(i) for i in want.values())
    assert f.int_hi == f.ints[f.max_code] == max(want.values())
    assert f.int_lo == f.ints[f.min_code] == min(want.values())


@pytest.mark.parametrize("name", emu.list_formats())
def test_the_adapter_gives_the_presets_their_own_mapping(name):
    fmt, f = emu.get_format(name), int_format(name)
    assert not f.is_lookup and f.source is fmt and f.unit == Fraction(2) ** fmt.int_unit_exp
    assert (f.int_max, f.max_code, f.min_code) == (fmt.int_max, fmt.max_code, fmt.max_code | fmt.sign_bit)
    finite = [c for c in range(fmt.n_codes) if not (fmt.is_nan_code(c) or fmt.is_inf_code(c))]
    assert f.codes.tolist() == finite
    assert f.table[finite].tolist() == emu.int_map(np.array(finite), fmt).tolist()


# ---- worst-case widths against a brute force -------------------------------------------------
PAIRS = [(x, w) for x in MAPPED for w in MAPPED + ["e2m1"]] + [("e2m1", w) for w in MAPPED]


def brute_force_width(x: str, w: str, k: int) -> tuple[int, int, int]:
    """(lo, hi, W): the extreme sums of k terms over every code pair, and the smallest signed
    width holding both, found by counting up."""
    ix, iw = operand_ints(x), operand_ints(w)
    prods = [a * b for a in ix.values() for b in iw.values()]
    lo, hi = k * min(prods), k * max(prods)
    width = 2
    while not (-(1 << (width - 1)) <= lo and hi <= (1 << (width - 1)) - 1):
        width += 1
    return lo, hi, width


@pytest.mark.parametrize("k", [16, 32])
@pytest.mark.parametrize("x, w", PAIRS, ids=[f"{x}x{w}" for x, w in PAIRS])
def test_worst_case_width_is_the_brute_force_minimum(x, w, k):
    lo, hi, width = brute_force_width(x, w, k)
    bound = mac.worst_case_width(x, w, k)
    assert (bound.lo, bound.hi, bound.bound, bound.bits) == (lo, hi, max(hi, -lo), width)
    # every code pair in every lane: no overflow at W, and at W - 1 some pair overflows
    ix, iw = operand_ints(x), operand_ints(w)
    cx = np.repeat(np.array(list(ix)), len(iw))
    cw = np.tile(np.array(list(iw)), len(ix))
    xs, ws = np.repeat(cx[:, None], k, 1), np.repeat(cw[:, None], k, 1)
    ok = mac.dot(xs, ws, x, w, width, "wrap", "tree", 16)
    assert not ok.overflow.any() and ok.exact.min() == lo and ok.exact.max() == hi
    assert (ok.acc == ok.exact).all()
    assert mac.dot(xs, ws, x, w, width - 1, "wrap", "tree", 16).overflow.any()


@pytest.mark.parametrize("x, w", [("e2m1_sr", "e2m1_sr"), ("e2m1_sr", "int4_full"), ("apot4", "e2m1"),
                                  ("int4_full", "int4_full")])
def test_the_width_with_an_explicit_preshift_scales_the_range(x, w):
    plain, shifted = mac.worst_case_width(x, w, 16), mac.worst_case_width(x, w, 16, 3)
    assert (shifted.lo, shifted.hi) == (plain.lo << 3, plain.hi << 3)
    assert shifted.bits == plain.bits + 3
    with pytest.raises(ValueError, match="needs an exponent field"):
        mac.preshift_range(x)


def test_the_super_range_shows_in_the_width():
    """E2M1-SR's +8 (I = 16): products reach 192 against E2M1's 144, and 256 when both have it."""
    e2m1, sr = mac.worst_case_width("e2m1", "e2m1", 11008), mac.worst_case_width("e2m1_sr", "e2m1", 11008)
    assert (e2m1.bound, e2m1.bits, sr.bound, sr.bits) == (11008 * 144, 22, 11008 * 192, 23)
    both = mac.worst_case_width("e2m1_sr", "e2m1_sr", 16)
    assert (both.lo, both.hi, both.bits) == (-3072, 4096, 14)
    assert mac.worst_case_width("e2m1", "e2m1", 16).bits == 13


def test_the_docs_table_is_what_the_model_computes():
    rows = re.findall(r"^\| (\w+) x (\w+)(?: \(preset\))? \| (-?\d+) \.\. (-?\d+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \|$",
                      DOCS.read_text(), re.M)
    assert len(rows) >= 10
    for x, w, pmin, pmax, *bits in rows:
        b16 = mac.worst_case_width(x, w, 16)
        assert (b16.lo // 16, b16.hi // 16) == (int(pmin), int(pmax)), (x, w)
        assert [mac.worst_case_width(x, w, k).bits for k in (16, 32, 4096, 11008)] == [int(b) for b in bits], (x, w)


# ---- the explanation ---------------------------------------------------------------------------
def test_the_explanation_states_the_unit_and_the_asymmetric_range():
    text = mac.worst_case_width("e2m1_sr", "e2m1_sr", 16).explain()
    assert text == "\n".join([
        "accumulator width for K = 16 terms of e2m1_sr (activations) x e2m1_sr (weights), no pre-shift",
        "  integer mapping  e2m1_sr: I in -12 .. 16 (value = I * 2^-1); e2m1_sr: I in -12 .. 16 (value = I * 2^-1)",
        "  e2m1_sr (lookup format, docs/lookup.md): E2M1 with super-range support (+8 on the -0 code); "
        "largest |I| = 16 at code 0b1000",
        "  products         -12 * 16 = -192 .. 16 * 16 = 256",
        "  sums             16 * -192 = -3,072 .. 16 * 256 = 4,096",
        "  signed width     the smallest W with -2^(W-1) <= -3,072 and 4,096 <= 2^(W-1) - 1: 14 bits "
        "(range -8,192 .. 8,191)",
        "  13 bits hold only -4,096 .. 4,095: 1 short of the worst case",
        "  output scale     acc * 2^-2 * scale_x * scale_w[k]"])
    apot = mac.worst_case_width("apot4", "e2m1", 32).explain()
    assert "apot4: |I| <= 10 (value = I * 1/10)" in apot
    assert "its unit 1/10 is no power of two: it scales values only" in apot
    assert "output scale     acc * 1/20 * scale_x" in apot
    assert "13 bits" in apot


def test_the_accumulator_check_runs_the_extreme_pair():
    assert check_accumulator(mac.worst_case_width("e2m1_sr", "e2m1_sr", 16), 13) == (
        "  check 13-bit accumulator: NOT enough (needs 14); the all-maximum input sums to 4,096: "
        "wrap returns -4,096, saturate returns 4,095, overflow flag set")
    # INT4-full's -8 x -8 = 64 is the largest product: the worst case is not the all-maximum input
    assert check_accumulator(mac.worst_case_width("int4_full", "int4_full", 16), 12) == (
        "  check 12-bit accumulator: enough; the worst-case input (every lane 0x8 x 0x8, -8 * -8) "
        "sums to 1,024: wrap returns 1,024, saturate returns 1,024, overflow flag clear")


# ---- mac.dot and bad input -----------------------------------------------------------------------
def test_dot_of_lookup_codes_is_the_exact_sum_of_decoded_values(rng):
    for x, w in [("e2m1_sr", "e2m1"), ("apot4_sp", "int4_full"), ("int4_asym", "e2m1_sp")]:
        ix, iw = operand_ints(x), operand_ints(w)
        cx = rng.choice(list(ix), (50, 32))
        cw = rng.choice(list(iw), (50, 32))
        res = mac.dot(cx, cw, x, w, 24, "wrap", "tree", 16)
        want = [sum(ix[a] * iw[b] for a, b in zip(r, s)) for r, s in zip(cx.tolist(), cw.tolist())]
        assert res.exact.tolist() == want and res.acc.tolist() == want


@pytest.mark.parametrize("call, message", [
    (lambda: mac.worst_case_width("nf4", "e2m1", 16), "nf4 has no integer mapping"),
    (lambda: mac.worst_case_width("e2m1", "e2m1_zz", 16), "unknown format 'e2m1_zz'.*lookup formats with an integer mapping"),
    (lambda: mac.dot([8], [0], "apot4", "e2m1", 8), "code 0b1000 is not used"),
    (lambda: mac.dot([16], [0], "e2m1_sr", "e2m1", 8), "outside 0..15"),
    (lambda: mac.preshift_range("e2m1_sr"), "give B explicitly"),
])
def test_bad_input_is_one_line(call, message):
    with pytest.raises(ValueError, match=message) as err:
        call()
    assert "\n" not in str(err.value)


# ---- the MAC packs (models only: rtl/fp4_mac.v is ExMy-only) -------------------------------------
def _render(spec):
    from fp4ref.golden.pack import render
    files = render(spec)
    return json.loads(files["manifest.json"]), [json.loads(s) for s in files["vectors.jsonl"].decode().splitlines()]


@pytest.mark.parametrize("x, w", [("e2m1_sr", "e2m1"), ("apot4", "int4_full"), ("int4_asym", "e2m1_sp"),
                                  ("e2m1", "e2m1_p25")])
def test_product_packs_of_lookup_formats_hold_every_pair(x, w):
    from fp4ref.golden.mac_pack import USER_RTL_ONLY, MacPackSpec
    record, lines = _render(MacPackSpec("product", x, w))
    ix, iw = operand_ints(x), operand_ints(w)
    assert len(lines) == record["count"] == len(ix) * len(iw)
    assert {(int(r["code_x"], 16), int(r["code_w"], 16)): r["product"] for r in lines} == {
        (a, b): ix[a] * iw[b] for a in ix for b in iw}
    width = {f["name"]: f["width"] for f in record["fields"]}["product"]
    assert width == mac.worst_case_width(x, w, 1).bits
    for side, name in (("x", x), ("w", w)):
        if name in MAPPED:
            assert record["format"][side]["rtl"] == USER_RTL_ONLY
            assert record["format"][side]["ints"] == list(int_format(name).ints)
        else:
            assert "rtl" not in record["format"][side] and record["format"][side]["exp_w"] == 2


def test_dot_packs_of_lookup_formats_reach_both_extremes():
    from fp4ref.golden.mac_pack import MacPackSpec
    spec = MacPackSpec("dot", "e2m1_sr", "int4_full", 16, 12, "saturate", "tree", 0, 200)
    assert spec.name == "dot-e2m1_srxint4_full-l16-w12-saturate-tree-b0"
    record, lines = _render(spec)
    ix, iw = operand_ints("e2m1_sr"), operand_ints("int4_full")
    exact = {r["exact"] for r in lines if r["acc_in"] == 0}
    assert {16 * 16 * 7, -16 * 16 * 8} <= exact            # 16 * 7 = 112 and 16 * -8 = -128 per lane
    hi, lo = 2047, -2048
    for r in lines:
        want = r["acc_in"] + sum(ix[a] * iw[b] for a, b in zip(r["x"], r["w"]))
        assert r["exact"] == want and r["acc"] == min(max(want, lo), hi) and r["ovf"] == int(not lo <= want <= hi)
    limits = {(r["exact"], r["ovf"]) for r in lines[:20]}
    assert {(hi, 0), (hi + 1, 1), (lo, 0), (lo - 1, 1)} <= limits


def test_mac_packs_refuse_a_format_without_an_integer_mapping():
    from fp4ref.golden.mac_pack import MacPackSpec
    with pytest.raises(ValueError, match="sf4_nu5 has no integer mapping"):
        MacPackSpec("product", "sf4_nu5", "e2m1")


# ---- the command line, as a user runs it ---------------------------------------------------------
def run(*args):
    proc = subprocess.run([sys.executable, "-m", "fp4ref", *args], capture_output=True, text=True, timeout=300)
    return proc.returncode, proc.stdout, proc.stderr


def test_fp4ref_width_takes_a_lookup_format():
    rc, out, err = run("width", "--w", "e2m1_sr")
    assert rc == 0 and err == ""
    assert "e2m1_sr: I in -12 .. 16 (value = I * 2^-1)" in out
    assert "largest product  12 * 16 = 192" in out and "= 13 bits" in out
    rc, out, _ = run("width", "--x", "e2m1_sr", "--w", "e2m1_sr", "--lanes", "32", "--acc-w", "14")
    assert rc == 0 and "15 bits" in out and "NOT enough (needs 15)" in out
    rc, out, _ = run("width", "--x", "apot4", "--w", "int4_full", "--shift-max", "2")
    assert rc == 0 and "1/10 is no power of two" in out and "pre-shift range B = 2" in out


@pytest.mark.parametrize("args, message", [
    (["width", "--w", "e2m1_zz"], "fp4ref width: error: unknown format 'e2m1_zz'"),
    (["width", "--x", "nf4"], "fp4ref width: error: nf4 has no integer mapping"),
    (["width", "--x", "e2m1_sr", "--preshift"], "fp4ref width: error: pre-shift range"),
])
def test_fp4ref_width_bad_format_is_one_line(args, message):
    rc, out, err = run(*args)
    assert rc == 2 and out == ""
    assert err.startswith(message) and err.count("\n") == 1
