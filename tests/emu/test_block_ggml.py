"""ggml Q4_0 / Q4_1 (emu.block.ggml_q4) against a slow scalar transcription of llama.cpp's C
reference, byte for byte; the zero question of llama.cpp issue #9; layouts; bad input
(formats.md §7)."""
import math
import struct
from fractions import Fraction

import numpy as np
import pytest

from fp4ref.emu.block import dequantize_row_q4_0, dequantize_row_q4_1, quantize_row_q4_0, quantize_row_q4_1
from fp4ref.emu.block.ggml_q4 import _mul_add

F32 = np.float32
FLT_MAX = F32(np.finfo(F32).max)


# ---- slow reference: the C code of formats.md §7.2-7.3, one np.float32 scalar operation per C
# operator, plain loops; nothing here calls emu ------------------------------------------------------
def _bits(f):
    return struct.unpack("<I", struct.pack("<f", f))[0]


def _from_bits(b):
    return F32(struct.unpack("<f", struct.pack("<I", b & 0xFFFFFFFF))[0])


def fp32_to_fp16_ref(f):
    """ggml_compute_fp32_to_fp16 (ggml-impl.h; Maratyszcza's FP16 library), transcribed."""
    with np.errstate(over="ignore"):
        base = (abs(f) * _from_bits(0x77800000)) * _from_bits(0x08800000)   # 2^112, then 2^-110
        w = _bits(f)
        shl1_w = (w + w) & 0xFFFFFFFF
        sign = w & 0x80000000
        bias = shl1_w & 0xFF000000
        if bias < 0x71000000:
            bias = 0x71000000
        base = _from_bits((bias >> 1) + 0x07800000) + base
        bits = _bits(base)
        exp_bits = (bits >> 13) & 0x00007C00
        mantissa_bits = bits & 0x00000FFF
        nonsign = exp_bits + mantissa_bits
        return (sign >> 16) | (0x7E00 if shl1_w > 0xFF000000 else nonsign)


def fp16_to_fp32_ref(h):
    """IEEE binary16 fields -> exact value (every binary16 is a float32)."""
    sign, exp, frac = h >> 15, (h >> 10) & 0x1F, h & 0x3FF
    if exp == 0x1F:
        v = math.inf if frac == 0 else math.nan
    elif exp == 0:
        v = math.ldexp(frac, -24)
    else:
        v = math.ldexp(frac | 0x400, exp - 25)
    return F32(-v if sign else v)


def fl32_of(q: Fraction):
    """The float32 nearest to the rational q, ties to even (for the fused-multiply-add reference)."""
    f = F32(float(q))                  # float(Fraction) is correctly rounded; the cast may round twice
    cands = [np.nextafter(f, F32(-np.inf)), f, np.nextafter(f, F32(np.inf))]
    return min(cands, key=lambda c: (abs(Fraction(float(c)) - q), _bits(c) & 1))


def mul_add_ref(a, b, c, fused):
    if fused:
        return fl32_of(Fraction(float(a)) * Fraction(float(b)) + Fraction(float(c)))
    return (a * b) + c


def to_int8_trunc(t):
    return int(t)                      # C float -> int8_t: toward zero (t is in [0, 17) here)


def q4_0_ref(x, fused=False) -> bytes:
    out = bytearray()
    for i in range(0, len(x), 32):
        blk = [F32(v) for v in x[i:i + 32]]
        amax, mx = F32(0.0), F32(0.0)
        for v in blk:
            if amax < abs(v):
                amax, mx = abs(v), v
        d = mx / F32(-8)
        idv = F32(1.0) / d if d != 0 else F32(0.0)
        q = [min(15, to_int8_trunc(mul_add_ref(v, idv, F32(8.5), fused))) for v in blk]
        out += struct.pack("<H", fp32_to_fp16_ref(d))
        out += bytes(q[j] | (q[j + 16] << 4) for j in range(16))
    return bytes(out)


