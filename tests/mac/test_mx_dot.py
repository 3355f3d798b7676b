"""MX dot product: exact block sums, E8M0 scales, float32 across blocks, NaN scales."""
import numpy as np
import pytest

from fp4ref import mac

ONE = 0x2          # E2M1 1.0
SIX = 0x7          # E2M1 6.0


def test_block_sums_are_scaled_by_both_e8m0_codes():
    a = np.full(64, ONE)
    b = np.full(64, ONE)
    # block 0: 32 * 1 * 2^(0 + 0); block 1: 32 * 2^(3 - 1)
    assert float(mac.mx_dot(a, b, [127, 130], [127, 126])) == 32.0 + 32.0 * 4


def test_one_block_at_the_largest_magnitude():
    a = np.full(32, SIX)
    assert float(mac.mx_dot(a, a, [127], [127])) == 32 * 36.0


def test_a_nan_scale_poisons_the_result():
    a = np.full(64, ONE)
    assert np.isnan(mac.mx_dot(a, a, [127, 255], [127, 127]))


def test_blocks_are_added_in_float32_in_order():
    # block sums 2^24 and 1 and -2^24: the middle 1 is lost in float32 (ties to even)
    a = np.concatenate([np.full(32, ONE), np.full(32, ONE), np.full(32, ONE | 0x8)])
    b = np.full(96, ONE)
    # 32 * 2^(s - 127) with s = 146: 2^24; with s = 122: 1
    assert float(mac.mx_dot(a, b, [146, 122, 146], [127, 127, 127])) == 0.0


def test_overflow_becomes_inf():
    a = np.full(32, SIX)
    assert np.isinf(mac.mx_dot(a, a, [254], [254]))


@pytest.mark.parametrize("a, sa, message", [
    (np.full(31, ONE), [127], "multiple of 32"),
    (np.full(32, ONE), [127, 127], "E8M0 codes"),
    (np.full(32, ONE), [300], "E8M0 codes"),
])
def test_bad_input_is_named(a, sa, message):
    with pytest.raises(ValueError, match=message):
        mac.mx_dot(a, a, sa, sa)
