"""Lookup formats: codes that index a table of constants (NF4, SF4, E2M1-SR/SP, APoT4,
INT4, INT3, bitsandbytes FP4, ...), and lookup views of the 4-bit float presets.

A LookupFormat is data: for each of the 2^bits codes (2 to 8 bits; 4 for every format but the
3-bit integer grids) the float32 constant the decoder outputs (or "unused"), and, where the
values are a scaled integer grid, the integer mapping I (value = I * unit exactly). Encoding
picks the nearest value by exact comparison against the exact midpoints of the float32
constants, with a named tie rule. Tables: emu/lookup_tables.py; contract: docs/lookup.md.

lookup_names() and get_lookup() see the 4-bit formats unless asked for another width (`bits`):
the README tables, RTL decoders, cost model and benches are 4-bit; quant.grids also takes the
3-bit integer grids.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import numpy as np

from . import lookup_tables as T

TIES = ("down", "zero", "lower_code", "even")
TIE_HELP = {
    "down": "the lower (more negative) neighbour: llm-datatypes quantize_4bit, bitsandbytes CPU",
    "zero": "the neighbour of smaller magnitude: bitsandbytes FP4 CUDA thresholds",
    "lower_code": "the neighbour with the smaller code: bitsandbytes NF4 CUDA (strict >)",
    "even": "the neighbour whose code is even (RNE on integer and sign-magnitude float grids); "
            "the lower one where both or neither are even",
}
LAYOUTS = ("sign_magnitude", "index", "twos", "unsigned")
SCALE_RULES = ("max", "int_full", "asym")
MIN_BITS, MAX_BITS = 2, 8           #: a lookup format's code width (codes are uint8)


@dataclass(frozen=True)
class LookupFormat:
    """One lookup format. Per-code tuples have 2^bits entries (2 <= bits <= 8), indexed by the code."""
    name: str
    title: str
    source: str
    layout: str
    f32_bits: tuple            # IEEE binary32 bit pattern the decoder outputs (0 for unused codes)
    valid: tuple               # False for codes the format does not use
    unit: Fraction | None      # weight of the integer mapping (None: the values are no integer grid)
    ints: tuple | None         # integer mapping I per code (0 for unused codes)
    scale_rule: str = "max"    # RTN scale: "max" absmax/max(values), "int_full", "asym" (zero point)
    default_tie: str = "down"
    negzero: str = "none"      # when a zero result keeps a sign: "signbit" (OCP), "negative" (bnb x<0)

    def __post_init__(self):
        n = len(self.f32_bits)
        if n not in [1 << b for b in range(MIN_BITS, MAX_BITS + 1)] or len(self.valid) != n \
                or (self.ints is not None and len(self.ints) != n):
            raise ValueError(f"{self.name}: a lookup format has 2^bits entries per code table "
                             f"({MIN_BITS} <= bits <= {MAX_BITS}), got {n} constants")

    @property
    def bits(self) -> int:
        """Code width: the format has 2^bits codes."""
        return len(self.f32_bits).bit_length() - 1

    @property
    def values(self) -> np.ndarray:
        """float32 value per code (NaN for unused codes)."""
        v = np.array(self.f32_bits, dtype=np.uint32).view(np.float32).copy()
        v[~np.array(self.valid)] = np.nan
        return v

    @property
    def max_value(self) -> float:
        """max(list): llm-datatypes' RTN scale divisor (the largest positive value)."""
        return float(np.nanmax(self.values))

    @property
    def int_width(self) -> int | None:
        """Signed bits that hold every integer mapping (None without one)."""
        if self.ints is None:
            return None
        lo, hi = min(self.ints), max(self.ints)
        return max((-lo - 1).bit_length(), hi.bit_length()) + 1

    def mul_ints(self, frac_bits: int = 7) -> tuple[tuple, Fraction]:
        """The integers a multiplier sees and their unit: the exact mapping where there is one,
        else the constants rounded (RNE) to a signed fixed point with `frac_bits` fraction bits
        scaled to 2^frac_bits - 1 (NF4/SF4 -> int8, unit 1/127): a hardware choice, approximate."""
        if self.ints is not None:
            return self.ints, self.unit
        full = (1 << frac_bits) - 1
        ints = tuple(int(np.rint(float(v) * full)) if ok else 0 for v, ok in zip(self.values, self.valid))
        return ints, Fraction(1, full)


def _f32_bits(literal: str | Fraction) -> int:
    return int(np.array(float(literal), dtype=np.float32).view(np.uint32))


def _sign_magnitude(name: str) -> LookupFormat:
    title, source, mags, extra, unit, mag_ints, extra_int = T.SIGN_MAGNITUDE[name]
    bits = [_f32_bits(m) for m in mags] + [0] + [_f32_bits(m) | 0x8000_0000 for m in mags[1:]]
    ints = list(mag_ints) + [0] + [-i for i in mag_ints[1:]]
    valid = [True] * 16
    if extra is None:
        valid[8] = False
    else:
        bits[8], ints[8] = _f32_bits(extra), extra_int
    for m, i in zip(mags, mag_ints):             # the table is consistent with its integer grid
        assert Fraction(m) == i * unit, (name, m, i)
    return LookupFormat(name, title, source, "sign_magnitude", tuple(bits), tuple(valid), unit,
                        tuple(ints), default_tie="down")


