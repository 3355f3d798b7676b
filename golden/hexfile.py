"""The $readmemh line layout: one vector per line, fields MSB first, each field right-aligned
in whole hex digits. Writer and reader together, so the layout is defined once.

A line of an encode pack for e2m1 from bfloat16 reads ``3fc0 00 4 1``, without the spaces:
x (16 bits, 4 digits) | rand (8 bits, 2 digits) | code (4 bits, 1 digit) | flags (1 digit).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_HEX = np.frombuffer(b"0123456789abcdef", np.uint8)
_VALUE = np.full(256, 255, np.uint8)
_VALUE[_HEX] = np.arange(16)
_VALUE[np.frombuffer(b"ABCDEF", np.uint8)] = np.arange(10, 16)


@dataclass(frozen=True)
class Slot:
    """Where a field sits in a line."""

    name: str
    width: int      #: significant bits
    digits: int     #: hex digits it occupies
    lsb: int        #: bit position of its LSB in the line's integer value


def layout(fields) -> list[Slot]:
    """Slots for fields (objects with .name and .width), first field in the most significant digits."""
    slots, lsb = [], 0
    for f in reversed(list(fields)):
        digits = (f.width + 3) // 4
        slots.append(Slot(f.name, f.width, digits, lsb))
        lsb += 4 * digits
    return slots[::-1]


def line_digits(slots: list[Slot]) -> int:
    return sum(s.digits for s in slots)


def write_hex(slots: list[Slot], columns: dict[str, np.ndarray]) -> bytes:
    """The file's bytes: one line per vector, lowercase hex, '\\n' after every line."""
    count = len(next(iter(columns.values())))
    parts = []
    for s in slots:
        if s.width > 64:          # wide fields (e.g. E5M2 x E5M2 products) are Python ints
            values = [int(v) for v in columns[s.name]]
            if any(v < 0 or v >> s.width for v in values):
                raise ValueError(f"hex: field {s.name} has values outside {s.width} unsigned bits")
            text = "".join(format(v, f"0{s.digits}x") for v in values).encode()
            parts.append(np.frombuffer(text, np.uint8).reshape(count, s.digits))
            continue
        v = columns[s.name].astype(np.uint64)
        if s.width < 64 and (v >> np.uint64(s.width)).any():
            raise ValueError(f"hex: field {s.name} has values wider than {s.width} bits")
        shifts = np.arange(s.digits - 1, -1, -1, dtype=np.uint64) * np.uint64(4)
        parts.append(_HEX[((v[:, None] >> shifts[None, :]) & np.uint64(0xF)).astype(np.intp)])
    parts.append(np.full((count, 1), ord("\n"), np.uint8))
    return np.concatenate(parts, axis=1).tobytes()


def read_hex(data: bytes, slots: list[Slot], count: int, name: str = "vectors.hex") -> dict[str, np.ndarray]:
    """Parse a hex file into one array per field (uint64; Python ints for fields over 64 bits);
    ValueError names the first bad line."""
    width = line_digits(slots) + 1
    grid = None
    if len(data) == count * width:
        grid = np.frombuffer(data, np.uint8).reshape(count, width)
        digits = _VALUE[grid[:, :-1]]
    if grid is None or (grid[:, -1] != ord("\n")).any() or (digits == 255).any():
        raise ValueError(_diagnose(data, width - 1, count, name))
    out, col = {}, 0
    for s in slots:
        if s.width > 64:
            rows = grid[:, col:col + s.digits]
            v = np.array([int(bytes(r), 16) for r in rows], dtype=object)
            col += s.digits
            if any(x >> s.width for x in v):
                raise ValueError(f"{name}: field {s.name} exceeds {s.width} bits")
            out[s.name] = v
            continue
        v = np.zeros(count, np.uint64)
        for k in range(s.digits):
            v = (v << np.uint64(4)) | digits[:, col + k].astype(np.uint64)
        col += s.digits
        if s.width < 64 and (v >> np.uint64(s.width)).any():
            first = int(np.flatnonzero(v >> np.uint64(s.width))[0]) + 1
            raise ValueError(f"{name}: line {first}: field {s.name} exceeds {s.width} bits")
        out[s.name] = v
    return out


def _diagnose(data: bytes, digits: int, count: int, name: str) -> str:
    """The first thing wrong with a hex file that failed the fast checks."""
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    else:
        return f"{name}: the last line has no newline (truncated?)"
    for i, line in enumerate(lines[:count]):
        if len(line) != digits:
            return f"{name}: line {i + 1} is not {digits} hex digits long"
        if (_VALUE[np.frombuffer(line, np.uint8)] == 255).any():
            return f"{name}: line {i + 1} has a character that is not hex: {line.decode('ascii', 'replace')!r}"
    return (f"{name}: expected {count} lines of {digits} hex digits, found {len(lines)} lines "
            f"(truncated or not this pack's layout)")
