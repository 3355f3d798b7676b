"""The table path (a lookup over every distinct case) equals the direct integer path.

For float32 the table keys on the top 16 bits plus the OR of the low 16; emu/encode.py argues
why that is enough. These tests try to break the argument: random patterns, the structured
sweep, and every low half that sits next to a rounding point.
"""
import numpy as np
import pytest

from fp4ref import emu
from fp4ref.emu.encode import _direct, _table_ok
from fp4ref.emu.round import DETERMINISTIC
from fp4ref.emu.unpack import SOURCES


def float32_cases(rng):
    random = rng.integers(0, 1 << 32, size=1 << 18, dtype=np.uint64).astype(np.uint32)
    top = rng.integers(0, 1 << 16, size=1 << 12, dtype=np.uint32) << 16
    lows = np.array([0, 1, 2, 0x7FFF, 0x8000, 0x8001, 0xFFFE, 0xFFFF], np.uint32)
    structured = (top[:, None] | lows[None, :]).ravel()
    return np.concatenate([random, structured])


@pytest.mark.parametrize("rounding", DETERMINISTIC)
@pytest.mark.parametrize("name", emu.list_formats())
def test_table_path_equals_direct_path_float32(name, rounding, rng):
    fmt = emu.get_format(name)
    assert _table_ok(fmt, "float32")
    bits = float32_cases(rng)
    overflow = "inf" if (fmt.has_inf or fmt.has_nan) else "saturate"
    codes, flags = emu.encode(bits.view(np.float32), fmt, rounding=rounding, overflow=overflow,
                              nan="zero", flags=True)
    want_codes, want_flags = _direct(bits, SOURCES["float32"], fmt, rounding, overflow, "zero", None, 8)
    assert np.array_equal(codes, want_codes)
    assert np.array_equal(flags, want_flags)


def test_formats_outside_the_table_argument_use_the_direct_path():
    wide_bias = emu.FloatFormat("e4m3_b140", exp_w=4, man_w=3, bias=140)
    assert not _table_ok(wide_bias, "float32")
    # float32 subnormals: the tie 2^-143 plus the lowest float32 bit must round up to 2^-142
    x = np.array([2.0 ** -140, 3 * 2.0 ** -142, 2.0 ** -143 + 2.0 ** -149, 2.0 ** -143], np.float32)
    got = emu.decode(emu.encode(x, wide_bias), wide_bias).tolist()
    assert got == [2.0 ** -140, 3 * 2.0 ** -142, 2.0 ** -142, 0.0]
