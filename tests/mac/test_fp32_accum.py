"""float32 accumulation: equal to the exact sum while it is representable, and the textbook
ways it is not (ties to even swallowing a 1, order dependence)."""
import numpy as np
import pytest

from fp4ref import emu
from fp4ref import mac

E5M2 = emu.get_format("e5m2")
TWO15 = int(emu.encode(np.float32(2.0 ** 15), E5M2))
TWO9 = int(emu.encode(np.float32(2.0 ** 9), E5M2))
ONE = int(emu.encode(np.float32(1.0), E5M2))


def test_small_integer_sums_are_exact_in_float32(rng):
    cx, cw = rng.integers(0, 16, (50, 64)), rng.integers(0, 16, (50, 64))
    exact = mac.dot(cx, cw, "e2m1", "e2m1", 40, "exact").exact * 0.25
    for order in ("sequential", "tree"):
        assert np.array_equal(mac.fp32_dot(cx, cw, "e2m1", "e2m1", order).astype(np.float64), exact)


def test_a_tie_to_even_swallows_a_one():
    # products 2^24, 1, -2^24: fl32(2^24 + 1) = 2^24 (the tie goes to the even significand)
    cx = [TWO15, ONE, TWO15 | 0x80]
    cw = [TWO9, ONE, TWO9]
    assert float(mac.fp32_dot(cx, cw, E5M2, E5M2, "sequential")) == 0.0
    exact = sum(emu.decode(cx, E5M2) * emu.decode(cw, E5M2))      # float64 holds this sum exactly
    assert exact == 1.0


def test_the_order_changes_the_float32_result():
    # 2^24, 1, 1, -2^24 (exact sum 2): sequential loses both ones (each a tie to even) and gives
    # 0; a tree of 4 adds (2^24 + 1) -> 2^24 and (1 - 2^24) exactly, then gives 1
    cx = [TWO15, ONE, ONE, TWO15 | 0x80]
    cw = [TWO9, ONE, ONE, TWO9]
    assert float(mac.fp32_dot(cx, cw, E5M2, E5M2, "sequential")) == 0.0
    assert float(mac.fp32_dot(cx, cw, E5M2, E5M2, "tree", lanes=4)) == 1.0
    assert sum(emu.decode(cx, E5M2) * emu.decode(cw, E5M2)) == 2.0


@pytest.mark.parametrize("order", ["sequential", "tree"])
def test_no_terms_give_one_zero_per_dot_product(order):
    # shape (3, 0): three empty dot products are three float32 zeros, not one
    out = mac.fp32_dot(np.zeros((3, 0), np.uint8), np.zeros((3, 0), np.uint8), "e2m1", "e2m1", order)
    assert out.shape == (3,) and out.dtype == np.float32 and not out.any()


def test_bad_order_is_named():
    with pytest.raises(ValueError, match="order"):
        mac.fp32_dot([1], [1], "e2m1", "e2m1", "kahan")


def test_pre_shifted_products_keep_the_layer_scale(rng):
    cx, cw, s = rng.integers(0, 16, (20, 64)), rng.integers(0, 16, (20, 64)), rng.integers(0, 4, 64)
    exact = mac.dot(cx, cw, "e2m1", "e2m1", 40, "exact", shifts=s, shift_max=3).exact
    unit = 2.0 ** (2 * emu.get_format("e2m1").int_unit_exp - 3)      # docs/mac.md §4
    got = mac.fp32_dot(cx, cw, "e2m1", "e2m1", shifts=s, shift_max=3)
    assert np.array_equal(got.astype(np.float64), exact * unit)
