"""Accumulator widths: the spec's table, the l1 bound and the observed maximum, and the
13-bit question of the LLM-FP4 users (llm-fp4.md §5.2, §6d)."""
import numpy as np
import pytest

from fp4ref import emu
from fp4ref import mac
from fp4ref.mac.width import bits_for

# llm-fp4.md §5.2: K, X x W, no shift, with pre-shift (LLM-FP4's bias-0 grids)
SPEC_TABLE = [
    (16, "e2m1_b0", "e2m1_b0", 13, 16),
    (16, "e3m0_b0", "e2m1_b0", 15, 22),
    (16, "e1m2", "e2m1_b0", 12, 13),
    (4096, "e2m1_b0", "e2m1_b0", 21, 24),
    (4096, "e3m0_b0", "e2m1_b0", 23, 30),
    (11008, "e2m1_b0", "e2m1_b0", 22, 25),
    (13824, "e2m1_b0", "e2m1_b0", 22, 25),
]


@pytest.mark.parametrize("k, x, w, plain, shifted", SPEC_TABLE)
def test_worst_case_width_reproduces_the_spec_table(k, x, w, plain, shifted):
    assert mac.worst_case_width(x, w, k).bits == plain
    assert mac.worst_case_width(x, w, k, mac.preshift_range(x)).bits == shifted


def test_the_widths_do_not_depend_on_the_grids_bias():
    # OCP E2M1 (bias 1) has the same integer mapping as the bias-0 grid, only another unit
    assert mac.worst_case_width("e2m1", "e2m1", 16).bits == 13
    assert mac.worst_case_width("e2m1", "e2m1", 16, 3).bound == 18_432


def test_the_bound_is_tight_all_maximum_operands_reach_it():
    for shift_max in (0, 3):
        bound = mac.worst_case_width("e2m1", "e2m1", 16, shift_max)
        x = np.full(16, 0x7)
        res = mac.dot(x, x, "e2m1", "e2m1", bound.bits, "wrap", "tree", 16, np.zeros(16, int), shift_max)
        assert int(res.exact) == bound.bound and not bool(res.overflow)
        narrower = mac.dot(x, x, "e2m1", "e2m1", bound.bits - 1, "wrap", "tree", 16,
                           np.zeros(16, int), shift_max)
        assert bool(narrower.overflow)


def test_the_thirteen_bit_question():
    """16-lane int5-mapped E2M1 MAC: 13 bits hold every plain dot product (±2304), but with
    LLM-FP4's per-channel pre-shift (B = 3) outputs reach 18,432 and need 16 bits."""
    plain = mac.worst_case_width("e2m1", "e2m1", 16)
    assert (plain.bound, plain.bits) == (2304, 13)
    shifted = mac.worst_case_width("e2m1", "e2m1", 16, 3)
    assert (shifted.bound, shifted.bits) == (18432, 16)
    x = np.full(16, 0x7)
    res = mac.dot(x, x, "e2m1", "e2m1", 13, "wrap", "tree", 16, np.zeros(16, int), 3)
    assert bool(res.overflow) and int(res.exact) == 18432 and int(res.acc) == 18432 - 2 * 8192
    text = shifted.explain()
    assert "18,432" in text and "16 bits" in text and "15 bits hold only 16,383" in text


def test_l1_bound_is_between_observed_and_worst_case(rng):
    fx, fw = "e2m1", "e2m1"
    w = rng.integers(0, 16, (8, 64))
    x = rng.integers(0, 16, (32, 64))
    s = rng.integers(0, 4, 64)
    l1 = mac.l1_bound(w, fx, fw, s, 3)
    worst = mac.worst_case_width(fx, fw, 64, 3).bound
    observed = mac.observed_max(x, w, fx, fw, s, 3)
    assert (l1 <= worst).all() and observed <= l1.max()
    # the l1 bound is reached by the activations that match each row's signs at the maximum
    for k in range(8):
        iw = emu.int_map(w[k], fw)
        x_best = np.where(iw < 0, 0xF, 0x7)[None, :]
        assert mac.observed_max(x_best, w[k:k + 1], fx, fw, s, 3, order="tree", lanes=64) == l1[k]
    assert (mac.l1_width(w, fx, fw, s, 3) == [bits_for(b) for b in l1]).all()


