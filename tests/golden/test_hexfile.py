"""The $readmemh layout: fields MSB first, each in whole hex digits; the reader rejects damage."""
import numpy as np
import pytest

from fp4ref.golden.hexfile import layout, line_digits, read_hex, write_hex
from fp4ref.golden.units import Field

FIELDS = [Field("x", "input", 16), Field("code", "output", 6), Field("flags", "output", 4)]


def test_layout_puts_the_first_field_in_the_top_digits():
    slots = layout(FIELDS)
    assert [(s.name, s.digits, s.lsb) for s in slots] == [("x", 4, 12), ("code", 2, 4), ("flags", 1, 0)]
    assert line_digits(slots) == 7


def test_write_then_read_round_trips():
    slots = layout(FIELDS)
    cols = {"x": np.array([0x3C00, 0xFFFF], np.uint64), "code": np.array([0x3F, 0], np.uint64),
            "flags": np.array([9, 0], np.uint64)}
    data = write_hex(slots, cols)
    assert data == b"3c003f9\nffff000\n"
    back = read_hex(data, slots, 2)
    assert all(np.array_equal(back[k], cols[k]) for k in cols)


@pytest.mark.parametrize("data, message", [
    (b"3c003f9\n", "expected 2 lines"),
    (b"3c003f9\nffff00\n\n", "line 2 is not 7 hex digits"),
    (b"3c003f9\nfffg000\n", "line 2 has a character that is not hex"),
    (b"3c0043f9\nffff00\n", "line 1 is not 7 hex digits"),
    (b"3c00ff9\nffff000\n", "field code exceeds 6 bits"),
])
def test_reader_rejects_malformed_files(data, message):
    with pytest.raises(ValueError, match=message):
        read_hex(data, layout(FIELDS), 2)


def test_writer_refuses_values_wider_than_their_field():
    with pytest.raises(ValueError, match="wider than 6 bits"):
        write_hex(layout(FIELDS), {"x": np.array([0], np.uint64), "code": np.array([64], np.uint64),
                                   "flags": np.array([0], np.uint64)})


def test_fields_wider_than_64_bits_round_trip_as_python_ints():
    slots = layout([Field("p", "output", 66), Field("ok", "output", 1)])
    cols = {"p": np.array([(1 << 65) + 5, 3], dtype=object), "ok": np.array([1, 0], np.uint64)}
    data = write_hex(slots, cols)
    assert data == b"200000000000000051\n000000000000000030\n"
    back = read_hex(data, slots, 2)
    assert list(back["p"]) == [(1 << 65) + 5, 3] and back["ok"].tolist() == [1, 0]
