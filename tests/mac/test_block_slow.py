"""The exact references of mac/slow_block.py against hand-worked cases.

Expected values are derived by hand from docs/block.md §7-§9, §11, §12 and docs/encoding.md §3.
E2M1 integer mapping (units of 1/2): codes 0..7 -> 0, 1, 2, 3, 4, 6, 8, 12; bit 3 is the sign.
A block of one non-zero pair with I_a * I_b = S and scales xa + xb = x is S * 2^(x - 256).
"""
import struct

import pytest

from fp4ref.mac.slow_block import slow_fp_mul, slow_mac_stream, slow_mx_dot, slow_nvfp4_dot, ue4m3_value

NAN, INF, NINF, FMAX = 0x7FC00000, 0x7F800000, 0xFF800000, 0x7F7FFFFF
ONE = 0x3F800000
INX, UNF, OVF, INV = 1, 2, 4, 8


def pair(ca, cb, n=32, k=1, at=0):
    """Codes a, b of k blocks of n: one pair (ca, cb) at index `at`, every other pair 0."""
    a, b = [0] * (n * k), [0] * (n * k)
    a[at], b[at] = ca, cb
    return a, b


def cases(rows):
    return [pytest.param(*row[1:], id=row[0]) for row in rows]


# ---- mx_dot (§7, §8), one block ----------------------------------------------------------------------
MX = [  # id, (ca, cb), xa, xb, acc, rounding, ftz, (result, flags) [, per_block's if it differs]
    ("1 x 1", (0x2, 0x2), 127, 127, None, "rne", False, (ONE, 0)),
    ("2^-24 + 1.0: tie to even", (0x1, 0x1), 127, 105, ONE, "rne", False, (ONE, INX)),
    ("2^-24 + 1+ulp: tie up to even", (0x1, 0x1), 127, 105, ONE + 1, "rne", False, (ONE + 2, INX)),
    ("2^-24 + 1+ulp rtz", (0x1, 0x1), 127, 105, ONE + 1, "rtz", False, (ONE + 1, INX)),
    ("2^-149 exact subnormal", (0x1, 0x1), 0, 107, None, "rne", False, (0x00000001, 0)),
    ("2^-149 ftz", (0x1, 0x1), 0, 107, None, "rne", True, (0x00000000, INX | UNF)),
    ("2^-150 ties to +0", (0x1, 0x1), 0, 106, None, "rne", False, (0x00000000, INX | UNF)),
    ("-2^-150 ties to -0", (0x9, 0x1), 0, 106, None, "rne", False, (0x80000000, INX | UNF),
     (0x00000000, INX | UNF)),                  # per_block: b_0 = -0, then +0 + -0 = +0
    ("0.75 * 2^-149 rne", (0x3, 0x1), 0, 105, None, "rne", False, (0x00000001, INX | UNF)),
    ("0.75 * 2^-149 rtz", (0x3, 0x1), 0, 105, None, "rtz", False, (0x00000000, INX | UNF)),
    ("rounds up to 2^-126", (0x1, 0x1), 0, 106, 0x007FFFFF, "rne", False, (0x00800000, INX | UNF),
     (0x007FFFFF, INX | UNF)),                  # per_block: b_0 = +0 (inexact), acc + 0 exact
    ("rounds up to 2^-126, ftz keeps it", (0x1, 0x1), 0, 106, 0x007FFFFF, "rne", True,
     (0x00800000, INX | UNF), (0x00000000, INX | UNF)),    # per_block: acc + 0 is flushed
    ("exact subnormal acc", (0, 0), 127, 127, 0x007FFFFF, "rne", False, (0x007FFFFF, 0)),
    ("exact subnormal acc, ftz", (0, 0), 127, 127, 0x807FFFFF, "rne", True, (0x80000000, INX | UNF)),
    ("2^128 rne -> Inf", (0x2, 0x2), 254, 128, None, "rne", False, (INF, OVF | INX)),
    ("2^128 rtz -> FLT_MAX", (0x2, 0x2), 254, 128, None, "rtz", False, (FMAX, OVF | INX)),
    ("-144 * 2^252 rtz", (0xF, 0x7), 254, 254, None, "rtz", False, (FMAX | 1 << 31, OVF | INX)),
    ("FLT_MAX + half ulp: tie up to Inf", (0x1, 0x1), 254, 105, FMAX, "rne", False, (INF, OVF | INX)),
    ("FLT_MAX + half ulp rtz", (0x1, 0x1), 254, 105, FMAX, "rtz", False, (FMAX, INX)),
    ("acc -0, zero block: +0", (0, 0), 127, 127, 0x80000000, "rne", False, (0x00000000, 0)),
    ("acc -0, -2^-150: -0", (0x9, 0x1), 0, 106, 0x80000000, "rne", False, (0x80000000, INX | UNF)),
    ("acc -Inf", (0x7, 0x7), 127, 127, NINF, "rne", False, (NINF, 0)),
    ("sNaN acc", (0x2, 0x2), 127, 127, 0x7F800001, "rne", False, (NAN, 0)),
    ("-qNaN acc", (0x2, 0x2), 127, 127, 0xFFC00000, "rne", False, (NAN, 0)),
    ("NaN scale a", (0x2, 0x2), 0xFF, 127, ONE, "rne", False, (NAN, 0)),
    ("NaN scale b", (0x2, 0x2), 127, 0xFF, None, "rtz", True, (NAN, 0)),
]