def q4_1_ref(x, fused=False) -> bytes:
    out = bytearray()
    for i in range(0, len(x), 32):
        blk = [F32(v) for v in x[i:i + 32]]
        mn, mx = FLT_MAX, -FLT_MAX
        for v in blk:
            if v < mn:
                mn = v
            if v > mx:
                mx = v
        d = (mx - mn) / F32(15)
        idv = F32(1.0) / d if d != 0 else F32(0.0)
        q = [min(15, to_int8_trunc(mul_add_ref(v - mn, idv, F32(0.5), fused))) for v in blk]
        out += struct.pack("<HH", fp32_to_fp16_ref(d), fp32_to_fp16_ref(mn))
        out += bytes(q[j] | (q[j + 16] << 4) for j in range(16))
    return bytes(out)


def dq4_0_ref(data: bytes):
    y = []
    for i in range(0, len(data), 18):
        d = fp16_to_fp32_ref(struct.unpack("<H", data[i:i + 2])[0])
        qs = data[i + 2:i + 18]
        q = [b & 0x0F for b in qs] + [b >> 4 for b in qs]
        with np.errstate(invalid="ignore"):
            y += [F32(k - 8) * d for k in q]
    return np.array(y, F32)


def dq4_1_ref(data: bytes):
    y = []
    for i in range(0, len(data), 20):
        dh, mh = struct.unpack("<HH", data[i:i + 4])
        d, m = fp16_to_fp32_ref(dh), fp16_to_fp32_ref(mh)
        qs = data[i + 4:i + 20]
        q = [b & 0x0F for b in qs] + [b >> 4 for b in qs]
        with np.errstate(invalid="ignore", over="ignore"):
            y += [F32(k) * d + m for k in q]
    return np.array(y, F32)


# ---- seeded rows: every distribution the brief names ---------------------------------------------
def _power_of_two_ties(rng, n):
    """Q4_0 ties: M = 2^k gives d = -2^(k-3), id = -2^(3-k); x = (j + 1/2) 2^(k-3) makes
    x * id + 8.5 = 8 - j exactly integral."""
    k = rng.integers(-10, 10, (n, 1))
    x = (rng.integers(-8, 8, (n, 32)) + 0.5) * np.exp2(k - 3.0)
    x[:, 0] = np.exp2(k[:, 0]) * rng.choice([-1, 1], n)
    return x


def _q4_1_ties(rng, n):
    """Q4_1 ties: max - min = 15 * 2^k gives d = 2^k; x = min + (j + 1/2) 2^k makes
    (x - min) * id + 0.5 = j + 1 exactly integral."""
    k = rng.integers(-10, 10, (n, 1))
    mn = rng.integers(-64, 64, (n, 1)) * np.exp2(k)
    x = mn + (rng.integers(0, 15, (n, 32)) + 0.5) * np.exp2(k)
    x[:, 0], x[:, 1] = mn[:, 0], (mn + 15 * np.exp2(k))[:, 0]
    return x


def _near_ties(x, kind):
    """Move some elements to within a few float32 ulps of a rounding boundary of their block,
    computed with the block's float32 d and id as the reference computes them."""
    x = x.astype(F32).copy()
    for row in x:
        if kind == "q4_0":
            m = row[np.argmax(np.abs(row))]
            d = m / F32(-8)
            base, lo, hi = F32(8.5), 1, 15
        else:
            mn = row.min()
            d = (row.max() - mn) / F32(15)
            base, lo, hi = F32(0.5), 1, 15
        if d == 0:
            continue
        idv = F32(1) / d
        for j in range(2, 32, 3):
            target = F32((j % (hi - lo) + lo - base) / idv)       # x * id + base ~ an integer
            if kind == "q4_1":
                target = F32(target + mn)
            for _ in range(j % 7 - 3):
                target = np.nextafter(target, F32(np.inf))
            row[j] = target
    return x


