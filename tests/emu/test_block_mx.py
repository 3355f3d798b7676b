"""OCP MX blocks (emu.block.e8m0, emu.block.mxfp4): E8M0 codes, the four scale rules, Algorithm 1,
block NaN / zero / subnormal rules, bad input (formats.md §2.2-2.5, docs/block.md)."""
from fractions import Fraction

import ml_dtypes
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fp4ref import emu
from fp4ref.emu.block import SCALE_RULES, decode_e8m0, dequantize_mx, quantize_mx, scale_e8m0

F32 = np.float32
ELEMS = ["e2m1", "e2m3", "e3m2", "e4m3", "e5m2"]
ML = {"e2m1": ml_dtypes.float4_e2m1fn, "e2m3": ml_dtypes.float6_e2m3fn, "e3m2": ml_dtypes.float6_e3m2fn,
      "e4m3": ml_dtypes.float8_e4m3fn, "e5m2": ml_dtypes.float8_e5m2}
#: formats.md §2.3: exponent of the largest normal, and the largest magnitude
EMAX = {"e2m1": 2, "e2m3": 2, "e3m2": 4, "e4m3": 8, "e5m2": 15}
MAXV = {"e2m1": 6.0, "e2m3": 7.5, "e3m2": 28.0, "e4m3": 448.0, "e5m2": 57344.0}
BELOW, ABOVE = np.nextafter(F32(8), F32(0)), np.nextafter(F32(8), F32(99))


def f32_bits(v):
    return int(np.asarray(v, F32).view(np.uint32))


# ---- E8M0 decode -------------------------------------------------------------------------------
def test_every_e8m0_code_decodes_to_its_power_of_two():
    got = decode_e8m0(np.arange(256, dtype=np.uint8))
    assert got.dtype == F32
    for c in range(255):
        assert Fraction(float(got[c])) == Fraction(2) ** (c - 127), c
    assert np.isnan(got[255])
    # ml_dtypes float8_e8m0fnu reads the same byte the same way (formats.md §8)
    oracle = np.arange(256, dtype=np.uint8).view(ml_dtypes.float8_e8m0fnu).astype(F32)
    assert np.array_equal(got, oracle, equal_nan=True)


# ---- scale rules: labelled table for E2M1 (exponent e; code = e + 127, NaN = 255) ---------------
# floor = floor(log2 a) - 2; ceil = ceil(log2 a) - 2; even: a rounded half up to 2 significant
# bits, then floor; rceil = ceil(log2 fl32(a / 6)); all clamped below at -127.
SCALE_TABLE = [
    # label,            amax,                  floor, ceil, even, rceil
    ("zero",            0.0,                   -127, -127, -127, -127),
    ("min_subnormal",   2.0 ** -149,           -127, -127, -127, -127),
    ("min_normal",      2.0 ** -126,           -127, -127, -127, -127),
    ("2^-124",          2.0 ** -124,           -126, -126, -126, -126),
    ("1",               1.0,                   -2, -2, -2, -2),
    ("1.5",             1.5,                   -2, -1, -2, -2),
    ("1.75",            1.75,                  -2, -1, -1, -1),
    ("4",               4.0,                   0, 0, 0, 0),
    ("6",               6.0,                   0, 1, 0, 0),
    ("6_up",            float(np.nextafter(F32(6), F32(9))), 0, 1, 0, 1),
    ("7",               7.0,                   0, 1, 1, 1),
    ("8_down",          float(BELOW),          0, 1, 1, 1),
    ("8",               8.0,                   1, 1, 1, 1),
    ("8_up",            float(ABOVE),          1, 2, 1, 1),
    ("2^127",           2.0 ** 127,            125, 125, 125, 125),
    ("flt_max",         float(np.finfo(F32).max), 125, 126, 126, 126),
]


@pytest.mark.parametrize("label, amax, floor, ceil, even, rceil", SCALE_TABLE, ids=[r[0] for r in SCALE_TABLE])
def test_e2m1_scale_rules_on_labelled_amax(label, amax, floor, ceil, even, rceil):
    for rule, e in zip(SCALE_RULES, (floor, ceil, even, rceil)):
        assert int(scale_e8m0(np.asarray([amax], F32), rule, "e2m1")[0]) == e + 127, rule


@pytest.mark.parametrize("rule", SCALE_RULES)
def test_nan_and_inf_amax_give_the_nan_scale(rule):
    assert scale_e8m0(np.asarray([np.nan, np.inf], F32), rule).tolist() == [255, 255]


