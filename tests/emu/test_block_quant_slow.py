"""The exact block-quantizer references (emu/block/slow.py) against hand-worked cases.

Expected values are derived by hand from docs/block.md §3 (the worked table), §4, §5, §10 and
docs/encoding.md §3 (E2M1 grid 0, 0.5, 1, 1.5, 2, 3, 4, 6 = codes 0..7, sign in bit 3).
"""
import struct
from fractions import Fraction

import pytest

from fp4ref.emu.block.slow import (INEXACT, OVERFLOW, UNDERFLOW, floor_log2, ieee_value, round_f32,
                            slow_mx_quant, slow_nvfp4_quant)


def f32(x: float) -> int:
    """Bit pattern of a float that is exactly a float32 (checked)."""
    bits = struct.unpack("<I", struct.pack("<f", x))[0]
    assert struct.unpack("<f", struct.pack("<I", bits))[0] == x
    return bits


NEG0, INF, NINF, NAN = 0x80000000, 0x7F800000, 0xFF800000, 0x7FC00000


def cases(rows):
    return [pytest.param(*row[1:], id=row[0]) for row in rows]


# ---- helpers -----------------------------------------------------------------------------------
def test_floor_log2_and_f32_rounding():
    assert [floor_log2(Fraction(v)) for v in (1, 2, 3, 4, Fraction(1, 3), Fraction(1, 4))] == \
        [0, 1, 1, 2, -2, -2]
    assert round_f32(Fraction(1) + Fraction(1, 2 ** 24)) == (0x3F800000, INEXACT)      # tie: even
    assert round_f32(Fraction(1) + Fraction(3, 2 ** 24)) == (0x3F800002, INEXACT)      # tie: even up
    assert round_f32(Fraction(1, 2 ** 150)) == (0, INEXACT | UNDERFLOW)
    assert round_f32(Fraction(2 ** 128)) == (INF, OVERFLOW | INEXACT)
    assert ieee_value(0x7C00, "float16") == ("inf", 0, 0)
    assert ieee_value(0x0001, "float16") == ("fin", 0, Fraction(1, 2 ** 24))
    assert ieee_value(0xBF80, "bfloat16") == ("fin", 1, 1)


# ---- mx_quant: the §3 worked table (amax in element 0, the others +0) ---------------------------
WORKED = [  # amax bits, floor, ceil, even, rceil
    ("0", 0, 0x00, 0x00, 0x00, 0x00),
    ("2^-149", 0x00000001, 0x00, 0x00, 0x00, 0x00),
    ("1.0", f32(1.0), 0x7D, 0x7D, 0x7D, 0x7D),
    ("1.5", f32(1.5), 0x7D, 0x7E, 0x7D, 0x7D),
    ("1.75", f32(1.75), 0x7D, 0x7E, 0x7E, 0x7E),
    ("6.0", f32(6.0), 0x7F, 0x80, 0x7F, 0x7F),
    ("6.0000005", f32(6.0) + 1, 0x7F, 0x80, 0x7F, 0x80),
    ("7.0", f32(7.0), 0x7F, 0x80, 0x80, 0x80),
    ("8-2^-21", f32(8.0) - 1, 0x7F, 0x80, 0x80, 0x80),
    ("8.0", f32(8.0), 0x80, 0x80, 0x80, 0x80),
    ("FLT_MAX", 0x7F7FFFFF, 0xFC, 0xFD, 0xFD, 0xFD),
    ("Inf", INF, 0xFF, 0xFF, 0xFF, 0xFF),
    ("NaN", NAN, 0xFF, 0xFF, 0xFF, 0xFF),
]


@pytest.mark.parametrize("amax, floor, ceil, even, rceil", cases(WORKED))
def test_mx_worked_table(amax, floor, ceil, even, rceil):
    for rule, want in zip(("floor", "ceil", "even", "rceil"), (floor, ceil, even, rceil)):
        scale, codes = slow_mx_quant([amax] + [0] * 31, rule=rule)
        assert scale == want, rule
        # the amax element itself: clips to 6 at floor (amax/X in [4, 8)); whole-block NaN: 0
        if want == 0xFF:
            assert codes == [0] * 32


def test_mx_amax_element_codes():
    # 1.75 floor: X = 2^-2, 7 -> saturates to 6 (0x7); ceil: X = 2^-1, 3.5 -> RNE tie 3|4 -> 4 (0x6)
    assert slow_mx_quant([f32(1.75)] + [0] * 31, rule="floor")[1][0] == 0x7
    assert slow_mx_quant([f32(1.75)] + [0] * 31, rule="ceil")[1][0] == 0x6
    # FLT_MAX under ceil: X = 2^126, amax/X = 3.99999976 -> 4 (0x6), which dequantizes to 2^128
    assert slow_mx_quant([0x7F7FFFFF] + [0] * 31, rule="ceil") == (0xFD, [0x6] + [0] * 31)


# ---- mx_quant: elements (§4, §10) ---------------------------------------------------------------
def block(*head):
    return list(head) + [0] * (32 - len(head))