def _rows(rng, kind):
    n = 24
    blocks = [
        rng.standard_normal((n, 32)),
        rng.uniform(-1, 1, (n, 32)) * np.exp2(rng.integers(-30, 30, (n, 1))),
        rng.standard_cauchy((n, 32)),
        -np.abs(rng.standard_normal((n, 32))),                    # negative max
        np.abs(rng.standard_normal((n, 32))),                     # positive, min >= 0
        np.zeros((4, 32)),                                        # all-zero blocks
        np.full((4, 32), 1.25),                                   # all-equal (Q4_1: d = 0)
        _power_of_two_ties(rng, n) if kind == "q4_0" else _q4_1_ties(rng, n),
    ]
    huge = rng.standard_normal((4, 32))
    huge[:, 5] = [1e30, -1e30, 7e4, -7e5]                         # fp16(d) overflows to Inf
    tiny = rng.standard_normal((4, 32)) * 1e-7                    # fp16(d) subnormal or zero
    signed_zeros = np.zeros((4, 32))
    signed_zeros[:2, ::3] = -0.0                                  # Q4_1 min: the first zero's sign
    signed_zeros[2:, 1::3] = -0.0
    signed_zeros[1:, 7] = [1.0, -1.0, 0.5]
    mirrored = rng.standard_normal((n, 32))                       # +A and -A both largest:
    a = (np.abs(mirrored).max(axis=1) + 1) * rng.choice([-1, 1], n)
    mirrored[:, 4], mirrored[:, 9] = a, -a                        # Q4_0 takes the first
    x = np.concatenate(blocks + [huge, tiny, signed_zeros, mirrored]).astype(F32)
    return np.concatenate([x, _near_ties(x[:3 * n], kind)])


