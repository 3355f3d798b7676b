"""Every float16 and every bfloat16 bit pattern, every preset, every rounding mode: the fast
engine (emu.encode) and the independent exact-rational reference (emu.slow) give the same codes
and the same flags. Zero mismatches is the only pass."""
import ml_dtypes
import numpy as np
import pytest

from fp4ref import emu
from fp4ref.emu import slow
from fp4ref.emu.round import DETERMINISTIC

ALL16 = np.arange(1 << 16, dtype=np.uint16)
SOURCES = {"float16": ALL16.view(np.float16), "bfloat16": ALL16.view(ml_dtypes.bfloat16)}


def overflow_policies(fmt):
    return ["saturate", "inf"] if fmt.has_inf or fmt.has_nan else ["saturate"]


CASES = [(name, src, rounding, overflow)
         for name in emu.list_formats()
         for src in SOURCES
         for rounding in DETERMINISTIC
         for overflow in overflow_policies(emu.get_format(name))]


def assert_same(x, fmt, **options):
    ours, our_flags = emu.encode(x, fmt, flags=True, **options)
    ref, ref_flags = slow.encode(x, fmt, **options)
    bad = np.flatnonzero((ours != ref) | (our_flags != ref_flags))
    assert bad.size == 0, (f"{bad.size} mismatches, e.g. " + ", ".join(
        f"{x.view(np.uint16)[i]:#06x}: fast {ours[i]:#x}/{our_flags[i]} ref {ref[i]:#x}/{ref_flags[i]}"
        for i in bad[:4]))


@pytest.mark.slow
@pytest.mark.parametrize("name, src, rounding, overflow", CASES,
                         ids=[f"{n}-{s}-{r}-{o}" for n, s, r, o in CASES])
def test_every_16bit_input_matches_the_exact_reference(name, src, rounding, overflow):
    fmt = emu.get_format(name)
    assert_same(SOURCES[src], fmt, rounding=rounding, overflow=overflow,
                nan="nan" if fmt.has_nan else "zero")


@pytest.mark.parametrize("nan", ["zero", "max", "ml_dtypes"])
@pytest.mark.parametrize("name", emu.list_formats())
def test_nan_policies_match_the_exact_reference(name, nan):
    x = SOURCES["float16"]
    specials = x[~np.isfinite(x.astype(np.float32))]          # every NaN and Inf pattern
    assert_same(specials, emu.get_format(name), nan=nan)


@pytest.mark.slow
@pytest.mark.parametrize("sr_bits", [3, 8])
@pytest.mark.parametrize("name", emu.list_formats())
def test_stochastic_rounding_matches_the_exact_reference(name, sr_bits, rng):
    fmt = emu.get_format(name)
    x = SOURCES["bfloat16"] if sr_bits == 3 else SOURCES["float16"]
    rand = rng.integers(0, 1 << sr_bits, size=x.shape)
    assert_same(x, fmt, rounding="sr", rand=rand, sr_bits=sr_bits,
                nan="nan" if fmt.has_nan else "zero")


def test_error_policies_raise_in_both():
    fmt = emu.get_format("e2m1")
    for impl in (emu.encode, slow.encode):
        with pytest.raises(ValueError):
            impl(np.array([1.0, 1e6], np.float32), fmt, overflow="error")
        with pytest.raises(ValueError):
            impl(np.array([np.nan], np.float32), fmt)
