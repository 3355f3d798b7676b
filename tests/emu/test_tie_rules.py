"""The tie rules found in the wild (formats.md §10) beside rne and rna: rnz (ties toward zero,
the smaller magnitude), rnm (toward -infinity, the lower neighbour), rnp (toward +infinity).
A table of E2M1 ties written from the grid (docs/encoding.md §3.4), every float16 pattern of
three formats against the exact-rational reference (emu.slow), and the table path against the
direct path on float32."""
import numpy as np
import pytest

from fp4ref import emu
from fp4ref.emu import slow
from fp4ref.emu.encode import _direct
from fp4ref.emu.round import MODES, TIE_VARIANTS
from fp4ref.emu.unpack import SOURCES

# E2M1 magnitudes 0, 0.5, 1, 1.5, 2, 3, 4, 6 are codes 0..7; -x is code | 8.
#: input -> (rne, rna, rnz, rnm, rnp): every tie of the grid, both signs, and a non-tie
TIES = {
    0.25: (0, 1, 0, 0, 1),        # 0 | 0.5
    0.75: (2, 2, 1, 1, 2),        # 0.5 | 1 (1 has the even significand)
    1.25: (2, 3, 2, 2, 3),
    1.75: (4, 4, 3, 3, 4),
    2.5: (4, 5, 4, 4, 5),
    3.5: (6, 6, 5, 5, 6),
    5.0: (6, 7, 6, 6, 7),
    -0.25: (8, 9, 8, 9, 8),
    -0.75: (10, 10, 9, 10, 9),
    -2.5: (12, 13, 12, 13, 12),
    -5.0: (14, 15, 14, 15, 14),
    2.6: (5, 5, 5, 5, 5),         # not a tie: nearest whatever the rule
    -2.4: (12, 12, 12, 12, 12),
}


@pytest.mark.parametrize("rounding", ["rne", "rna", *TIE_VARIANTS])
def test_e2m1_ties_follow_each_rule(rounding):
    col = ["rne", "rna", *TIE_VARIANTS].index(rounding)
    x = np.array(list(TIES), dtype=np.float32)
    got = emu.encode(x, "e2m1", rounding=rounding)
    want = np.array([v[col] for v in TIES.values()], dtype=np.uint8)
    assert got.tolist() == want.tolist()


def test_the_tie_rules_have_no_hardware_mode_code():
    """mode_i of the reference RTL is the index in MODES: the variants must not shift it."""
    assert MODES == ("rne", "rna", "rtz", "rup", "rdn", "sr")
    assert not set(TIE_VARIANTS) & set(MODES)


ALL16 = np.arange(1 << 16, dtype=np.uint16).view(np.float16)


@pytest.mark.parametrize("rounding", TIE_VARIANTS)
@pytest.mark.parametrize("name, overflow", [("e2m1", "saturate"), ("e4m3", "inf"), ("e5m2", "inf"),
                                            ("e3m0", "saturate")])
def test_every_float16_matches_the_exact_reference(name, overflow, rounding):
    fmt = emu.get_format(name)
    nan = "nan" if fmt.has_nan else "zero"
    ours, our_flags = emu.encode(ALL16, fmt, rounding=rounding, overflow=overflow, nan=nan, flags=True)
    ref, ref_flags = slow.encode(ALL16, fmt, rounding=rounding, overflow=overflow, nan=nan)
    bad = np.flatnonzero((ours != ref) | (our_flags != ref_flags))
    assert bad.size == 0, [(hex(int(ALL16.view(np.uint16)[i])), int(ours[i]), int(ref[i])) for i in bad[:4]]


@pytest.mark.parametrize("rounding", TIE_VARIANTS)
def test_table_path_equals_direct_path_float32(rounding, rng):
    bits = rng.integers(0, 1 << 32, size=1 << 16, dtype=np.uint64).astype(np.uint32)
    for name in ("e2m1", "e4m3"):
        fmt = emu.get_format(name)
        codes = emu.encode(bits.view(np.float32), fmt, rounding=rounding, nan="zero")
        want, _ = _direct(bits, SOURCES["float32"], fmt, rounding, "saturate", "zero", None, 8)
        assert np.array_equal(codes, want)