def test_mx_elements_rne():
    # amax 7 -> floor scale 0x7F (X = 1): 7 -> 6, -1 -> 0xA, 2^-127 -> +0, -0 -> 0x8
    scale, codes = slow_mx_quant(block(f32(7.0), f32(-1.0), 0x00400000, NEG0))
    assert scale == 0x7F
    assert codes[:5] == [0x7, 0xA, 0x0, 0x8, 0x0]


def test_mx_subnormal_inputs_are_kept():
    # §4: X = 2^-127: 2^-127 -> 1.0 (0x2), -2^-128 -> -0.5 (0x9)
    assert slow_mx_quant(block(0x00400000, 0x80200000)) == (0x00, block(0x2, 0x9))


def test_mx_zero_block_keeps_signs():
    assert slow_mx_quant(block(NEG0, 0, NEG0)) == (0x00, block(0x8, 0x0, 0x8))


@pytest.mark.parametrize("bad", [INF, NINF, NAN, 0xFFC00001])
def test_mx_nonfinite_makes_the_block_nan(bad):
    x = block(f32(1.0), f32(-3.0))
    x[17] = bad
    for rule in ("floor", "ceil", "even", "rceil"):
        assert slow_mx_quant(x, rule=rule) == (0xFF, [0] * 32)


# X = 1 (amax 6, floor): ties of E2M1 per mode (docs/encoding.md §3.4)
TIES = [  # value, rne, rna, rtz, rup, rdn
    ("0.25", 0.25, 0x0, 0x1, 0x0, 0x1, 0x0),
    ("0.75", 0.75, 0x2, 0x2, 0x1, 0x2, 0x1),
    ("2.5", 2.5, 0x4, 0x5, 0x4, 0x5, 0x4),
    ("5", 5.0, 0x6, 0x7, 0x6, 0x7, 0x6),
    ("-2.5", -2.5, 0xC, 0xD, 0xC, 0xC, 0xD),
    ("-0.25", -0.25, 0x8, 0x9, 0x8, 0x8, 0x9),
    ("1.25", 1.25, 0x2, 0x3, 0x2, 0x3, 0x2),
]


@pytest.mark.parametrize("value, rne, rna, rtz, rup, rdn", cases(TIES))
def test_mx_element_modes(value, rne, rna, rtz, rup, rdn):
    for mode, want in zip(("rne", "rna", "rtz", "rup", "rdn"), (rne, rna, rtz, rup, rdn)):
        scale, codes = slow_mx_quant(block(f32(6.0), f32(value)), rounding=mode)
        assert (scale, codes[0], codes[1]) == (0x7F, 0x7, want), mode


def test_mx_element_sr():
    # 2.25 with X = 1: lo 2, hi 3, F = floor(0.25 * 256) = 64: hi iff 64 + rand >= 256
    x = block(f32(6.0), f32(2.25), f32(-2.25), f32(3.0))
    for r, want in ((0, 0x4), (191, 0x4), (192, 0x5), (255, 0x5)):
        rand = [r] * 32
        codes = slow_mx_quant(x, rounding="sr", rand=rand)[1]
        assert codes[1:4] == [want, want | 0x8, 0x5]       # exact 3.0 ignores rand
    with pytest.raises(ValueError):
        slow_mx_quant(x, rounding="sr")


def test_mx_rup_of_a_tiny_element_is_the_smallest_subnormal():
    # amax 2^100 (floor: X = 2^98): 2^-149 / X = 2^-247 > 0 -> rup gives 0.5 (0x1), rdn of its
    # negative gives -0.5 (0x9); x_i / 2^e is read exactly (docs/block.md §10)
    x = block(f32(2.0 ** 100), 0x00000001, 0x80000001)
    assert slow_mx_quant(x, rounding="rup") == (0x7F + 98, block(0x6, 0x1, 0x8))
    assert slow_mx_quant(x, rounding="rdn") == (0x7F + 98, block(0x6, 0x0, 0x9))


def test_mx_sources_read_exactly():
    # 6.0: float16 0x4600, bfloat16 0x40C0; -1.0: 0xBC00, 0xBF80; float16 Inf 0x7C00
    assert slow_mx_quant(block(0x4600, 0xBC00), src="float16") == (0x7F, block(0x7, 0xA))
    assert slow_mx_quant(block(0x40C0, 0xBF80), src="bfloat16") == (0x7F, block(0x7, 0xA))
    assert slow_mx_quant(block(0x0001, 0x8000), src="float16") == (0x7F - 26, block(0x6, 0x8))
    assert slow_mx_quant(block(0x4600, 0x7C00), src="float16") == (0xFF, [0] * 32)
    assert slow_mx_quant(block(0x7FC0), src="bfloat16") == (0xFF, [0] * 32)


# ---- nvfp4_quant (§5, §10) ------------------------------------------------------------------------
ONE = f32(1.0)


def nblock(*head):
    return list(head) + [0] * (16 - len(head))


