"""Dot products and accumulation policies against the Python-int reference, plus the corner
cases a designer cares about: the bound hit exactly and exceeded by one, order dependence."""
import numpy as np
import pytest

from fp4ref import emu
from fp4ref import mac
from fp4ref.mac import slow

E2M1 = emu.get_format("e2m1")
CONFIGS = [(acc_w, policy, order, lanes, shift_max)
           for acc_w in (4, 9, 13, 16) for policy in ("wrap", "saturate", "exact")
           for order in ("sequential", "tree") for lanes in (1, 5, 16) for shift_max in (0, 3)]


@pytest.mark.parametrize("acc_w, policy, order, lanes, shift_max", CONFIGS)
def test_random_dot_products_match_the_reference(acc_w, policy, order, lanes, shift_max, rng):
    k = 37
    cx = rng.integers(0, 16, (20, k))
    cw = rng.integers(0, 16, (20, k))
    shifts = rng.integers(0, shift_max + 1, k)
    acc_in = rng.integers(-(1 << (acc_w - 1)), 1 << (acc_w - 1), 20)
    res = mac.dot(cx, cw, E2M1, E2M1, acc_w, policy, order, lanes, shifts, shift_max, acc_in)
    group = lanes if order == "tree" else 1
    for i in range(20):
        want = slow.dot(cx[i].tolist(), cw[i].tolist(), E2M1, E2M1, acc_w, policy, group,
                        shifts.tolist(), shift_max, int(acc_in[i]))
        assert (int(res.acc[i]), bool(res.overflow[i])) == want


def test_mixed_formats_match_the_reference(rng):
    fx, fw = emu.get_format("e3m0_b0"), emu.get_format("e2m1_b0")
    cx, cw, s = rng.integers(0, 16, 64), rng.integers(0, 16, 64), rng.integers(0, 8, 64)
    res = mac.dot(cx, cw, fx, fw, 30, "wrap", "tree", 16, s, 7)
    assert (int(res.acc), bool(res.overflow)) == slow.dot(cx.tolist(), cw.tolist(), fx, fw, 30, "wrap", 16, s.tolist(), 7)


def all_max(k, sign=0):
    return np.full(k, 0x7 | sign), np.full(k, 0x7)


def test_sixteen_lanes_of_e2m1_fit_thirteen_bits_exactly_at_the_bound():
    x, w = all_max(16)
    for acc_w, overflow in ((13, False), (12, True)):
        res = mac.dot(x, w, "e2m1", "e2m1", acc_w)
        assert int(res.exact) == 2304 and bool(res.overflow) == overflow


@pytest.mark.parametrize("acc_w", [9, 13, 16])
def test_sums_at_the_limits_of_the_accumulator(acc_w):
    hi, lo = (1 << (acc_w - 1)) - 1, -(1 << (acc_w - 1))
    for target, overflow in ((hi, False), (hi + 1, True), (lo, False), (lo - 1, True)):
        cx, cw = terms_summing_to(target)
        res = mac.dot(cx, cw, "e2m1", "e2m1", acc_w, "saturate", "tree", lanes=len(cx))
        assert int(res.exact) == target
        assert bool(res.overflow) == overflow
        assert int(res.acc) == min(max(target, lo), hi)
        wrapped = mac.dot(cx, cw, "e2m1", "e2m1", acc_w, "wrap", "tree", lanes=len(cx))
        assert int(wrapped.acc) == (target - lo) % (1 << acc_w) + lo


def terms_summing_to(target):
    """E2M1 code pairs whose products (I = 12 * 12 and 1 * 1 steps) sum exactly to target."""
    sign = 0x8 if target < 0 else 0
    big, rest = divmod(abs(target), 144)
    cx = [0x7 | sign] * big + [0x1 | sign] * rest       # 144 each, then 1 each
    cw = [0x7] * big + [0x1] * rest
    return np.array(cx), np.array(cw)


def test_wrap_is_order_free_but_saturate_is_not():
    cx = np.array([0x7, 0x7, 0xF, 0xF])              # +12, +12, -12, -12 times 12
    cw = np.array([0x7, 0x7, 0x7, 0x7])
    seq = mac.dot(cx, cw, "e2m1", "e2m1", 9, "saturate", "sequential")   # 9 bits: 255 max
    tree = mac.dot(cx, cw, "e2m1", "e2m1", 9, "saturate", "tree", lanes=4)
    assert int(seq.acc) == 255 - 288 and bool(seq.overflow)                 # clamped on the way up
    assert int(tree.acc) == 0 and not bool(tree.overflow)                   # exact tree: sum 0
    for order in ("sequential", "tree"):
        assert int(mac.dot(cx, cw, "e2m1", "e2m1", 9, "wrap", order, lanes=4).acc) == 0


@pytest.mark.parametrize("kwargs, message", [
    (dict(acc_w=1), "2..62 bits"),
    (dict(acc_w=13, lanes=0), "lanes: must be a positive integer"),
    (dict(acc_w=13, lanes=-3), "lanes: must be a positive integer"),
    # sequential order never groups, but lanes is still checked (docs: lanes < 1 is an error)
    (dict(acc_w=13, order="sequential", lanes=0), "lanes: must be a positive integer"),
    (dict(acc_w=13, order="sequential", lanes=2.0), "lanes: must be a positive integer"),
    (dict(acc_w=13, policy="clip"), "policy: must be one of"),
    (dict(acc_w=13, order="random"), "order: must be one of"),
])
def test_bad_parameters_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        mac.dot([1, 2], [3, 4], "e2m1", "e2m1", **kwargs)