def per_sem(rows, n):
    """Rows whose per_block result is the exact one get it appended."""
    return [row if len(row) == n + 1 else row + (row[-1],) for row in rows]


@pytest.mark.parametrize("codes, xa, xb, acc, rounding, ftz, want, want_pb", cases(per_sem(MX, 8)))
def test_mx_dot_one_block(codes, xa, xb, acc, rounding, ftz, want, want_pb):
    a, b = pair(*codes, at=17)
    for sem, w in (("exact", want), ("per_block", want_pb)):
        res, flags, _ = slow_mx_dot(a, b, [xa], [xb], acc, sem, rounding, ftz)
        assert (res, flags) == w, sem


def test_mx_dot_full_block():
    six = [0x7] * 32
    assert slow_mx_dot(six, six, [127], [127]) == (0x44900000, 0, [0x44900000])     # 1152
    assert slow_mx_dot(six, [0xF] * 32, [254], [254]) == (NINF, OVF | INX, [NINF])   # -4608*2^252


def test_mx_dot_exact_vs_per_block():
    # blocks 1.0, 2^-24, 2^-24: exact sum 1 + 2^-23; per_block loses each 2^-24 (ties to even)
    a, b = pair(0x2, 0x2, k=3)
    a[32], b[32], a[64], b[64] = 0x1, 0x1, 0x1, 0x1
    xa, xb = [127, 127, 127], [127, 105, 105]
    blocks = [ONE, 0x33800000, 0x33800000]
    assert slow_mx_dot(a, b, xa, xb) == (ONE + 1, 0, blocks)
    assert slow_mx_dot(a, b, xa, xb, semantics="per_block") == (ONE, INX, blocks)


def test_mx_dot_cancellation():
    # acc 1.0, blocks 2^100 and -2^100: exact 1.0; per_block 1 + 2^100 -> 2^100, then -> +0
    a, b = pair(0x2, 0x2, k=2)
    a[32], b[32] = 0xA, 0x2
    big = (127 + 100) << 23
    assert slow_mx_dot(a, b, [254, 254], [100, 100], ONE) == (ONE, 0, [big, big | 1 << 31])
    assert slow_mx_dot(a, b, [254, 254], [100, 100], ONE, "per_block") == (0, INX, [big, big | 1 << 31])


def test_mx_dot_infinite_acc_and_overflowing_block():
    # exact: -Inf + a finite block is -Inf; per_block: the block rounds to +Inf, -Inf + Inf = NaN
    six = [0x7] * 32
    assert slow_mx_dot(six, six, [254], [254], NINF) == (NINF, 0, [INF])
    assert slow_mx_dot(six, six, [254], [254], NINF, "per_block") == (NAN, OVF | INX | INV, [INF])


def test_mx_dot_nan_scale_block_outputs():
    a, b = pair(0x2, 0x2, k=2)
    a[32], b[32] = 0x2, 0x2
    for sem in ("exact", "per_block"):
        assert slow_mx_dot(a, b, [127, 127], [127, 0xFF], semantics=sem) == (NAN, 0, [ONE, NAN])


def test_mx_dot_bad_input():
    with pytest.raises(ValueError):
        slow_mx_dot([0] * 31, [0] * 31, [127], [127])
    with pytest.raises(ValueError):
        slow_mx_dot([0] * 32, [0] * 32, [127], [127], semantics="fused")
    with pytest.raises(ValueError):
        slow_mx_dot([0] * 32, [0] * 32, [127], [127], rounding="rna")


