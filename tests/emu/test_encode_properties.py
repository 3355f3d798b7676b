"""hypothesis properties of encode over presets and random valid formats (docs/encoding.md §3).

The conftest's 'ci' profile derandomizes hypothesis, so CI runs are reproducible; set
HYPOTHESIS_PROFILE=thorough for a longer random search.
"""
from fractions import Fraction

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st

from fp4ref import emu
from fp4ref.emu import FloatFormat
from fp4ref.emu.presets import PRESETS
from fp4ref.emu.spec import SPECIALS


@st.composite
def formats(draw):
    if draw(st.booleans()):
        return draw(st.sampled_from(list(PRESETS.values())))
    exp_w = draw(st.integers(1, 7))
    man_w = draw(st.integers(0, 7 - exp_w))
    try:
        return FloatFormat("random", exp_w=exp_w, man_w=man_w, bias=draw(st.integers(-8, 40)),
                           subnormals=draw(st.booleans()), specials=draw(st.sampled_from(SPECIALS)))
    except ValueError:
        assume(False)


finite = st.floats(allow_nan=False, allow_infinity=False, allow_subnormal=True, width=64)


def interesting(fmt, data):
    """A float64 near where rounding decides: a grid value, a midpoint (tie), one ulp either side
    of it, or anything at all."""
    grid = finite_values(fmt)
    grid = grid + [grid[-1] * 2]      # one point past max (overflow ties)
    i = data.draw(st.integers(0, len(grid) - 2))
    mid = float((grid[i] + grid[i + 1]) / 2)
    kind = data.draw(st.sampled_from(["grid", "tie", "below", "above", "any"]))
    x = {"grid": float(grid[i]), "tie": mid, "below": np.nextafter(mid, -np.inf),
         "above": np.nextafter(mid, np.inf), "any": data.draw(finite)}[kind]
    return -x if data.draw(st.booleans()) else x


def value(code, fmt):
    return Fraction(float(emu.decode(np.uint8(code), fmt)))


def enc(x, fmt, rounding="rne", **kw):
    return int(emu.encode(np.float64(x), fmt, rounding=rounding, **kw))


def finite_values(fmt):
    """Sorted exact magnitudes of the canonical finite non-negative codes."""
    return sorted({fmt.code_value(c) for c in range(fmt.max_code + 1) if fmt.is_canonical(c)})


@given(formats(), st.data(), st.sampled_from(["rne", "rna", "rtz", "rup", "rdn"]))
def test_encode_is_monotonic(fmt, data, rounding):
    a, b = interesting(fmt, data), interesting(fmt, data)
    lo, hi = min(a, b), max(a, b)
    assert value(enc(lo, fmt, rounding), fmt) <= value(enc(hi, fmt, rounding), fmt)


@given(formats(), st.data(), st.sampled_from(["rne", "rna", "rtz"]))
def test_symmetric_modes_are_sign_symmetric(fmt, data, rounding):
    x = interesting(fmt, data)
    assert value(enc(-x, fmt, rounding), fmt) == -value(enc(x, fmt, rounding), fmt)
    if fmt.has_neg_zero:
        assert enc(-x, fmt, rounding) == enc(x, fmt, rounding) ^ fmt.sign_bit


@given(formats(), st.data())
def test_directed_modes_mirror_each_other(fmt, data):
    x = interesting(fmt, data)
    assert value(enc(-x, fmt, "rup"), fmt) == -value(enc(x, fmt, "rdn"), fmt)


@given(formats())
def test_decode_then_encode_is_the_identity_on_codes(fmt):
    codes = np.arange(fmt.n_codes)
    canonical = np.array([fmt.is_canonical(int(c)) for c in codes])
    overflow = "inf" if fmt.has_inf or fmt.has_nan else "saturate"
    for rounding in ("rne", "rna", "rtz", "rup", "rdn"):
        back, flags = emu.encode(emu.decode(codes, fmt), fmt, rounding=rounding, overflow=overflow,
                                 nan="nan" if fmt.has_nan else "zero", flags=True)
        same = back == codes
        nan_codes = np.array([fmt.is_nan_code(int(c)) for c in codes])
        # NaN codes come back as the canonical NaN; everything else exactly, without flags
        assert same[canonical & ~nan_codes].all()
        assert (flags[canonical & ~nan_codes] == 0).all()


@given(formats(), st.data(), st.sampled_from(["rne", "rna"]))
def test_round_to_nearest_is_nearest_and_ties_follow_the_mode(fmt, data, rounding):
    x = interesting(fmt, data)
    x = Fraction(x)
    assume(abs(x) <= fmt.max_value)
    got = abs(value(enc(float(x), fmt, rounding), fmt))
    grid = finite_values(fmt)
    best = min(abs(abs(x) - g) for g in grid)
    assert abs(abs(x) - got) == best
    ties = [g for g in grid if abs(abs(x) - g) == best]
    if len(ties) == 2:
        lo, hi = ties
        if rounding == "rna":
            assert got == hi
        else:   # the even integer significand (docs/encoding.md §3.4, "The grid")
            step = _step(fmt, lo)
            assert got == (lo if (lo / step) % 2 == 0 else hi)


def _step(fmt, g):
    if g < fmt.min_normal:
        return fmt.min_subnormal if fmt.subnormals and fmt.man_w else fmt.min_normal
    k = 0
    while Fraction(2) ** (k + 1) <= g:
        k += 1
    while Fraction(2) ** k > g:
        k -= 1
    return Fraction(2) ** (k - fmt.man_w)


@given(formats(), st.data())
def test_rtz_never_increases_magnitude(fmt, data):
    x = interesting(fmt, data)
    assert abs(value(enc(x, fmt, "rtz"), fmt)) <= abs(Fraction(x))


@given(formats(), st.data())
def test_rup_and_rdn_are_directed(fmt, data):
    x = interesting(fmt, data)
    assume(abs(Fraction(x)) <= fmt.max_value)     # beyond max, saturation clamps
    assert value(enc(x, fmt, "rup"), fmt) >= Fraction(x)
    assert value(enc(x, fmt, "rdn"), fmt) <= Fraction(x)


@given(formats(), st.integers(1, 10), st.data())
def test_stochastic_rounding_returns_a_neighbour(fmt, sr_bits, data):
    x = interesting(fmt, data)
    assume(abs(Fraction(x)) <= fmt.max_value)
    rand = data.draw(st.integers(0, (1 << sr_bits) - 1))
    got = value(int(emu.encode(np.float64(x), fmt, rounding="sr", rand=rand, sr_bits=sr_bits)), fmt)
    assert got in (value(enc(x, fmt, "rdn"), fmt), value(enc(x, fmt, "rup"), fmt))


@given(formats(), st.integers(1, 8), st.data())
def test_stochastic_rounding_is_unbiased_over_every_rand(fmt, sr_bits, data):
    # an input whose discarded part fits in sr_bits: lo + k/2^sr_bits of a step
    grid = finite_values(fmt)
    i = data.draw(st.integers(0, len(grid) - 2))
    k = data.draw(st.integers(0, (1 << sr_bits) - 1))
    lo, hi = grid[i], grid[i + 1]
    x = lo + (hi - lo) * Fraction(k, 1 << sr_bits)
    assume(float(x) == x)
    rand = np.arange(1 << sr_bits)
    codes = emu.encode(np.full(rand.shape, float(x)), fmt, rounding="sr", rand=rand, sr_bits=sr_bits)
    results = [Fraction(float(v)) for v in emu.decode(codes, fmt)]
    assert set(results) <= {lo, hi}
    assert sum(results) / len(results) == x         # exactly unbiased, no tolerance
