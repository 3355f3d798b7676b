"""Lookup formats (emu.lookup): the stored constants, integer mappings, nearest-value encoding
with every tie rule against a brute-force exact reference, and the llm-datatypes /
bitsandbytes behaviours recorded in formats.md."""
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, strategies as st

from fp4ref.emu.lookup import TIES, decode, decode_int, encode, get_lookup, lookup_names

F32 = np.float32


def f32(bits: int) -> float:
    return float(np.array(bits, dtype=np.uint32).view(np.float32))


# (format, code, value) rows copied from formats.md, not from emu/lookup_tables.py
INTERESTING = [
    ("e2m1_sr", 0b1000, 8.0), ("e2m1_sr", 0b0111, 6.0), ("e2m1_sr", 0b1111, -6.0),
    ("e2m1_sp", 0b1000, 5.0), ("e2m1_p25", 0b1000, 2.5), ("apot4_sp", 0b1000, 0.5),
    ("apot4", 0b0101, 0.6), ("apot4", 0b1111, -1.0), ("e3m0_log", 0b0111, 16.0),
    ("e3m0_log", 0b0001, 0.25), ("e2m1_i", 0b0001, 0.0625), ("e1m2_ld", 0b0001, 1.25),
    ("e2m1_nosub_ld", 0b1001, -0.75),
    ("nf4", 0b0000, -1.0), ("nf4", 0b0111, 0.0), ("nf4", 0b1000, 0.07958029955625534),
    ("nf4", 0b0001, -0.6961928009986877), ("sf4_nu5", 0b0001, -0.627781),
    ("sf4_nu5", 0b1110, 0.656781), ("sf4_nu7", 0b1110, 0.6770872505232854),
    ("sf4_nu3", 0b1000, 0.055934),
    ("bnb_fp4", 0b0001, 0.0052083334885537624), ("bnb_fp4", 0b0010, 0.6666666865348816),
    ("bnb_fp4", 0b0011, 1.0), ("bnb_fp4", 0b1110, -0.1666666716337204), ("bnb_fp4", 0b1000, -0.0),
    ("int4_sym", 0b1001, -7.0), ("int4_full", 0b1000, -8.0), ("int4_asym", 0b1111, 15.0),
    ("e2m1", 0b1000, -0.0), ("e2m1", 0b0001, 0.5), ("e1m2", 0b0111, 3.5), ("e3m0", 0b0001, 0.25),
]
UNUSED = [("apot4", 8), ("e3m0_log", 8), ("int4_sym", 8), ("e2m1_i", 8), ("e1m2_ld", 8)]


@pytest.mark.parametrize("name,code,value", INTERESTING)
def test_stored_constants(name, code, value):
    got = decode(np.array([code]), name)[0]
    assert got.view(np.uint32) == np.float32(value).view(np.uint32)


@pytest.mark.parametrize("name,code", UNUSED)
def test_unused_codes_refuse(name, code):
    assert not get_lookup(name).valid[code]
    with pytest.raises(ValueError, match="not used"):
        decode(np.array([code]), name)


def test_bnb_fp4_cuda_literals():
    # the CUDA fp4_dequantization_lut literals are float32(raw / 12) (formats.md §4.2)
    bits = get_lookup("bnb_fp4").f32_bits
    assert bits[:8] == (0, 0x3BAAAAAB, 0x3F2AAAAB, 0x3F800000, 0x3EAAAAAB, 0x3F000000, 0x3E2AAAAB, 0x3E800000)


@pytest.mark.parametrize("name", lookup_names())
def test_integer_mapping_matches_constants(name):
    fmt = get_lookup(name)
    if fmt.ints is None:
        with pytest.raises(ValueError, match="no integer mapping"):
            decode_int(np.arange(16), fmt)
        return
    for code in range(16):
        if fmt.valid[code]:
            exact = fmt.ints[code] * fmt.unit
            # the stored constant is the float32 nearest to I * unit (0.1 is not exact in binary)
            assert np.float32(float(exact)) == np.float32(f32(fmt.f32_bits[code])), code
            if fmt.scale_rule != "asym":
                assert abs(fmt.ints[code]) < 2 ** (fmt.int_width - 1) or fmt.ints[code] == -2 ** (fmt.int_width - 1)


@pytest.mark.parametrize("name", lookup_names())
def test_every_code_round_trips(name):
    fmt = get_lookup(name)
    codes = np.array([c for c in range(16) if fmt.valid[c]])
    back = encode(decode(codes, fmt), fmt)
    v = decode(codes, fmt)
    # every code comes back, except that +0 and -0 share a value (the -0 code needs a negative sign)
    same = (back == codes) | (v == 0)
    assert same.all(), codes[~same]