# ---- nvfp4_dot (§9) ------------------------------------------------------------------------------------
def test_ue4m3_values():
    assert ue4m3_value(0x00) == 0
    assert ue4m3_value(0x01) * 2 ** 9 == 1
    assert ue4m3_value(0x07) * 2 ** 9 == 7
    assert ue4m3_value(0x08) * 2 ** 6 == 1
    assert ue4m3_value(0x38) == 1
    assert ue4m3_value(0x7E) == 448
    assert [ue4m3_value(s) for s in (0x7F, 0x80, 0x85, 0xB8, 0xFE, 0xFF)] == [None] * 6


def f32(x):
    return struct.unpack("<I", struct.pack("<f", x))[0]


NV = [  # id, (ca, cb), sa, sb, ta, tb, acc, (result, flags) [, per_block's if it differs]
    ("1 x 1", (0x2, 0x2), 0x38, 0x38, None, None, None, (ONE, 0)),
    ("smallest scales", (0x1, 0x1), 0x01, 0x01, None, None, None, (0x35800000, 0)),   # 2^-20
    ("scale 0x85 is NaN", (0x2, 0x2), 0x85, 0x38, None, None, ONE, (NAN, 0)),
    ("scale 0x80 is NaN", (0x0, 0x0), 0x38, 0x80, None, None, None, (NAN, 0)),
    ("scale 0x7F is NaN", (0x2, 0x2), 0x7F, 0x38, None, None, None, (NAN, 0)),
    ("ta -2", (0x2, 0x2), 0x38, 0x38, f32(-2.0), None, None, (0xC0000000, 0)),
    ("ta -0: exact zero is +0", (0xA, 0x2), 0x38, 0x38, 0x80000000, None, None, (0, 0)),
    ("ta tb 2^-149: +0", (0x2, 0x2), 0x38, 0x38, 1, 1, None, (0, INX | UNF)),
    ("ta tb 2^-149 negative: -0", (0xA, 0x2), 0x38, 0x38, 1, 1, None, (0x80000000, INX | UNF),
     (0, INX | UNF)),                           # per_block: +0 + -0 = +0
    ("ta tb 2^100: Inf", (0x2, 0x2), 0x38, 0x38, f32(2.0 ** 100), f32(2.0 ** 100), None, (INF, OVF | INX)),
    ("ta NaN", (0x2, 0x2), 0x38, 0x38, NAN, None, None, (NAN, INV)),
    ("tb -Inf", (0x2, 0x2), 0x38, 0x38, ONE, NINF, ONE, (NAN, INV)),
    ("ta Inf, NaN scale", (0x2, 0x2), 0xFF, 0x38, INF, ONE, None, (NAN, INV)),
    ("acc not scaled", (0x2, 0x2), 0x38, 0x38, f32(4.0), None, f32(3.0), (f32(7.0), 0)),
]


@pytest.mark.parametrize("codes, sa, sb, ta, tb, acc, want, want_pb", cases(per_sem(NV, 8)))
def test_nvfp4_dot_one_block(codes, sa, sb, ta, tb, acc, want, want_pb):
    a, b = pair(*codes, n=16, at=5)
    for sem, w in (("exact", want), ("per_block", want_pb)):
        res, flags, blocks = slow_nvfp4_dot(a, b, [sa], [sb], ta, tb, acc, sem)
        assert (res, flags) == w, sem
        if w[1] == INV:
            assert blocks == [NAN]


def test_nvfp4_dot_largest_block():
    # 16 * 6 * 6 * 448 * 448 = 441 * 2^18 exactly: 0x4CDC8000
    six = [0x7] * 16
    assert slow_nvfp4_dot(six, six, [0x7E], [0x7E]) == (0x4CDC8000, 0, [0x4CDC8000])


def test_nvfp4_dot_tensor_scale_nan_blocks():
    a, b = pair(0x2, 0x2, n=16, k=3)
    assert slow_nvfp4_dot(a, b, [0x38] * 3, [0x38] * 3, INF, ONE, semantics="per_block") == \
        (NAN, INV, [NAN] * 3)


