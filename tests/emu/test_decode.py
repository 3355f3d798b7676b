"""decode / decode_int / int_map against the spec tables, ml_dtypes, and each other."""
import math
from fractions import Fraction

import ml_dtypes
import numpy as np
import pytest

from fp4ref import emu
from fp4ref.emu.conventions import ML_DTYPES_NAMES
from fp4ref.emu.decode import FINITE, INF, NAN
from tests.spec_tables import EMAX, INF as SPEC_INF, INT_MAP_TABLE, MAX_VALUES, NAN as SPEC_NAN, SPEC_TABLES


@pytest.mark.parametrize("name", SPEC_TABLES)
def test_decode_every_code_matches_spec_table(name):
    fmt = emu.get_format(name)
    table = SPEC_TABLES[name]
    assert len(table) == fmt.n_codes
    got = emu.decode(np.arange(fmt.n_codes), fmt)
    for code, want in table.items():
        negative = bool(code & fmt.sign_bit)
        if want == SPEC_NAN:
            assert math.isnan(got[code]), f"{code:#x}"
        elif want == SPEC_INF:
            assert got[code] == (-math.inf if negative else math.inf), f"{code:#x}"
        else:
            assert Fraction(got[code]) == want, f"{name} {code:#x}: {got[code]} != {want}"
            assert math.copysign(1, got[code]) == (-1 if negative else 1), f"{code:#x} sign"


@pytest.mark.parametrize("name", ML_DTYPES_NAMES)
def test_decode_every_code_matches_ml_dtypes(name):
    fmt = emu.get_format(name)
    dtype = getattr(ml_dtypes, ML_DTYPES_NAMES[name])
    codes = np.arange(fmt.n_codes, dtype=np.uint8)
    theirs = codes.view(dtype).astype(np.float64)
    ours = emu.decode(codes, fmt)
    same = (ours == theirs) | (np.isnan(ours) & np.isnan(theirs))
    assert same.all(), [hex(c) for c in codes[~same]]
    finite = np.isfinite(ours)
    assert (np.signbit(ours[finite]) == np.signbit(theirs[finite])).all()


@pytest.mark.parametrize("name", emu.list_formats())
def test_decode_int_reproduces_decode(name):
    fmt = emu.get_format(name)
    codes = np.arange(fmt.n_codes)
    v = emu.decode(codes, fmt)
    iv = emu.decode_int(codes, fmt)
    for c in codes:
        if iv.kind[c] == FINITE:
            exact = Fraction(int(iv.sig[c])) * Fraction(2) ** int(iv.exp[c])
            assert Fraction(v[c]) == (-exact if iv.sign[c] else exact)
        elif iv.kind[c] == NAN:
            assert math.isnan(v[c])
        else:
            assert iv.kind[c] == INF and math.isinf(v[c])


@pytest.mark.parametrize("name", emu.list_formats())
def test_int_map_times_unit_is_the_value(name):
    fmt = emu.get_format(name)
    codes = [c for c in range(fmt.n_codes) if not (fmt.is_nan_code(c) or fmt.is_inf_code(c))]
    ints = emu.int_map(codes, fmt)
    values = emu.decode(codes, fmt)
    for c, i, v in zip(codes, ints, values):
        assert Fraction(int(i)) * Fraction(2) ** fmt.int_unit_exp == Fraction(v), hex(c)
    assert int(np.abs(ints).max()) == fmt.int_max
    assert fmt.int_max < 1 << (fmt.int_w - 1) and fmt.int_max >= 1 << (fmt.int_w - 2)


def test_e2m1_integer_mapping_is_the_int5_set():
    ints = emu.int_map(np.arange(16), "e2m1")
    assert sorted(set(ints.tolist())) == [-12, -8, -6, -4, -3, -2, -1, 0, 1, 2, 3, 4, 6, 8, 12]
    assert emu.get_format("e2m1").int_w == 5 and emu.get_format("e2m1").int_unit_exp == -1


@pytest.mark.parametrize("name", INT_MAP_TABLE)
def test_int_map_matches_llm_fp4_table(name):
    magnitudes, int_max, width = INT_MAP_TABLE[name]
    fmt = emu.get_format(name)
    ints = emu.int_map(np.arange(fmt.n_codes), fmt)
    assert sorted(set(np.abs(ints).tolist())) == magnitudes
    assert (fmt.int_max, fmt.int_w) == (int_max, width)


@pytest.mark.parametrize("name", MAX_VALUES)
def test_max_and_emax_match_formats_md(name):
    fmt = emu.get_format(name)
    assert fmt.max_value == MAX_VALUES[name]
    assert fmt.emax == EMAX[name]


def test_e4m3_min_normal_and_subnormal_match_formats_md():
    fmt = emu.get_format("e4m3")
    assert fmt.min_normal == Fraction(1, 64) and fmt.min_subnormal == Fraction(1, 512)


@pytest.mark.parametrize("codes, message", [
    ([0, 16], "outside e2m1"),
    ([-1], "outside e2m1"),
    (np.array([0.5]), "must be integers"),
])
def test_decode_rejects_codes_outside_the_format(codes, message):
    with pytest.raises(ValueError, match=message):
        emu.decode(codes, "e2m1")


def test_int_map_rejects_nan_and_inf_codes():
    with pytest.raises(ValueError, match="NaN or Inf"):
        emu.int_map([0x7F], "e4m3")
    with pytest.raises(ValueError, match="NaN or Inf"):
        emu.int_map([0x7C], "e5m2")
