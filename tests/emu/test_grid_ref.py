"""The grid reference (emu/grid_ref.py) that `make exhaustive` uses where ml_dtypes has no type
or no rounding mode: against the exact-rational reference, against emu on structured and random
float32, and its run-length form against itself."""
import numpy as np
import pytest

from fp4ref.emu import encode, get_format, list_formats
from fp4ref.emu import slow
from fp4ref.emu.grid_ref import MODES, GridReference, expand, nan_policy, segments


def inputs(rng) -> np.ndarray:
    """Random patterns, every pattern near each grid point and midpoint of E4M3's range, specials."""
    special = np.array([0, 0x80000000, 0x7F800000, 0xFF800000, 0x7FC00000, 0xFFC00001, 1, 0x80000001,
                        0x7F7FFFFF, 0xFF7FFFFF, 0x00800000], dtype=np.uint32)
    near = (np.arange(0x3A000000, 0x44000000, 1 << 16, dtype=np.uint64)[:, None]
            + np.arange(-2, 3)[None, :]).ravel().astype(np.uint32)
    rand = rng.integers(0, 1 << 32, 200_000, dtype=np.uint64).astype(np.uint32)
    bits = np.concatenate([special, near, near | 0x80000000, rand])
    return bits.view(np.float32)


@pytest.mark.parametrize("name", list_formats())
def test_grid_reference_matches_emu_every_mode(name, rng):
    fmt = get_format(name)
    ref = GridReference(fmt)
    x = inputs(rng)
    for mode in MODES:
        codes, flags = ref.encode(x, mode)
        want_c, want_f = encode(x, fmt, rounding=mode, overflow="saturate", nan=nan_policy(fmt), flags=True)
        bad = np.flatnonzero((codes != want_c) | (flags != want_f))
        assert bad.size == 0, (mode, x[bad[:3]], codes[bad[:3]], want_c[bad[:3]])


@pytest.mark.parametrize("name", ["e2m1", "e3m0", "e2m1_nosub", "e4m3fnuz", "e5m2"])
def test_grid_reference_matches_the_exact_rational_reference(name, rng):
    fmt = get_format(name)
    ref = GridReference(fmt)
    x = inputs(rng)[:: 97].copy()
    for mode in MODES:
        codes, flags = ref.encode(x, mode)
        want_c, want_f = slow.encode(x, fmt, rounding=mode, overflow="saturate", nan=nan_policy(fmt))
        assert np.array_equal(codes, want_c) and np.array_equal(flags, want_f), mode


@pytest.mark.parametrize("mode", MODES)
def test_run_length_form_equals_the_reference(mode):
    ref = GridReference(get_format("e2m3"))
    starts, codes, flags = segments(ref, mode)
    assert starts[0] == 0 and (np.diff(starts) > 0).all()
    for lo in (0, 0x3E800000, 0x7F7F0000, 0x80000000, 0xC0000000, (1 << 32) - (1 << 18)):
        hi = min(lo + (1 << 18), 1 << 32)
        bits = np.arange(lo, hi, dtype=np.uint64).astype(np.uint32)
        c, f = ref.encode(bits.view(np.float32), mode)
        assert np.array_equal(expand(starts, codes, lo, hi), c)
        assert np.array_equal(expand(starts, flags, lo, hi), f)