# ---- mac_stream (§11) ----------------------------------------------------------------------------------
def test_mac_stream_wrap_and_saturate():
    # W = 4: range -8..7. P = I(x) * I(w): 0x2 * 0x2 = 4, 0xA * 0x2 = -4, 0x7 * 0x7 = 144
    clr = [1, 0, 0, 0, 1, 1, 1, 0]
    en = [1, 1, 0, 1, 0, 1, 1, 0]
    x = [[0x2], [0x2], [0x7], [0xA], [0x7], [0x7], [0x2], [0x7]]
    w = [[0x2], [0x2], [0x7], [0x2], [0x7], [0x7], [0x2], [0x7]]
    acc, ovf = slow_mac_stream(clr, en, x, w, "e2m1", "e2m1", 4, "wrap")
    assert acc == [4, -8, -8, 4, 0, 0, 4, 4]
    assert ovf == [0, 1, 1, 1, 0, 1, 0, 0]
    acc, ovf = slow_mac_stream(clr, en, x, w, "e2m1", "e2m1", 4, "saturate")
    assert acc == [4, 7, 7, 3, 0, 7, 4, 4]
    assert ovf == [0, 1, 1, 1, 0, 1, 0, 0]


def test_mac_stream_lanes_summed_without_loss():
    # two lanes 144 + (-144) = 0 in one cycle: no overflow at W = 4
    acc, ovf = slow_mac_stream([1, 0], [1, 1], [[0x7, 0xF], [0x7, 0x2]], [[0x7, 0x7], [0x0, 0xA]],
                               "e2m1", "e2m1", 4, "wrap")
    assert (acc, ovf) == ([0, -4], [0, 0])


def test_mac_stream_mixed_formats():
    # e4m3 0x08 (2^-6) maps to I = 8, 0x01 to 1; e2m1 0x7 to 12: 8*12 + 1*12 = 108 at W = 8
    acc, ovf = slow_mac_stream([1, 0], [1, 1], [[0x08, 0x01], [0x08, 0x01]], [[0x7, 0x7], [0x7, 0x7]],
                               "e4m3", "e2m1", 8, "saturate")
    assert (acc, ovf) == ([108, 127], [0, 1])


