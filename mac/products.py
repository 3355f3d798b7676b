"""Exact integer products of two formats' codes, with the optional pre-shift (docs/mac.md §1).

P = I(cx) * I(cw) * 2^(B - s): integers only, left shifts only. Mixed formats are the normal
case (LLM-FP4 picks E3M0, E2M1 or E1M2 per layer and operand).

An operand format is any integer-mapped format: a preset (emu.get_format; value = I * 2^u) or a
lookup format with an integer mapping (emu.lookup: E2M1-SR/SP, APoT4, INT4, ...; value = I *
unit, the unit not always a power of two). ``int_format`` gives both one interface (IntFormat);
everything in mac/ and golden/mac_pack.py goes through it.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property, lru_cache

import numpy as np

from fp4ref.emu import get_format, int_map
from fp4ref.emu.decode import FINITE, int_table
from fp4ref.emu.intmap import int_map_table
from fp4ref.emu.spec import FloatFormat


@dataclass(frozen=True)
class IntFormat:
    """An integer-mapped operand format: value(code) = ints[code] * unit for every usable code.

    ``source`` is the FloatFormat preset or the emu.lookup.LookupFormat it adapts; ``usable`` is
    False for the codes with no integer (NaN/Inf of a preset, codes a lookup format leaves
    unused), whose ``ints`` entry is 0.
    """
    name: str
    bits: int
    ints: tuple
    usable: tuple
    unit: Fraction
    source: object

    @property
    def is_lookup(self) -> bool:
        return not isinstance(self.source, FloatFormat)

    @property
    def n_codes(self) -> int:
        return len(self.ints)

    @cached_property
    def table(self) -> np.ndarray:
        """I per code (int64, 0 where the code is not usable)."""
        t = np.array(self.ints, np.int64)
        t.flags.writeable = False
        return t

    @cached_property
    def codes(self) -> np.ndarray:
        """The usable codes, ascending (uint64)."""
        return np.array([c for c, ok in enumerate(self.usable) if ok], np.uint64)

    @cached_property
    def int_lo(self) -> int:
        return min(i for i, ok in zip(self.ints, self.usable) if ok)

    @cached_property
    def int_hi(self) -> int:
        return max(i for i, ok in zip(self.ints, self.usable) if ok)

    @property
    def int_max(self) -> int:
        """Imax = max |I| over the usable codes."""
        return max(self.int_hi, -self.int_lo)

    @property
    def symmetric(self) -> bool:
        return self.int_hi == -self.int_lo

    @property
    def max_code(self) -> int:
        """The usable code with the largest I (a preset's FloatFormat.max_code)."""
        return min(c for c, (i, ok) in enumerate(zip(self.ints, self.usable)) if ok and i == self.int_hi)

    @property
    def min_code(self) -> int:
        """The usable code with the most negative I (a preset's max_code | sign_bit)."""
        return max(c for c, (i, ok) in enumerate(zip(self.ints, self.usable)) if ok and i == self.int_lo)

    @property
    def unit_exp(self) -> int | None:
        """e with unit = 2^e, or None when the unit is no power of two (APoT4: 1/10)."""
        n, d = self.unit.numerator, self.unit.denominator
        if n & (n - 1) == 0 and d & (d - 1) == 0:
            return n.bit_length() - d.bit_length()
        return None

    @property
    def unit_text(self) -> str:
        return unit_text(self.unit)

    def int_codes(self, codes) -> np.ndarray:
        """I(code) as int64; ValueError for codes outside the format or not usable."""
        if self.is_lookup:
            from fp4ref.emu.lookup import decode_int
            return decode_int(codes, self.source)
        return int_map(codes, self.source)

    def decode(self) -> np.ndarray:
        """The decoded value of every code, as float64 (NaN where a lookup code is unused)."""
        if self.is_lookup:
            return self.source.values.astype(np.float64)
        from fp4ref.emu import decode
        return np.asarray(decode(np.arange(self.n_codes), self.source), np.float64)


def unit_text(unit: Fraction) -> str:
    """'2^-1' for a power of two, else the fraction ('1/10', '1/20')."""
    n, d = unit.numerator, unit.denominator
    if n & (n - 1) == 0 and d & (d - 1) == 0:
        return f"2^{n.bit_length() - d.bit_length()}"
    return str(unit)


@lru_cache(maxsize=None)
def _preset(fmt: FloatFormat) -> IntFormat:
    usable = tuple(bool(k) for k in int_table(fmt).kind == FINITE)
    ints = tuple(int(i) if ok else 0 for i, ok in zip(int_map_table(fmt), usable))
    return IntFormat(fmt.name, fmt.bits, ints, usable, Fraction(2) ** fmt.int_unit_exp, fmt)


@lru_cache(maxsize=None)
def _lookup(fmt) -> IntFormat:
    if fmt.ints is None:
        raise ValueError(f"{fmt.name} has no integer mapping (its values are float32 constants); "
                         f"an integer MAC needs one (E2M1-SR/SP, APoT4, INT4, ...: docs/lookup.md)")
    return IntFormat(fmt.name, fmt.bits, tuple(int(i) for i in fmt.ints), tuple(bool(v) for v in fmt.valid),
                     Fraction(fmt.unit), fmt)


def int_format(fmt) -> IntFormat:
    """The integer-mapped format ``fmt``: an IntFormat, a FloatFormat preset, an emu.lookup
    LookupFormat, or a name (presets first, then lookup formats). ValueError for an unknown name
    and for a lookup format without an integer mapping (NF4, SF4)."""
    if isinstance(fmt, IntFormat):
        return fmt
    if isinstance(fmt, FloatFormat):
        return _preset(fmt)
    from fp4ref.emu.lookup import LookupFormat, get_lookup, lookup_names
    if isinstance(fmt, LookupFormat):
        return _lookup(fmt)
    try:
        return _preset(get_format(fmt))
    except ValueError as err:
        try:
            lookup = get_lookup(fmt)
        except ValueError:
            mapped = [n for n in lookup_names() if get_lookup(n).ints is not None and n not in _preset_names()]
            raise ValueError(f"{err}; lookup formats with an integer mapping: {', '.join(mapped)}") from None
    return _lookup(lookup)


def _preset_names() -> set:
    from fp4ref.emu import list_formats
    return set(list_formats())


def int_codes(codes, fmt) -> np.ndarray:
    """I(code) as int64; ValueError for codes outside the format and for NaN/Inf or unused codes."""
    return int_format(fmt).int_codes(codes)


MAX_PRODUCT_BITS = 61     #: |P| < 2^61 keeps products, and sums of a few, inside int64


def fits_int64(fx, fw, shift_max: int = 0) -> bool:
    fx, fw = int_format(fx), int_format(fw)
    return (fx.int_max * fw.int_max << shift_max).bit_length() <= MAX_PRODUCT_BITS


def product_table(fx, fw) -> np.ndarray:
    """Ix * Iw for every code pair, [2^bits_x, 2^bits_w]; 0 where a code is NaN/Inf or unused.

    int64, or Python ints (dtype object) for the pairs whose products need more than 61 bits
    (E5M2 x E5M2: 66 bits).
    """
    return _product_table(int_format(fx), int_format(fw))


@lru_cache(maxsize=None)
def _product_table(fx: IntFormat, fw: IntFormat) -> np.ndarray:
    if fits_int64(fx, fw):
        table = np.outer(fx.table, fw.table)
    else:
        table = np.outer(fx.table.astype(object), fw.table.astype(object))
    table.flags.writeable = False
    return table


@dataclass(frozen=True)
class Extreme:
    """A code pair whose product is the largest (or most negative) of a format pair."""
    cx: int
    cw: int
    ix: int
    iw: int

    @property
    def product(self) -> int:
        return self.ix * self.iw


@lru_cache(maxsize=None)
def extremes(fx, fw) -> tuple[Extreme, Extreme]:
    """(most negative, largest) product of every usable code pair, each with a code pair that
    reaches it. Ties prefer (min_code, max_code) and (max_code, max_code): for the presets, the
    corners "the most negative sum" and "every operand at its maximum"."""
    fx, fw = int_format(fx), int_format(fw)
    pairs = [(int(a), int(b)) for a in fx.codes for b in fw.codes]
    prod = {p: fx.ints[p[0]] * fw.ints[p[1]] for p in pairs}

    def pick(value, preferred):
        pair = preferred if prod[preferred] == value else next(p for p in pairs if prod[p] == value)
        return Extreme(pair[0], pair[1], fx.ints[pair[0]], fw.ints[pair[1]])

    return (pick(min(prod.values()), (fx.min_code, fw.max_code)),
            pick(max(prod.values()), (fx.max_code, fw.max_code)))


def range_bits(lo: int, hi: int) -> int:
    """Smallest signed two's complement width holding every integer in [lo, hi] (lo <= 0 <= hi)."""
    return 1 + max(int(hi).bit_length(), (-int(lo) - 1).bit_length() if lo < 0 else 0)


def check_shifts(shifts, shape, shift_max: int) -> np.ndarray:
    """Per-lane shifts as int64 broadcast to ``shape``; ValueError outside 0..shift_max."""
    if isinstance(shift_max, bool) or not isinstance(shift_max, (int, np.integer)) or not 0 <= shift_max <= 30:
        raise ValueError(f"shift_max: must be an integer in [0, 30], got {shift_max!r}")
    if shifts is None:
        return np.full(shape, shift_max, np.int64)      # no pre-shift: every lane gets 2^0
    s = np.asarray(shifts)
    if s.dtype.kind not in "ui":
        raise ValueError(f"shifts: must be integers, got dtype {s.dtype}")
    if s.size and (s.min() < 0 or s.max() > shift_max):
        raise ValueError(f"shifts: must be in 0..{shift_max} (the pre-shift range B), got {s.min()}..{s.max()}")
    try:
        return np.broadcast_to(s.astype(np.int64), shape)
    except ValueError:
        raise ValueError(f"shifts: shape {s.shape} does not broadcast to {shape}") from None


def check_pair(fx, fw, shift_max: int = 0) -> None:
    """ValueError unless every product of the pair fits the int64 MAC model."""
    check_shifts(None, (), shift_max)
    fx, fw = int_format(fx), int_format(fw)
    bits = (fx.int_max * fw.int_max << shift_max).bit_length()
    if bits > MAX_PRODUCT_BITS:
        raise ValueError(f"{fx.name} x {fw.name} products need {bits + 1} signed bits; the integer "
                         f"MAC model holds products up to {MAX_PRODUCT_BITS + 1} (use product_table "
                         f"for exact Python-int products)")


def products(cx, cw, fx, fw, shifts=None, shift_max: int = 0) -> np.ndarray:
    """Exact P = Ix * Iw * 2^(shift_max - s) for codes of broadcastable shapes (int64); fx and fw
    are any integer-mapped formats (int_format)."""
    fx, fw = int_format(fx), int_format(fw)
    check_pair(fx, fw, shift_max)
    ix, iw = fx.int_codes(cx), fw.int_codes(cw)
    try:
        ix, iw = np.broadcast_arrays(ix, iw)
    except ValueError:
        raise ValueError(f"shapes do not match: activations {ix.shape}, weights {iw.shape}") from None
    s = check_shifts(shifts, ix.shape, shift_max)
    return (ix * iw) << (shift_max - s)