NV = [  # id, x head, ts, scale, code head
    ("one-level amax 6", (f32(6.0), f32(-1.5), f32(2.5)), ONE, 0x38, (0x7, 0xB, 0x4)),
    ("scale tie 1.0625 -> 1.0", (f32(6.375),), ONE, 0x38, (0x7,)),           # 6.375/1 -> 6
    ("scale tie 1.1875 -> 1.25", (f32(7.125),), ONE, 0x3A, (0x7,)),          # 7.125/1.25 = 5.7
    ("scale 300 -> 288", (f32(1800.0), f32(288.0 * 2.5)), ONE, 0x79, (0x7, 0x4)),
    ("clamp 448", (f32(3000.0), f32(448.0)), ONE, 0x7E, (0x7, 0x2)),
    ("clamp 2^-6", (f32(2.0 ** -5), f32(-(2.0 ** -8)), f32(0.01171875)), ONE, 0x08,
     (0x4, 0x8, 0x2)),                          # / 2^-6: 2; -0.25 tie -> -0; 0.75 tie -> 1
    ("two-level ts 2^-4", (f32(6.0), f32(-3.0)), f32(2.0 ** -4), 0x58, (0x7, 0xD)),
    ("zero block, ts 0 (0/0)", (NEG0, 0), 0, 0x08, (0x8, 0x0)),
    ("zero block, ts -0", (0, NEG0), NEG0, 0x08, (0x0, 0x8)),
    ("zero block, ts 1", (NEG0,), ONE, 0x08, (0x8,)),
    ("ts 0, non-zero block: x/0 = Inf", (f32(6.0), f32(-0.5), NEG0), 0, 0x7E, (0x7, 0xF, 0x8)),
    ("NaN input", (f32(1.0), NAN), ONE, 0x7F, (0, 0)),
    ("-Inf input", (NINF,), ONE, 0x7F, (0,)),
    ("ts NaN", (f32(1.0),), NAN, 0x7F, (0,)),
    ("ts Inf", (f32(1.0),), INF, 0x7F, (0,)),
    ("ts negative", (f32(1.0),), f32(-1.0), 0x7F, (0,)),
    ("ts -2^-149", (f32(1.0),), 0x80000001, 0x7F, (0,)),
]


@pytest.mark.parametrize("head, ts, scale, codes", cases(NV))
def test_nvfp4_hand_cases(head, ts, scale, codes):
    got_scale, got = slow_nvfp4_quant(nblock(*head), ts)
    assert got_scale == scale
    assert got[:len(codes)] == list(codes)
    if scale == 0x7F:
        assert got == [0] * 16


def test_nvfp4_element_division_is_one_float32_op_then_the_mode():
    # ts = 1 + 2^-23, amax 6: q = fl32(1 / ts) = 1 - 2^-23 -> s_b = 1.0 (0x38), total = 1 + 2^-23.
    # x = 2.5 + 2^-22: x / total = 2.5 - 0.25 * 2^-22 - ... -> fl32 -> 2.5 exactly (a tie), so
    # rna gives 3 (0x5) although the exact quotient is below 2.5; rne 2 (0x4); rtz 2; rup 3.
    ts = f32(1.0) + 1
    x = nblock(f32(6.0), f32(2.5) + 1)
    for mode, want in (("rne", 0x4), ("rna", 0x5), ("rtz", 0x4), ("rup", 0x5), ("rdn", 0x4)):
        scale, codes = slow_nvfp4_quant(x, ts, rounding=mode)
        assert (scale, codes[1]) == (0x38, want), mode
    # 6 / (1 + 2^-23) -> fl32 6 - 2^-21: rtz gives 4 (0x6), rne 6 (0x7)
    assert slow_nvfp4_quant(x, ts, rounding="rtz")[1][0] == 0x6
    assert slow_nvfp4_quant(x, ts)[1][0] == 0x7


def test_nvfp4_sr_and_sources():
    # one-level amax 6: 2.25 -> F = 64: hi (3, 0x5) iff rand >= 192
    x = nblock(f32(6.0), f32(2.25))
    assert slow_nvfp4_quant(x, ONE, rounding="sr", rand=[191] * 16)[1][1] == 0x4
    assert slow_nvfp4_quant(x, ONE, rounding="sr", rand=[192] * 16)[1][1] == 0x5
    # float16 6.0 (0x4600), -1.0 (0xBC00); bfloat16 NaN
    assert slow_nvfp4_quant(nblock(0x4600, 0xBC00), ONE, src="float16") == (0x38, nblock(0x7, 0xA))
    assert slow_nvfp4_quant(nblock(0x7FC1), ONE, src="bfloat16") == (0x7F, [0] * 16)


def test_bad_input_is_a_value_error():
    with pytest.raises(ValueError):
        slow_mx_quant([0] * 31)
    with pytest.raises(ValueError):
        slow_mx_quant([0] * 32, rule="round")
    with pytest.raises(ValueError):
        slow_mx_quant([0] * 32, src="float64")
    with pytest.raises(ValueError):
        slow_nvfp4_quant([0] * 16, ONE, rounding="rnd")