def slow_encode(x: float, fmt, tie: str) -> int:
    """Brute force over the codes with exact rationals: nearest value, then the tie rule."""
    vals = {}
    for c in range(16):
        if fmt.valid[c]:
            v = f32(fmt.f32_bits[c])
            if v == 0 and np.signbit(v):
                continue
            vals[c] = Fraction(v)
    if np.isinf(x):
        x = 1e300 if x > 0 else -1e300
    fx = Fraction(float(x))
    best = min(abs(v - fx) for v in vals.values())
    near = sorted((vals[c], c) for c in vals if abs(vals[c] - fx) == best)
    if len(near) == 1:
        code = near[0][1]
    else:
        (lo, clo), (hi, chi) = near
        code = {"down": clo, "zero": clo if abs(lo) < abs(hi) else chi,
                "lower_code": min(clo, chi), "even": chi if chi % 2 == 0 and clo % 2 == 1 else clo}[tie]
    if vals[code] == 0 and fmt.negzero != "none":
        neg = np.signbit(x) if fmt.negzero == "signbit" else x < 0
        if neg:
            code = [c for c in range(16) if fmt.valid[c] and f32(fmt.f32_bits[c]) == 0
                    and np.signbit(f32(fmt.f32_bits[c]))][0]
    return code


def probe_points(fmt) -> np.ndarray:
    """Every value, every midpoint, one float32 ulp either side, beyond the ends, signed zeros."""
    vals = sorted({f32(b) for b, ok in zip(fmt.f32_bits, fmt.valid) if ok})
    mids = [(a + b) / 2 for a, b in zip(vals[:-1], vals[1:])]
    pts = np.array(vals + mids + [2 * vals[-1], 2 * vals[0] - 1, 1e30, -1e30, 0.0, -0.0, 1e-30, -1e-30,
                                  np.inf, -np.inf], dtype=F32)
    return np.concatenate([pts, np.nextafter(pts, F32(np.inf)), np.nextafter(pts, F32(-np.inf))])


@pytest.mark.parametrize("name", lookup_names())
def test_encode_matches_brute_force_every_tie_rule(name):
    fmt = get_lookup(name)
    x = probe_points(fmt)
    for tie in TIES:
        if tie == "even" and fmt.layout == "index":
            with pytest.raises(ValueError, match="not defined"):
                encode(x, fmt, tie)
            continue
        got = encode(x, fmt, tie)
        want = np.array([slow_encode(float(v), fmt, tie) for v in x])
        bad = np.flatnonzero(got != want)
        assert bad.size == 0, (tie, x[bad[:5]], got[bad[:5]], want[bad[:5]])


@given(st.floats(width=32, allow_nan=False), st.sampled_from(lookup_names()))
def test_encode_is_nearest(x, name):
    fmt = get_lookup(name)
    code = int(encode(np.array([x], dtype=F32), fmt)[0])
    assert code == slow_encode(x, fmt, fmt.default_tie)


def test_llm_datatypes_ties_go_down():
    # formats.md §5.3 observations on FP4_BASIC (= the e2m1 grid), ties toward -inf
    x = np.array([0.25, -0.25, 0.75, -0.75, 2.5, 5, -5], dtype=F32)
    got = decode(encode(x, "e2m1", tie="down"), "e2m1")
    assert got.tolist() == [0, -0.5, 0.5, -1, 2, 4, -6]
    # the OCP rule (even) differs at 0.25 (-> 0 both signs), -0.75, 5 and -5
    assert decode(encode(x, "e2m1", tie="even"), "e2m1").tolist() == [0, -0.0, 1, -1, 2, 4, -4]


def test_bnb_fp4_cuda_decision_tree():
    """bitsandbytes' literal thresholds (formats.md §4.3) against tie='zero': they agree except
    where the literal 0.583333 sits 3e-7 below 7/12."""
    def bnb(x):
        sign = 0b1000 if x < 0 else 0
        a = abs(x)
        if a > 0.29166667:
            if a > 0.583333:
                return sign | (0b011 if a > 0.8333333 else 0b010)
            return sign | (0b101 if a > 0.4166667 else 0b100)
        if a > 0.0859375:
            return sign | (0b111 if a > 0.20833333 else 0b110)
        return sign | (0b001 if a > 0.00260417 else 0b000)

    rng = np.random.default_rng(20261124)
    x = np.concatenate([rng.uniform(-1, 1, 20000), rng.uniform(-0.01, 0.01, 2000)]).astype(F32)
    got = encode(x, "bnb_fp4", tie="zero")
    want = np.array([bnb(float(v)) for v in x])
    gap = (np.abs(x) > F32(0.583333)) & (np.abs(x) <= np.float64(7) / 12)
    assert (got[~gap] == want[~gap]).all()
    edge = np.array([np.nextafter(F32(0.583333), F32(1))], dtype=F32)   # inside the gap
    assert encode(edge, "bnb_fp4", tie="zero")[0] == 0b101 and bnb(float(edge[0])) == 0b010


NF4_CUDA_THRESHOLDS = (  # formats.md §4.3, tree order; CUDA compares float32 x > float32 literal
    0.03979014977812767, 0.3893125355243683, 0.6427869200706482, 0.8614784181118011,
    0.5016634166240692, 0.2035212516784668, 0.2920137718319893, 0.1202552504837513,
    -0.33967943489551544, -0.13791173323988914, -0.045525018125772476, -0.23460740596055984,
    -0.6106329262256622, -0.4599952697753906, -0.8480964004993439)


