"""Interesting values at the edges of every validated range of the model (the mutation campaign's
survivors pointed at them): the last value accepted and the first refused, the exact wording of
the messages that name a limit, and the corners of the small helpers (odd pairwise sums, 0-d
nibble unpacking)."""
import numpy as np
import pytest

from fp4ref import emu
from fp4ref.emu.pack import pack_x2, unpack_x2
from fp4ref.mac.accumulate import MAX_ACC_W, check_acc_w
from fp4ref.mac.dot import dot
from fp4ref.mac.fp32_accum import _pairwise, fp32_dot
from fp4ref.mac.mx_dot import mx_dot
from fp4ref.mac.products import MAX_PRODUCT_BITS, check_pair, check_shifts


def test_shift_max_accepts_0_and_30_and_refuses_31():
    for ok in (0, 30):
        assert check_shifts(None, (2,), ok).tolist() == [ok, ok]
    for bad in (-1, 31, True):
        with pytest.raises(ValueError, match=r"shift_max: must be an integer in \[0, 30\]"):
            check_shifts(None, (2,), bad)


def test_acc_w_accepts_2_and_62_and_refuses_1_and_63():
    assert MAX_ACC_W == 62
    assert [check_acc_w(w) for w in (2, 62)] == [2, 62]
    for bad in (1, 63, True):
        with pytest.raises(ValueError, match="integer of 2..62 bits"):
            check_acc_w(bad)


def test_product_limit_message_names_both_widths():
    e5m2 = emu.get_format("e5m2")
    with pytest.raises(ValueError) as err:
        check_pair(e5m2, e5m2, 30)
    bits = (e5m2.int_max * e5m2.int_max << 30).bit_length()
    assert f"need {bits + 1} signed bits" in str(err.value)
    assert f"products up to {MAX_PRODUCT_BITS + 1}" in str(err.value)


def test_lanes_must_be_a_positive_integer_not_a_bool():
    c = np.zeros(4, np.uint8)
    assert int(dot(c, c, "e2m1", "e2m1", 8, lanes=1).acc) == 0
    assert float(fp32_dot(c, c, "e2m1", "e2m1", lanes=1)) == 0.0
    for bad in (0, True, 2.0):
        with pytest.raises(ValueError, match="lanes: must be a positive integer"):
            dot(c, c, "e2m1", "e2m1", 8, lanes=bad)
        with pytest.raises(ValueError, match="lanes: must be a positive integer"):
            fp32_dot(c, c, "e2m1", "e2m1", lanes=bad)


def test_code_range_message_names_the_last_code():
    with pytest.raises(ValueError, match=r"codes outside e2m1 \(4-bit codes 0x0..0xf\)"):
        emu.decode(np.array([16]), "e2m1")
    assert emu.decode(np.array([15]), "e2m1").tolist() == [-6.0]


def test_e8m0_scales_accept_0_and_255_and_refuse_256():
    a = np.full(32, 2, np.uint8)                      # e2m1 1.0
    for s in (0, 255):
        mx_dot(a, a, [s], [127], "e2m1")             # accepted (255 is the NaN scale)
    assert float(mx_dot(a, a, [0], [127], "e2m1")) == np.float32(32 * 2.0 ** -127)
    for bad in ([256], [-1]):
        with pytest.raises(ValueError, match="E8M0 codes"):
            mx_dot(a, a, np.array(bad, np.int64), [127], "e2m1")


def _pairwise_ref(xs):
    """Independent: one level at a time, in Python, float32 additions."""
    xs = [np.float32(x) for x in xs]
    while len(xs) > 1:
        nxt = [np.float32(xs[i] + xs[i + 1]) for i in range(0, len(xs) - 1, 2)]
        if len(xs) % 2:
            nxt.append(xs[-1])
        xs = nxt
    return xs[0]


@pytest.mark.parametrize("n", [1, 2, 3, 5, 7, 12, 13, 16])
def test_pairwise_float32_sum_follows_the_tree_for_odd_lengths(n, rng):
    v = (rng.standard_normal((40, n)) * 2.0 ** rng.integers(-20, 20, (40, n))).astype(np.float32)
    got = _pairwise(v)
    assert got.dtype == np.float32
    assert [float(g) for g in got] == [float(_pairwise_ref(row)) for row in v]