@pytest.mark.parametrize("fx, fw, shift_max", [("e2m1", "e2m1", 3), ("e3m0", "e1m2", 0), ("e4m3", "e2m1", 2)])
def test_observed_max_in_tree_order_is_mac_dot(fx, fw, shift_max, rng):
    """Tree order takes mac.gemm a cycle at a time: the same maximum as mac.dot's max_abs, for one
    token, one row, K = 1 and shifts that only one column has."""
    from fp4ref.mac.products import int_format
    cx, cw = int_format(fx).codes.astype(np.int64), int_format(fw).codes.astype(np.int64)
    for m, n, k, lanes in [(5, 4, 70, 16), (1, 6, 33, 16), (5, 1, 9, 4), (3, 4, 1, 16), (4, 3, 20, 1)]:
        x, w = rng.choice(cx, (m, k)), rng.choice(cw, (n, k))
        s = rng.integers(0, shift_max + 1, k) if shift_max else None
        res = mac.dot(x[:, None, :], w[None, :, :], fx, fw, 62, "exact", "tree", lanes, s, shift_max)
        assert mac.observed_max(x, w, fx, fw, s, shift_max, "tree", lanes) == int(res.max_abs.max())


@pytest.mark.parametrize("call, message", [
    (lambda: mac.worst_case_width("e2m1", "e2m1", 0), "positive integer"),
    (lambda: mac.worst_case_width("e2m1", "e2m1", -16), "positive integer"),
    (lambda: mac.worst_case_width("e2m1", "bogus", 16), "unknown format"),
    (lambda: mac.l1_bound(np.zeros(4, int), "e2m1", "e2m1"), "2-D"),
    (lambda: mac.observed_max(np.zeros((2, 3), int), np.zeros((2, 4), int), "e2m1", "e2m1"), "shapes do not match"),
])
def test_bad_input_is_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_the_explanation_is_exact_for_the_13_bit_question():
    """The users' 13-bit question (llm-fp4.md §6d) is answered by explain(): every number in it is
    pinned, with and without LLM-FP4's pre-shift."""
    from fp4ref.mac import worst_case_width

    assert worst_case_width("e2m1", "e2m1", 16, 3).explain() == "\n".join([
        "accumulator width for K = 16 terms of e2m1 (activations) x e2m1 (weights), pre-shift range B = 3",
        "  integer mapping  e2m1: |I| <= 12 (value = I * 2^-1); e2m1: |I| <= 12 (value = I * 2^-1)",
        "  largest product  12 * 12 * 2^3 = 1,152",
        "  largest |sum|    16 * 1,152 = 18,432",
        "  signed width     1 + ceil(log2(18,432 + 1)) = 16 bits (range -32,768 .. 32,767)",
        "  15 bits hold only 16,383: 2,049 short of the worst case",
        "  output scale     acc * 2^-5 * scale_x * scale_w[k]"])
    assert worst_case_width("e3m0", "e2m1", 4, 0).explain() == "\n".join([
        "accumulator width for K = 4 terms of e3m0 (activations) x e2m1 (weights), no pre-shift",
        "  integer mapping  e3m0: |I| <= 64 (value = I * 2^-2); e2m1: |I| <= 12 (value = I * 2^-1)",
        "  largest product  64 * 12 = 768",
        "  largest |sum|    4 * 768 = 3,072",
        "  signed width     1 + ceil(log2(3,072 + 1)) = 13 bits (range -4,096 .. 4,095)",
        "  12 bits hold only 2,047: 1,025 short of the worst case",
        "  output scale     acc * 2^-3 * scale_x * scale_w[k]"])


def test_the_accumulator_check_word_for_word():
    from fp4ref.mac import worst_case_width
    from fp4ref.mac.width import check_accumulator

    assert check_accumulator(worst_case_width("e2m1", "e2m1", 16, 0), 13) == (
        "  check 13-bit accumulator: enough; the all-maximum input sums to 2,304: wrap returns 2,304, "
        "saturate returns 2,304, overflow flag clear")
    assert check_accumulator(worst_case_width("e2m1", "e2m1", 16, 3), 13) == (
        "  check 13-bit accumulator: NOT enough (needs 16); the all-maximum input with every shift 0 "
        "sums to 18,432: wrap returns 2,048, saturate returns 4,095, overflow flag set")


@pytest.mark.parametrize("x_shape, w_shape", [((4,), (3, 4)), ((2, 4), (4,)), ((2, 4), (3, 5))])
def test_observed_max_refuses_each_bad_shape(x_shape, w_shape):
    from fp4ref.mac.width import observed_max

    with pytest.raises(ValueError, match="shapes do not match"):
        observed_max(np.zeros(x_shape, np.uint8), np.zeros(w_shape, np.uint8), "e2m1", "e2m1")
