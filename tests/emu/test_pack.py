"""pack_x2 / unpack_x2 nibble order and ml_dtypes views."""
import ml_dtypes
import numpy as np
import pytest

from fp4ref import emu


def test_first_element_goes_to_the_low_nibble():
    # docs/encoding.md §4, as torch.float4_e2m1fn_x2: element 0 in bits 0-3, element 1 in bits 4-7
    assert emu.pack_x2([0x1, 0x2]).tolist() == [0x21]
    assert emu.pack_x2([[0xF, 0x0, 0x3, 0xC]]).tolist() == [[0x0F, 0xC3]]


def test_unpack_inverts_pack_for_every_pair_of_codes():
    pairs = np.array([(a, b) for a in range(16) for b in range(16)], np.uint8)
    assert np.array_equal(emu.unpack_x2(emu.pack_x2(pairs)), pairs)
    assert sorted(emu.pack_x2(pairs).ravel().tolist()) == list(range(256))


@pytest.mark.parametrize("codes, fmt, message", [
    ([1, 2, 3], "e2m1", "even length"),
    ([1, 16], "e2m1", "outside e2m1"),
    ([1, 2], "e4m3", "only <= 4-bit"),
])
def test_pack_rejects_bad_input(codes, fmt, message):
    with pytest.raises(ValueError, match=message):
        emu.pack_x2(codes, fmt)


def test_ml_dtypes_views_round_trip():
    codes = np.arange(16, dtype=np.uint8)
    arr = emu.to_ml_dtypes(codes, "e2m1")
    assert arr.dtype == ml_dtypes.float4_e2m1fn
    assert arr.astype(np.float64).tolist() == emu.decode(codes, "e2m1").tolist()
    back, fmt = emu.from_ml_dtypes(arr)
    assert fmt.name == "e2m1" and np.array_equal(back, codes)


def test_ml_dtypes_views_refuse_formats_ml_dtypes_lacks():
    with pytest.raises(ValueError, match="no type for e2m1_b0"):
        emu.to_ml_dtypes([0], "e2m1_b0")
    # the error names the dtype it was given (not the array's Python type)
    with pytest.raises(ValueError, match="dtype float32 is not an ml_dtypes type"):
        emu.from_ml_dtypes(np.zeros(2, np.float32))