def test_tree_dot_with_a_short_last_group_matches_the_pairwise_reference():
    # 13 terms, 4 lanes: groups of 4, 4, 4 and 1; values chosen so the order changes the sum
    fmt = emu.get_format("e4m3")
    vals = np.array([448, 1, -448, 1, 0.015625, 448, -448, 3, 1, 1, 1, -1, 0.5], np.float32)
    cx = emu.encode(vals, fmt)
    one = emu.encode(np.ones(13, np.float32), fmt)
    acc = np.float32(0)
    for g in range(0, 13, 4):
        acc = np.float32(acc + _pairwise_ref(vals[g:g + 4]))
    assert float(fp32_dot(cx, one, fmt, fmt, order="tree", lanes=4)) == float(acc)


def test_unpack_x2_table_including_a_single_byte():
    assert unpack_x2(np.array([0x21, 0xF0, 0x0E], np.uint8)).tolist() == [1, 2, 0, 15, 14, 0]
    assert unpack_x2(np.uint8(0x9A)).tolist() == [0xA, 0x9]
    garbage = np.full(64, 0xEE, np.uint8)             # leave non-zero memory behind
    del garbage
    codes = np.arange(16, dtype=np.uint8)
    assert unpack_x2(pack_x2(codes, "e2m1")).tolist() == codes.tolist()


@pytest.mark.parametrize("fmt, src", [("e3m2", np.float16), ("e4m3", "bfloat16"), ("e2m1", np.float32)])
def test_stochastic_rounding_at_the_extreme_draws(fmt, src):
    """sr_bits = 8 with the discarded part exactly 8 bits (float16 -> e3m2), fewer (bfloat16 ->
    e4m3: 4) and more (float32 -> e2m1): a draw of 0 never rounds up (= rtz), a draw of 255 rounds
    up whenever one of the first 8 discarded bits is set."""
    import ml_dtypes

    dtype = ml_dtypes.bfloat16 if src == "bfloat16" else src
    rng = np.random.default_rng(7)
    x = (rng.standard_normal(4000) * 3).astype(np.float32).astype(dtype)
    fmt_ = emu.get_format(fmt)
    x = x[np.abs(x.astype(np.float64)) <= float(fmt_.max_value)]
    zeros, ones = np.zeros(x.shape, np.uint64), np.full(x.shape, 255, np.uint64)
    assert (emu.encode(x, fmt, "sr", rand=zeros) == emu.encode(x, fmt, "rtz")).all()
    up = emu.encode(x, fmt, "sr", rand=ones)
    away = np.where(np.signbit(x.astype(np.float32)), emu.encode(x, fmt, "rdn"), emu.encode(x, fmt, "rup"))
    bits = x.view(np.uint16 if x.dtype.itemsize == 2 else np.uint32).astype(np.uint64)
    sig_w = {2: 11 if x.dtype == np.float16 else 8, 4: 24}[x.dtype.itemsize]
    discarded = sig_w - 1 - fmt_.man_w                 # normal inputs in range: bits below the kept LSB
    first8 = (bits >> np.uint64(max(discarded - 8, 0))) & np.uint64((1 << min(8, discarded)) - 1)
    normal = np.abs(x.astype(np.float64)) >= 2.0 ** (1 - fmt_.bias)
    expect = np.where(first8 != 0, away, emu.encode(x, fmt, "rtz"))
    assert (up[normal] == expect[normal]).all()


def test_flags_policies_and_nan_codes_at_their_edges():
    from fp4ref.emu.flags import Flag

    codes, flags = emu.encode(np.float32([0.75, 0.25, 1.0, 5.0]), "e2m1", flags=True)
    assert codes.tolist() == [2, 0, 2, 6]             # ties to even: 1.0, 0, exact 1.0, 4.0
    assert [bool(f & Flag.INEXACT) for f in flags] == [True, True, False, True]
    assert emu.encode(np.float32([6.0]), "e2m1", overflow="error").tolist() == [7]
    with pytest.raises(ValueError, match="overflow='error'"):
        emu.encode(np.float32([7.0]), "e2m1", overflow="error")
    nans = np.float32([np.nan, -np.nan])
    assert emu.encode(nans, "e2m1", nan="zero").tolist() == [0x0, 0x8]
    assert emu.encode(nans, "e4m3fnuz", nan="nan").tolist() == [0x80, 0x80]