def _index(name: str) -> LookupFormat:
    title, source, consts = T.INDEX[name]
    return LookupFormat(name, title, source, "index", tuple(_f32_bits(c) for c in consts),
                        (True,) * 16, None, None, default_tie="down")


def _bnb_fp4() -> LookupFormat:
    unit = Fraction(1, 192)
    mags = [int(r / 12 / unit) for r in T.BNB_FP4_RAW]
    bits = [_f32_bits(c) for c in T.BNB_FP4_CONSTANTS]
    for c, r in zip(T.BNB_FP4_CONSTANTS, T.BNB_FP4_RAW):   # the constants are float32(raw / 12)
        assert _f32_bits(c) == _f32_bits(r / 12)
    return LookupFormat("bnb_fp4", "bitsandbytes FP4 (raw table / 12, 0b1000 = -0.0)",
                        "bitsandbytes get_4bit_type('fp4'), §4.2", "sign_magnitude",
                        tuple(bits + [b | 0x8000_0000 for b in bits]), (True,) * 16, unit,
                        tuple(mags + [-m for m in mags]), default_tie="zero", negzero="negative")


def _integer(name: str) -> LookupFormat:
    """An integer grid of lookup_tables.INTEGER: two's complement or unsigned codes, unit 1, RNE."""
    title, source, bits, layout, lowest, scale_rule = T.INTEGER[name]
    n = 1 << bits
    ints = [c - n if layout == "twos" and c >= n // 2 else c for c in range(n)]
    valid = [i >= lowest for i in ints]
    return LookupFormat(name, title, source, layout,
                        tuple(_f32_bits(str(i)) if ok else 0 for i, ok in zip(ints, valid)),
                        tuple(valid), Fraction(1), tuple(i if ok else 0 for i, ok in zip(ints, valid)),
                        scale_rule=scale_rule, default_tie="even")


def _float_view(name: str) -> LookupFormat:
    """A float preset seen as a lookup table (its -0 code decodes to -0.0)."""
    from .decode import decode
    from .intmap import int_map_table
    from .registry import get_format
    fmt = get_format(name)
    vals = decode(np.arange(fmt.n_codes), fmt).astype(np.float32)
    return LookupFormat(name, f"{fmt.name} float preset (emu.decode), as a table",
                        "emu preset " + fmt.name, "sign_magnitude",
                        tuple(int(b) for b in vals.view(np.uint32)), (True,) * fmt.n_codes,
                        Fraction(2) ** fmt.int_unit_exp, tuple(int(i) for i in int_map_table(fmt)),
                        default_tie="even", negzero="signbit")


FLOAT_VIEWS = ("e2m1", "e1m2", "e3m0")
#: every lookup format, every width, in table order
NAMES = tuple(T.SIGN_MAGNITUDE) + tuple(T.INDEX) + ("bnb_fp4",) + tuple(T.INTEGER) + FLOAT_VIEWS


@lru_cache(maxsize=None)
def _build(key: str) -> LookupFormat:
    if key in T.SIGN_MAGNITUDE:
        return _sign_magnitude(key)
    if key in T.INDEX:
        return _index(key)
    if key == "bnb_fp4":
        return _bnb_fp4()
    if key in T.INTEGER:
        return _integer(key)
    return _float_view(key)


@lru_cache(maxsize=None)
def lookup_names(bits: int | None = 4) -> tuple[str, ...]:
    """The lookup formats of `bits` bits (every width with None), in table order. The default, the
    4-bit list, is what the tables, RTL decoders, cost model and benches iterate."""
    return tuple(n for n in NAMES if bits is None or _build(n).bits == bits)


def is_lookup(name: str) -> bool:
    """True for the name of a lookup format that is not also a float preset or alias: where a
    name may be either (the command line's formats, card, encode, decode), presets come first."""
    from .presets import ALIASES
    from .registry import list_formats

    key = str(name).lower().replace("-", "_")
    return key not in list_formats() and key not in ALIASES and key in lookup_names()


def get_lookup(name: str | LookupFormat, bits: int | None = 4) -> LookupFormat:
    """The lookup format called `name` among those of `bits` bits (see lookup_names()); a
    LookupFormat is returned as it is."""
    if isinstance(name, LookupFormat):
        return name
    key = str(name).lower().replace("-", "_")
    if key not in lookup_names(bits):
        raise ValueError(f"unknown lookup format {name!r}; known: {', '.join(lookup_names(bits))}")
    return _build(key)


# -------------------------------------------------------------------------------- decode

def _codes(codes, fmt: LookupFormat) -> np.ndarray:
    c = np.asarray(codes)
    if c.dtype.kind not in "ui":
        raise ValueError(f"{fmt.name}: codes must be integers, got dtype {c.dtype}")
    top = len(fmt.valid) - 1
    if c.size and (c.min() < 0 or c.max() > top):
        bad = c[(c < 0) | (c > top)].flat[0]
        raise ValueError(f"{fmt.name}: code {int(bad)} is outside 0..{top}")
    c = c.astype(np.int64)
    unused = ~np.array(fmt.valid)[c]
    if unused.any():
        raise ValueError(f"{fmt.name}: code {int(c[unused].flat[0]):#0{fmt.bits + 2}b} is not used by "
                         f"this format")
    return c


def decode(codes, fmt: str | LookupFormat) -> np.ndarray:
    """float32 constant per code; ValueError for codes outside 0..2^bits - 1 or unused by the format."""
    fmt = get_lookup(fmt)
    c = _codes(codes, fmt)
    return np.array(fmt.f32_bits, dtype=np.uint32).view(np.float32)[c]


def decode_int(codes, fmt: str | LookupFormat) -> np.ndarray:
    """Integer mapping I per code (value = I * fmt.unit); ValueError where the format has none."""
    fmt = get_lookup(fmt)
    if fmt.ints is None:
        raise ValueError(f"{fmt.name} has no integer mapping (its values are float32 constants)")
    return np.array(fmt.ints, dtype=np.int64)[_codes(codes, fmt)]


# -------------------------------------------------------------------------------- encode

@dataclass(frozen=True)
class _Levels:
    values: np.ndarray     # distinct values, ascending (float64, exact copies of float32)
    codes: np.ndarray      # the code chosen for each value (+0 over -0)
    mids: np.ndarray       # exact midpoints (float64 holds them exactly: asserted)
    neg_zero_code: int     # code of -0.0, or -1


@lru_cache(maxsize=None)
def _levels(fmt: LookupFormat) -> _Levels:
    vals = np.array(fmt.f32_bits, dtype=np.uint32).view(np.float32).astype(np.float64)
    valid = np.array(fmt.valid)
    neg_zero = [c for c in range(vals.size) if valid[c] and vals[c] == 0 and np.signbit(vals[c])]
    order = sorted((v, c) for c, v in enumerate(vals) if valid[c] and not (v == 0 and np.signbit(v)))
    values = np.array([v for v, _ in order])
    if len(set(values)) != len(values):
        raise AssertionError(f"{fmt.name}: two codes share a value")
    mids = (values[:-1] + values[1:]) / 2
    for lo, hi, m in zip(values[:-1], values[1:], mids):       # no rounding in the midpoints
        assert Fraction(m) == (Fraction(lo) + Fraction(hi)) / 2
    return _Levels(values, np.array([c for _, c in order]), mids, neg_zero[0] if neg_zero else -1)


def encode(x, fmt: str | LookupFormat, tie: str | None = None) -> np.ndarray:
    """Nearest-value code for each float32 (or float16/bfloat16-castable) element of x.

    Comparison is exact against exact midpoints; `tie` (default: the format's own rule) decides
    exact midpoints. Values beyond the ends take the end values (saturation, also for +-inf);
    NaN is an error. A zero result takes the -0 code only where the format has one and its rule
    says so (OCP: sign bit set; bitsandbytes: x < 0)."""
    fmt = get_lookup(fmt)
    tie = fmt.default_tie if tie is None else tie
    if tie not in TIES:
        raise ValueError(f"unknown tie rule {tie!r}; choose one of {', '.join(TIES)}")
    if tie == "even" and fmt.layout == "index":
        raise ValueError(f"tie rule 'even' is not defined for {fmt.name}: its codes are list "
                         f"positions, not a number grid")
    a = np.asarray(x)
    if a.dtype.kind != "f":
        raise ValueError(f"{fmt.name}: encode needs a float array, got dtype {a.dtype}")
    a = a.astype(np.float32).astype(np.float64)            # exact
    if np.isnan(a).any():
        raise ValueError(f"{fmt.name}: NaN in the input ({int(np.isnan(a).sum())} of {a.size} elements); "
                         f"lookup formats have no NaN code")
    lv = _levels(fmt)
    idx = np.searchsorted(lv.mids, a, side="left")          # x <= mid -> the lower neighbour
    at_tie = np.zeros(a.shape, dtype=bool)
    inside = idx < lv.mids.size
    at_tie[inside] = a[inside] == lv.mids[idx[inside]]
    if tie != "down" and at_tie.any():
        lo, hi = idx[at_tie], idx[at_tie] + 1
        if tie == "zero":
            up = np.abs(lv.values[hi]) < np.abs(lv.values[lo])
        elif tie == "lower_code":
            up = lv.codes[hi] < lv.codes[lo]
        else:                                               # even
            # the even code; where both codes are even or both odd (a supernormal code beside a
            # normal one), the lower neighbour
            up = ((lv.codes[hi] & 1) == 0) & ((lv.codes[lo] & 1) == 1)
        idx[at_tie] = np.where(up, hi, lo)
    out = lv.codes[idx].astype(np.uint8)
    if lv.neg_zero_code >= 0:
        zero = lv.values[idx] == 0
        neg = np.signbit(a) if fmt.negzero == "signbit" else a < 0
        out[zero & neg] = lv.neg_zero_code
    return out