# ---- fp_mul (§12) --------------------------------------------------------------------------------------
MUL = [  # id, a, b, fa, fb, fo, rounding, overflow, rand, (code, flags)
    ("1 x 1", 0x2, 0x2, "e2m1", "e2m1", "e2m1", "rne", "saturate", 0, (0x2, 0)),
    ("1.5 x 1.5 = 2.25", 0x3, 0x3, "e2m1", "e2m1", "e2m1", "rne", "saturate", 0, (0x4, INX)),
    ("2.25 sr rand 191", 0x3, 0x3, "e2m1", "e2m1", "e2m1", "sr", "saturate", 191, (0x4, INX)),
    ("2.25 sr rand 192", 0x3, 0x3, "e2m1", "e2m1", "e2m1", "sr", "saturate", 192, (0x5, INX)),
    ("3 x 3 saturates", 0x5, 0x5, "e2m1", "e2m1", "e2m1", "rne", "saturate", 0, (0x7, OVF | INX)),
    ("0.25 rne -> 0", 0x1, 0x1, "e2m1", "e2m1", "e2m1", "rne", "saturate", 0, (0x0, INX | UNF)),
    ("0.25 rna -> 0.5", 0x1, 0x1, "e2m1", "e2m1", "e2m1", "rna", "saturate", 0, (0x1, INX | UNF)),
    ("-0.25 rne -> -0", 0x9, 0x1, "e2m1", "e2m1", "e2m1", "rne", "saturate", 0, (0x8, INX | UNF)),
    ("-0.25 rdn -> -0.5", 0x9, 0x1, "e2m1", "e2m1", "e2m1", "rdn", "saturate", 0, (0x9, INX | UNF)),
    ("0.75 tie -> 1", 0x3, 0x1, "e2m1", "e2m1", "e2m1", "rne", "saturate", 0, (0x2, INX | UNF)),
    ("0.75 rtz", 0x3, 0x1, "e2m1", "e2m1", "e2m1", "rtz", "saturate", 0, (0x1, INX | UNF)),
    ("4.5 -> 4", 0x5, 0x3, "e2m1", "e2m1", "e2m1", "rne", "saturate", 0, (0x6, INX)),
    ("-0 x 1 = -0", 0x8, 0x2, "e2m1", "e2m1", "e2m1", "rne", "saturate", 0, (0x8, 0)),
    ("-0 x -1 = +0", 0x8, 0xA, "e2m1", "e2m1", "e2m1", "rne", "saturate", 0, (0x0, 0)),
    ("nosub 0.75 -> 1", 0x3, 0x1, "e2m1", "e2m1", "e2m1_nosub", "rne", "saturate", 0, (0x2, INX | UNF)),
    ("nosub 0.5 tie -> 0", 0x2, 0x1, "e2m1", "e2m1", "e2m1_nosub", "rne", "saturate", 0, (0x0, INX | UNF)),
    ("e3m0 0.75 tie goes up", 0x3, 0x1, "e2m1", "e2m1", "e3m0", "rne", "saturate", 0, (0x3, INX)),
    ("e3m0 3 tie goes up", 0x3, 0x4, "e2m1", "e2m1", "e3m0", "rne", "saturate", 0, (0x5, INX)),
    ("e3m0 0.125 tie -> 0", 0x1, 0x1, "e3m0", "e2m1", "e3m0", "rne", "saturate", 0, (0x0, INX | UNF)),
    ("e4m3 896 saturate", 0x7E, 0x40, "e4m3", "e4m3", "e4m3", "rne", "saturate", 0, (0x7E, OVF | INX)),
    ("e4m3 896 inf -> NaN", 0x7E, 0x40, "e4m3", "e4m3", "e4m3", "rne", "inf", 0, (0x7F, OVF | INX)),
    ("e4m3 -896 inf -> -NaN", 0xFE, 0x40, "e4m3", "e4m3", "e4m3", "rne", "inf", 0, (0xFF, OVF | INX)),
    ("e4m3 896 rtz inf -> max", 0x7E, 0x40, "e4m3", "e4m3", "e4m3", "rtz", "inf", 0, (0x7E, OVF | INX)),
    ("e4m3 NaN operand", 0x7F, 0x38, "e4m3", "e4m3", "e4m3", "rne", "saturate", 0, (0x7F, INV)),
    ("e5m2 Inf x 1 saturate", 0x7C, 0x3C, "e5m2", "e5m2", "e5m2", "rne", "saturate", 0, (0x7B, OVF | INX)),
    ("e5m2 Inf x 1 inf", 0x7C, 0x3C, "e5m2", "e5m2", "e5m2", "rne", "inf", 0, (0x7C, 0)),
    ("e5m2 -Inf x 1 inf", 0xFC, 0x3C, "e5m2", "e5m2", "e5m2", "rne", "inf", 0, (0xFC, 0)),
    ("e5m2 Inf x 1 to e4m3 inf", 0x7C, 0x3C, "e5m2", "e5m2", "e4m3", "rne", "inf", 0, (0x7F, INV)),
    ("e5m2 Inf x 0 to e5m2", 0x7C, 0x00, "e5m2", "e5m2", "e5m2", "rne", "saturate", 0, (0x7E, INV)),
    ("e5m2 Inf x 0 to e4m3", 0x7C, 0x00, "e5m2", "e5m2", "e4m3", "rne", "saturate", 0, (0x7F, INV)),
    ("e5m2 Inf x 0 to e2m1", 0x7C, 0x00, "e5m2", "e5m2", "e2m1", "rne", "saturate", 0, (0x0, INV)),
    ("e5m2 Inf x 0 to fnuz", 0x7C, 0x00, "e5m2", "e5m2", "e4m3fnuz", "rne", "saturate", 0, (0x80, INV)),
    ("e5m2 NaN x 1 to e2m1", 0x7E, 0x3C, "e5m2", "e5m2", "e2m1", "rne", "saturate", 0, (0x0, INV)),
    ("-0 to fnuz is +0", 0x8, 0x2, "e2m1", "e2m1", "e4m3fnuz", "rne", "saturate", 0, (0x00, 0)),
]


@pytest.mark.parametrize("a, b, fa, fb, fo, rounding, overflow, rand, want", cases(MUL))
def test_fp_mul(a, b, fa, fb, fo, rounding, overflow, rand, want):
    assert slow_fp_mul(a, b, fa, fb, fo, rounding, overflow, rand) == want


def test_fp_mul_overflow_inf_needs_specials():
    with pytest.raises(ValueError):
        slow_fp_mul(0x5, 0x5, "e2m1", "e2m1", "e2m1", overflow="inf")