def _oracle_exp(a: np.ndarray, rule: str, elem: str) -> np.ndarray:
    """Independent of emu.block: exponents read with float64 frexp (a float32 is exact in float64)."""
    man_w = emu.get_format(elem).man_w
    a64 = a.astype(np.float64)
    m, e = np.frexp(a64)                        # a = m * 2^e, m in [0.5, 1)
    floor = np.where(a64 == 0, -126, e - 1)
    ceil = np.where(a64 == 0, -126, np.where(m == 0.5, e - 1, e))
    if rule == "floor":
        out = floor - EMAX[elem]
    elif rule == "ceil":
        out = ceil - EMAX[elem]
    elif rule == "even":
        r = np.floor(m * 2.0 ** (man_w + 1) + 0.5)        # half up at 1 + man_w bits, exact
        out = floor + (r == 2.0 ** (man_w + 1)) - EMAX[elem]
    else:
        q = (a / F32(MAXV[elem])).astype(np.float64)      # the one float32 division of the rule
        mq, eq = np.frexp(q)
        out = np.where(q == 0, -127, np.where(mq == 0.5, eq - 1, eq))
    return np.clip(out, -127, 128)


# every top-16-bit float32 pattern with low halves 0, 1 and 0xFFFF (finite, non-negative)
_SWEEP = np.concatenate([(np.arange(0x7F80, dtype=np.uint32) << 16) | low
                         for low in (0x0000, 0x0001, 0xFFFF)]).view(F32)


@pytest.mark.parametrize("elem", ELEMS)
@pytest.mark.parametrize("rule", SCALE_RULES)
def test_scale_rules_match_a_frexp_oracle_on_a_float32_sweep(rule, elem):
    got = scale_e8m0(_SWEEP, rule, elem).astype(np.int64) - 127
    want = _oracle_exp(_SWEEP, rule, elem)
    bad = np.flatnonzero(got != want)
    assert bad.size == 0, [(float(_SWEEP[i]), int(got[i]), int(want[i])) for i in bad[:5]]


def test_floor_is_exact_where_a_float32_log2_rounds_up():
    # log2f(8 - ulp) rounds to 3.0 in float32, so a float implementation picks 2^1; OCP floor is 2^0
    assert float(np.log2(BELOW)) == 3.0
    assert int(scale_e8m0(np.asarray([BELOW], F32), "floor")[0]) == 127


# ---- Algorithm 1 on blocks ----------------------------------------------------------------------
def _blocks(rng, n):
    """Seeded blocks of several shapes of distribution, scaled over a wide exponent range."""
    kinds = [rng.standard_normal((n, 32)), rng.uniform(-1, 1, (n, 32)),
             np.clip(rng.standard_cauchy((n, 32)), -1e6, 1e6), rng.integers(-16, 17, (n, 32)) / 4.0]
    # 2^-140 makes float32 subnormals; 2^100 * 1e6 stays below FLT_MAX
    x = np.concatenate(kinds) * np.exp2(rng.integers(-140, 100, (4 * n, 1)))
    return x.astype(F32)


@pytest.mark.parametrize("elem", ELEMS)
@pytest.mark.parametrize("rule", SCALE_RULES)
def test_rne_blocks_match_ml_dtypes_casts_of_x_over_x(rule, elem, rng):
    x = _blocks(rng, 64)
    codes, scales = quantize_mx(x, rule, elem)
    X = np.ldexp(1.0, scales.astype(np.int64) - 127)  # [n, 1]: one scale per block     # exact float64
    # the spec's Algorithm 1, step 3: saturate, then the element's RNE cast (ml_dtypes)
    want = np.clip(x / X, -MAXV[elem], MAXV[elem]).astype(F32).astype(ML[elem]).view(np.uint8)
    assert np.array_equal(codes, want)
    assert np.array_equal(scales[:, 0].astype(np.int64) - 127, _oracle_exp(np.abs(x).max(axis=1), rule, elem))


@pytest.mark.parametrize("elem", ELEMS)
def test_rna_blocks_match_microxcaling_nearest(elem, rng):
    x = _blocks(rng, 32)
    codes, scales = quantize_mx(x, "floor", elem, rounding="rna")
    fmt = emu.get_format(elem)
    X = np.ldexp(1.0, scales.astype(np.int64) - 127)  # [n, 1]: one scale per block
    a = np.abs(x / X)
    # microxcaling _quantize_elemwise_core "nearest": private exponent max(floor(log2|A|), emin),
    # then sign * floor(|A| / 2^(e - m) + 0.5) * 2^(e - m), saturated to max
    e = np.maximum(np.frexp(a)[1] - 1, fmt.emin)
    step = np.ldexp(1.0, e - fmt.man_w)
    want = np.copysign(np.minimum(np.floor(a / step + 0.5) * step, MAXV[elem]), x)
    got = emu.decode(codes, elem)
    assert np.array_equal(got, want) and np.array_equal(np.signbit(got), np.signbit(want))


