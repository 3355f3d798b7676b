"""Products of every code pair for every pair of presets against the Python-int reference."""
import numpy as np
import pytest

from fp4ref import emu
from fp4ref import mac
from fp4ref.mac import slow

PAIRS = [(a, b) for a in emu.list_formats() for b in emu.list_formats()]


def finite_codes(fmt):
    return [c for c in range(fmt.n_codes) if not (fmt.is_nan_code(c) or fmt.is_inf_code(c))]


@pytest.mark.parametrize("x, w", PAIRS, ids=[f"{a}x{b}" for a, b in PAIRS])
def test_every_code_pair_product_matches_the_reference(x, w):
    fx, fw = emu.get_format(x), emu.get_format(w)
    cx, cw = finite_codes(fx), finite_codes(fw)
    ix = np.array([slow.int_of(c, fx) for c in cx], object)
    iw = np.array([slow.int_of(c, fw) for c in cw], object)
    table = mac.product_table(fx, fw)
    want = np.outer(ix, iw)
    assert (table[np.ix_(cx, cw)] == want).all()


def test_e2m1_products_are_the_int5_table_squared():
    table = mac.product_table(emu.get_format("e2m1"), emu.get_format("e2m1"))
    assert table.shape == (16, 16)
    assert table.max() == 144 and table.min() == -144
    assert sorted({abs(int(v)) for v in table.ravel()}) == sorted(
        {a * b for a in (0, 1, 2, 3, 4, 6, 8, 12) for b in (0, 1, 2, 3, 4, 6, 8, 12)})


def test_preshift_multiplies_by_two_to_the_b_minus_s():
    p = mac.products([7, 7, 7, 7], [7, 7, 7, 7], "e2m1", "e2m1", shifts=[0, 1, 2, 3], shift_max=3)
    assert p.tolist() == [144 * 8, 144 * 4, 144 * 2, 144]


def test_products_too_wide_for_int64_are_exact_python_ints():
    f = emu.get_format("e5m2")
    table = mac.product_table(f, f)
    assert table.dtype == object and table[0x7B, 0x7B] == (7 << 29) ** 2      # 57344^2 / 2^-32
    with pytest.raises(ValueError, match="need 65 signed bits"):
        mac.products([0x7B], [0x7B], f, f)


@pytest.mark.parametrize("kwargs, message", [
    (dict(cx=[16], cw=[1], fx="e2m1", fw="e2m1"), "outside e2m1"),
    (dict(cx=[0x7F], cw=[1], fx="e4m3", fw="e4m3"), "NaN or Inf"),
    (dict(cx=[1, 2], cw=[1, 2, 3], fx="e2m1", fw="e2m1"), "shapes do not match"),
    (dict(cx=[1], cw=[1], fx="e2m1", fw="e2m1", shifts=[4], shift_max=3), "0..3"),
    (dict(cx=[1], cw=[1], fx="e2m1", fw="e2m1", shift_max=-1), "shift_max"),
])
def test_bad_operands_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        mac.products(**kwargs)