@pytest.mark.parametrize("fused", [False, True], ids=["unfused", "fused"])
def test_q4_0_bytes_equal_the_scalar_reference(fused, rng):
    x = _rows(rng, "q4_0").ravel()
    got = quantize_row_q4_0(x, fused=fused)
    assert len(got) == 18 * (x.size // 32)
    want = q4_0_ref(x, fused=fused)
    bad = [i // 18 for i in range(len(got)) if got[i] != want[i]]
    assert not bad, f"first differing block {bad[0]}: {x[32 * bad[0]:32 * bad[0] + 32]}"
    assert np.array_equal(dequantize_row_q4_0(got), dq4_0_ref(want), equal_nan=True)


@pytest.mark.parametrize("fused", [False, True], ids=["unfused", "fused"])
def test_q4_1_bytes_equal_the_scalar_reference(fused, rng):
    x = _rows(rng, "q4_1").ravel()
    got = quantize_row_q4_1(x, fused=fused)
    assert len(got) == 20 * (x.size // 32)
    want = q4_1_ref(x, fused=fused)
    bad = [i // 20 for i in range(len(got)) if got[i] != want[i]]
    assert not bad, f"first differing block {bad[0]}: {x[32 * bad[0]:32 * bad[0] + 32]}"
    assert np.array_equal(dequantize_row_q4_1(got), dq4_1_ref(want), equal_nan=True)


def test_the_fma_changes_a_q4_0_code():
    # M = 3: d = -0.375, id = fl32(-1/0.375) = -2.6666667. x = 2.4375 + k ulps: x * id lies just
    # beyond -6.5, and fl32(x * id) rounds onto -6.5 (t = 2.0 -> q = 2) while the fused
    # x * id + 8.5 stays below 2.0 (q = 1)
    x = np.zeros(32, F32)
    x[0] = 3.0
    found = []
    v = F32(2.4375)
    for _ in range(8):
        x[1] = v
        a, b = quantize_row_q4_0(x), quantize_row_q4_0(x, fused=True)
        if a != b:
            found.append((a[3] & 0xF, b[3] & 0xF))     # element 1: low nibble of qs[1]
            assert a == q4_0_ref(x) and b == q4_0_ref(x, fused=True)
        v = np.nextafter(v, F32(9))
    assert found[0] == (2, 1)                          # x = 2.4375 itself (docs/block.md)
    assert all(unfused == fused + 1 for unfused, fused in found), found


def test_fused_mode_rounds_a_times_b_plus_c_once(rng):
    # a * b + c = 1 + 2^-23 + 2^-24 - 2^-70: just below a float32 tie, so the answer is 1 + 2^-23;
    # a plain float64 sum lands on the tie (2^-70 is lost) and would round to even, 1 + 2^-22
    a, b, c = F32(1 + 2.0 ** -23), F32((1 - 2.0 ** -23) * 2.0 ** -24), F32(1 + 2.0 ** -23)
    assert float(a) * float(b) + float(c) == 1 + 2.0 ** -23 + 2.0 ** -24
    assert _mul_add(np.array([a]), b, c, fused=True)[0] == F32(1 + 2.0 ** -23)
    # and on random triples whose exact result lies near float32 ties
    a = rng.standard_normal(300).astype(F32)
    b = (rng.integers(1, 1 << 24, 300) * 2.0 ** -47).astype(F32)
    c = F32(1.5)
    got = _mul_add(a, b, c, fused=True)
    assert [fl32_of(Fraction(float(u)) * Fraction(float(v)) + Fraction(1.5)) for u, v in zip(a, b)] == got.tolist()


def test_fp16_conversion_equals_ggml_on_a_float32_sweep():
    # every 2^13-th float32 pattern (finite; both signs) plus the fp16 overflow/underflow edges
    pats = np.arange(0, 0xFF800000, 1 << 13, dtype=np.uint64).astype(np.uint32)
    pats = pats[(pats & 0x7F800000) != 0x7F800000]
    edges = np.float32([65504, 65519.996, 65520, 2.0 ** -24, 2.0 ** -25, 3 * 2.0 ** -26, 2.0 ** -26]).view(np.uint32)
    vals = np.concatenate([pats, edges, edges | 0x80000000]).view(F32)
    with np.errstate(over="ignore"):
        ours = vals.astype("<f2").view(np.uint16)
    ref = [fp32_to_fp16_ref(v) for v in vals]
    assert ours.tolist() == ref


def test_block_layout_is_fp16_d_then_split_halves():
    # M = -8 at index 0: d = 1, id = 1, q_j = trunc(x_j + 8.5)
    x = np.concatenate([np.arange(16) - 8.0, 7.0 - np.arange(16)]).astype(F32)
    got = quantize_row_q4_0(x)
    assert got == bytes([0x00, 0x3C]) + bytes(j | (15 - j) << 4 for j in range(16))   # fp16 1.0 = 0x3C00
    assert dequantize_row_q4_0(got).tolist() == x.tolist()
    # Q4_1: min -8, max 7: d = 1, m = -8, q_j = x_j + 8
    got = quantize_row_q4_1(x)
    assert got[:4] == bytes([0x00, 0x3C, 0x00, 0xC8])                                  # fp16 -8 = 0xC800
    assert got[4:] == bytes(j | (15 - j) << 4 for j in range(16))


def test_spec_worked_example():
    # formats.md §7.3: block [-1.25, 0, -0.012, 3.5] (here repeated 8 times to fill 32)
    x = np.tile(np.array([-1.25, 0, -0.012, 3.5], F32), 8)
    y1 = dequantize_row_q4_1(quantize_row_q4_1(x))
    assert y1[:4].tolist() == [-1.25, 0.0166015625, 0.0166015625, 3.499755859375]
    y0 = dequantize_row_q4_0(quantize_row_q4_0(x))
    assert y0[:4].tolist() == [-1.3125, -0.0, -0.0, 3.5] and np.signbit(y0[1])


def test_all_zero_q4_0_block_stores_negative_zero_d():
    got = quantize_row_q4_0(np.zeros(32, F32))
    assert got == bytes([0x00, 0x80]) + bytes([0x88] * 16)     # d = -0.0, every q = 8
    assert np.signbit(dequantize_row_q4_0(got)).all()


# ---- llama.cpp issue #9: does an exact 0.0 survive? -----------------------------------------------
def _with_zeros(rng, n=400):
    x = rng.standard_normal((n, 32)) * np.exp2(rng.integers(-12, 12, (n, 1)))
    zero = rng.random((n, 32)) < 0.15
    x[zero] = np.where(rng.random(zero.sum()) < 0.5, 0.0, -0.0)
    return x.astype(F32), zero


def test_q4_0_dequantizes_every_exact_zero_to_zero(rng):
    # x = 0 gives x * id + 8.5 = 8.5 -> q = 8 -> (8 - 8) * d = ±0, whatever d is
    x, zero = _with_zeros(rng)
    for fused in (False, True):
        y = dequantize_row_q4_0(quantize_row_q4_0(x.ravel(), fused=fused)).reshape(x.shape)
        assert zero.sum() > 1000 and (y[zero] == 0).all()


def test_q4_1_moves_zero_to_a_nonzero_value():
    # the worked example: m = -1.25, d = fp16(4.75 / 15) = 0.316650390625, 0 -> q = 4 ->
    # 4 * 0.316650390625 - 1.25 = 0.0166015625; -0.012 also lands there (a sign flip)
    x = np.tile(np.array([-1.25, 0, -0.012, 3.5], F32), 8)
    data = quantize_row_q4_1(x)
    assert np.frombuffer(data[:4], "<f2").tolist() == [0.316650390625, -1.25]
    assert data[4] & 0x0F == 0 and data[4] >> 4 == 0 and data[5] & 0x0F == 4
    y = dequantize_row_q4_1(data)
    assert y[1] == 0.0166015625 and y[2] == 0.0166015625


def test_q4_1_leaves_almost_no_zero_at_zero(rng):
    x, zero = _with_zeros(rng)
    y = dequantize_row_q4_1(quantize_row_q4_1(x.ravel())).reshape(x.shape)
    moved = int((y[zero] != 0).sum())
    # 0 is on the grid m + k d only by chance (or when the block min is 0, impossible here)
    assert moved >= 0.99 * zero.sum()


# ---- bad input --------------------------------------------------------------------------------------
def _row(v=None):
    x = np.ones(32, F32)
    if v is not None:
        x[9] = v
    return x


@pytest.mark.parametrize("call, message", [
    (lambda: quantize_row_q4_0(np.ones(48, F32)), "multiple of the block size 32"),
    (lambda: quantize_row_q4_1(np.ones(31, F32)), "multiple of the block size 32"),
    (lambda: quantize_row_q4_0(np.ones((2, 32), F32)), "one row"),
    (lambda: quantize_row_q4_0(np.ones(32, np.int32)), "must be a float array"),
    (lambda: quantize_row_q4_0(_row(np.nan)), "NaN or Inf input"),
    (lambda: quantize_row_q4_1(_row(np.inf)), "NaN or Inf input"),
    (lambda: quantize_row_q4_0(np.r_[np.float32(1e-40), np.zeros(31, F32)]), "1/d overflows"),
    (lambda: quantize_row_q4_1(np.r_[np.float32(1e-40), np.zeros(31, F32)]), "1/d overflows"),
    (lambda: quantize_row_q4_1(np.r_[FLT_MAX, -FLT_MAX, np.zeros(30, F32)]), "overflows float32"),
    (lambda: dequantize_row_q4_0(bytes(19)), "18-byte blocks"),
    (lambda: dequantize_row_q4_1(bytes(18)), "20-byte blocks"),
    (lambda: dequantize_row_q4_0([0] * 18), "bytes or a 1-D uint8 array"),
])
def test_bad_input_is_a_one_line_value_error(call, message):
    with pytest.raises(ValueError, match=message) as info:
        call()
    assert "\n" not in str(info.value)