def test_floor_clips_the_block_max_and_ceil_does_not():
    # formats.md §2.4: E2M1, [7, 0.1 x 31]: floor X = 2^0, 7 -> 6; ceil X = 2^1, 7/2 = 3.5 -> 4 (RNE)
    x = np.full(32, 0.1, F32)
    x[0] = 7
    codes, scales = quantize_mx(x, "floor")
    assert scales.tolist() == [127] and codes[0] == 0b0_11_1 and not codes[1:].any()   # +6.0
    codes, scales = quantize_mx(x, "ceil")
    assert scales.tolist() == [128] and codes[0] == 0b0_11_0                          # +4.0 = 8 / 2
    assert dequantize_mx(codes, scales)[0] == 8.0


# With amax 5 the floor scale is 2^0: the inputs are the spec's E2M1 tie table (formats.md §2.4).
TIES = [0.25, 0.75, 1.25, 1.75, 2.5, 3.5, 5.0, -5.0]
RNA_VALUES = [0.5, 1, 1.5, 2, 3, 4, 6, -6]
RNE_VALUES = [0, 1, 1, 2, 2, 4, 4, -4]


@pytest.mark.parametrize("rounding, want", [("rne", RNE_VALUES), ("rna", RNA_VALUES)])
def test_element_ties_follow_the_rounding_mode(rounding, want):
    x = np.zeros(32, F32)
    x[:8] = TIES
    codes, scales = quantize_mx(x, "floor", rounding=rounding)
    assert scales.tolist() == [127]
    assert dequantize_mx(codes, scales)[:8].tolist() == want


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("rule", SCALE_RULES)
def test_one_nan_or_inf_makes_its_whole_block_nan(bad, rule, rng):
    x = rng.standard_normal((3, 64)).astype(F32)
    x[1, 40] = bad
    codes, scales = quantize_mx(x, rule)
    clean_codes, clean_scales = quantize_mx(np.where(np.isfinite(x), x, 0), rule)
    assert scales[1, 1] == 0xFF and not codes[1, 32:].any()
    keep = np.ones_like(scales, bool)
    keep[1, 1] = False
    assert np.array_equal(scales[keep], clean_scales[keep])
    assert np.array_equal(codes.reshape(3, 2, 32)[keep], clean_codes.reshape(3, 2, 32)[keep])
    y = dequantize_mx(codes, scales)
    assert np.isnan(y[1, 32:]).all() and not np.isnan(np.delete(y[1], np.s_[32:])).any()


@pytest.mark.parametrize("rule", SCALE_RULES)
def test_all_zero_block_gets_the_smallest_scale_and_signed_zero_codes(rule):
    x = np.zeros(32, F32)
    x[3] = -0.0
    codes, scales = quantize_mx(x, rule)
    assert scales.tolist() == [0]
    assert codes[3] == 0b1_00_0 and np.count_nonzero(codes) == 1
    y = dequantize_mx(codes, scales)
    assert (y == 0).all() and np.signbit(y[3]) and np.signbit(y).sum() == 1


def test_float32_subnormals_are_converted_unless_flushed():
    # amax 2^-127 (a float32 subnormal): floor gives 2^-129, clamped to X = 2^-127
    x = np.zeros(32, F32)
    x[0], x[1], x[2] = 2.0 ** -127, -(2.0 ** -128), 2.0 ** -149
    codes, scales = quantize_mx(x)
    assert scales.tolist() == [0]
    assert codes[:3].tolist() == [0b0_01_0, 0b1_00_1, 0b0_00_0]     # +1.0, -0.5, +0 (2^-22 -> 0)
    assert dequantize_mx(codes, scales)[:2].tolist() == [2.0 ** -127, -(2.0 ** -128)]
    flushed, fscales = quantize_mx(x, flush_subnormals=True)
    assert fscales.tolist() == [0] and flushed[:3].tolist() == [0b0_00_0, 0b1_00_0, 0b0_00_0]


def test_exponent_clamps_at_minus_127_for_tiny_normal_blocks():
    x = np.zeros(32, F32)
    x[0] = 2.0 ** -126                  # floor: -126 - 2 = -128 -> -127, so x / X = 2
    codes, scales = quantize_mx(x)
    assert scales.tolist() == [0] and codes[0] == 0b0_10_0   # +2.0 = 1.0 * 2^1


def test_dequantize_beyond_float32_is_inf_and_nan_scale_is_nan():
    codes = np.full(64, 0b0_11_1, np.uint8)                    # +6.0
    y = dequantize_mx(codes, np.array([254, 255], np.uint8))   # 6 * 2^127 > FLT_MAX
    assert np.isposinf(y[:32]).all() and np.isnan(y[32:]).all()