def test_nf4_cuda_thresholds_strict_greater(rng):
    """bitsandbytes NF4 CUDA: code = number of thresholds below x (strict >, ties to the lower
    code). Same as tie='lower_code' except within float32 rounding of a threshold."""
    t = np.sort(np.array(NF4_CUDA_THRESHOLDS, dtype=F32))
    fmt = get_lookup("nf4")
    vals = [f32(b) for b in fmt.f32_bits]
    exact_mids = np.array([(a + b) / 2 for a, b in zip(vals[:-1], vals[1:])])
    assert np.array_equal(exact_mids.astype(F32), t)          # the literals are our midpoints, rounded
    x = np.concatenate([rng.uniform(-1.1, 1.1, 50000).astype(F32), t, np.nextafter(t, F32(2)),
                        np.nextafter(t, F32(-2))]).astype(F32)
    cuda = (x[:, None] > t[None, :]).sum(axis=1)
    got = encode(x, fmt, "lower_code")
    lo, hi = np.minimum(exact_mids, t), np.maximum(exact_mids, t)
    gap = ((x[:, None] >= lo) & (x[:, None] <= hi)).any(axis=1)
    assert (got[~gap] == cuda[~gap]).all()
    assert gap.sum() < 60                                     # only the points next to a threshold


@pytest.mark.parametrize("bad,match", [
    (lambda: get_lookup("nf5"), "unknown lookup format"),
    (lambda: decode(np.array([16]), "nf4"), "outside 0..15"),
    (lambda: decode(np.array([-1]), "nf4"), "outside 0..15"),
    (lambda: decode(np.array([1.0]), "nf4"), "must be integers"),
    (lambda: encode(np.array([np.nan], dtype=F32), "nf4"), "NaN"),
    (lambda: encode(np.array([1, 2]), "nf4"), "float array"),
    (lambda: encode(np.array([1.0], dtype=F32), "nf4", "up"), "unknown tie rule"),
])
def test_bad_input_is_one_line_error(bad, match):
    with pytest.raises(ValueError, match=match) as e:
        bad()
    assert "\n" not in str(e.value)


# ---- widths other than 4 bits: the 3-bit integer grids --------------------------------------------

def test_lookup_names_are_4_bit_unless_asked():
    """The 4-bit list every table, RTL decoder and bench iterates is unchanged; the 3-bit integer
    grids are there for whoever asks for 3 bits (quant.grids)."""
    assert all(get_lookup(n).bits == 4 for n in lookup_names())
    assert lookup_names(3) == ("int3_sym", "int3_asym")
    assert set(lookup_names(None)) == set(lookup_names()) | set(lookup_names(3))
    with pytest.raises(ValueError, match="unknown lookup format 'int3_sym'; known: e2m1_sr"):
        get_lookup("int3_sym")


def test_int3_grids_are_data_like_int4():
    s, a = get_lookup("int3_sym", bits=3), get_lookup("int3-asym", bits=None)
    assert (s.bits, s.layout, s.scale_rule, s.default_tie, s.unit) == (3, "twos", "max", "even", 1)
    assert (a.bits, a.layout, a.scale_rule, a.default_tie) == (3, "unsigned", "asym", "even")
    codes = np.arange(8)
    ok = codes != 4                                            # 0b100 = -4 unused
    assert decode_int(codes[ok], s).tolist() == [0, 1, 2, 3, -3, -2, -1] and s.max_value == 3
    assert decode(codes[ok], s).tolist() == [0, 1, 2, 3, -3, -2, -1]
    assert decode_int(codes, a).tolist() == codes.tolist()
    # RNE on the two's complement codes, saturating at +-3
    x = np.array([-9, -2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5], F32)
    assert decode(encode(x, s), s).tolist() == [-3, -2, -2, 0, 0, 2, 2, 3]


@pytest.mark.parametrize("bad,match", [
    (lambda: decode(np.array([4]), get_lookup("int3_sym", 3)), "int3_sym: code 0b100 is not used"),
    (lambda: decode(np.array([8]), get_lookup("int3_sym", 3)), "int3_sym: code 8 is outside 0..7"),
    (lambda: decode_int(np.array([-1]), get_lookup("int3_asym", 3)), "int3_asym: code -1 is outside 0..7"),
    (lambda: decode(np.array([0.0]), get_lookup("int3_asym", 3)), "must be integers"),
])
def test_other_widths_check_codes_the_same_way(bad, match):
    with pytest.raises(ValueError, match=match) as e:
        bad()
    assert "\n" not in str(e.value)


@pytest.mark.parametrize("n", [2, 3, 5, 512])
def test_a_code_table_has_2_to_8_bits(n):
    from fp4ref.emu.lookup import LookupFormat
    with pytest.raises(ValueError, match="2 <= bits <= 8"):
        LookupFormat("x", "x", "x", "index", (0,) * n, (True,) * n, None, None)
    assert LookupFormat("x", "x", "x", "index", (0,) * 4, (True,) * 4, None, None).bits == 2