@pytest.mark.parametrize("rule, overflows", [("floor", False), ("ceil", True), ("even", True), ("rceil", True)])
def test_near_flt_max_the_rounding_up_rules_dequantize_to_inf(rule, overflows):
    # amax = FLT_MAX: floor X = 2^125 (6X = 1.5 * 2^127 fits); the others X = 2^126 and
    # FLT_MAX / 2^126 = 4 - 2^-22 rounds to 4, and 4 * 2^126 = 2^128 is beyond float32
    x = np.zeros(32, F32)
    x[0] = np.finfo(F32).max
    y = dequantize_mx(*quantize_mx(x, rule))
    assert bool(np.isposinf(y[0])) == overflows
    if not overflows:
        assert y[0] == 1.5 * 2.0 ** 127


def test_leading_axes_are_kept(rng):
    x = rng.standard_normal((2, 3, 64)).astype(F32)
    codes, scales = quantize_mx(x)
    assert codes.shape == (2, 3, 64) and scales.shape == (2, 3, 2)
    flat_codes, flat_scales = quantize_mx(x.reshape(6, 64))
    assert np.array_equal(codes.reshape(6, 64), flat_codes) and np.array_equal(scales.reshape(6, 2), flat_scales)


# ---- properties -----------------------------------------------------------------------------------
# |x| <= 2^127: above 1.75 * 2^127 the rounding-up rules can dequantize to 2^128 = inf (see below)
blocks32 = st.lists(st.floats(-2.0 ** 127, 2.0 ** 127, width=32), min_size=32, max_size=32).map(
    lambda v: np.array(v, F32))


@given(blocks32, st.sampled_from(SCALE_RULES), st.sampled_from(["rne", "rna"]))
def test_requantizing_a_dequantized_block_changes_no_value(x, rule, rounding):
    y = dequantize_mx(*quantize_mx(x, rule, rounding=rounding))
    assert np.array_equal(dequantize_mx(*quantize_mx(y, rule, rounding=rounding)), y)


@given(blocks32, st.sampled_from(SCALE_RULES))
def test_negating_the_block_flips_only_the_sign_bits(x, rule):
    codes, scales = quantize_mx(x, rule)
    neg_codes, neg_scales = quantize_mx(-x, rule)
    assert np.array_equal(neg_scales, scales) and np.array_equal(neg_codes, codes ^ 0b1_00_0)


@given(blocks32, st.sampled_from(["ceil", "rceil"]))
def test_rules_that_never_clip_keep_every_error_within_one_scale_step(x, rule):
    codes, scales = quantize_mx(x, rule)
    X = np.ldexp(1.0, int(scales[0]) - 127)
    # E2M1's widest gap is 2 (between 4 and 6), so the nearest value is at most X away
    assert (np.abs(dequantize_mx(codes, scales).astype(np.float64) - x) <= X).all()


# ---- bad input ------------------------------------------------------------------------------------
@pytest.mark.parametrize("call, message", [
    (lambda: quantize_mx(np.zeros(33, F32)), "multiple of the block size 32"),
    (lambda: quantize_mx(np.float32(1.0)), "multiple of the block size 32"),
    (lambda: quantize_mx(np.zeros(32, np.int32)), "must be a float array"),
    (lambda: quantize_mx(np.zeros(32, F32), rule="round"), "rule: must be one of"),
    (lambda: quantize_mx(np.zeros(32, F32), rounding="half_up"), "rounding: must be one of"),
    (lambda: quantize_mx(np.zeros(32, F32), elem="e3m0"), "MX elements are"),
    (lambda: quantize_mx(np.zeros(32, F32), elem="nope"), "unknown format"),
    (lambda: dequantize_mx(np.zeros(32, np.uint8), np.zeros(2, np.uint8)), "need scales"),
    (lambda: dequantize_mx(np.zeros(33, np.uint8), np.zeros(1, np.uint8)), "need scales"),
    (lambda: dequantize_mx(np.full(32, 16, np.uint8), np.zeros(1, np.uint8)), "outside e2m1"),
    (lambda: dequantize_mx(np.zeros(32, np.uint8), np.array([256])), "E8M0 codes are integers"),
    (lambda: decode_e8m0(np.array([1.0])), "E8M0 codes are integers"),
    (lambda: scale_e8m0(np.array([1.0])), "float32"),
    (lambda: scale_e8m0(np.array([-1.0], F32)), ">= 0"),
])
def test_bad_input_is_a_one_line_value_error(call, message):
    with pytest.raises(ValueError, match=message) as info:
        call()
    assert "\n" not in str(info.value)
