"""Slow, exact reference model of ``docs/encoding.md`` (TestFloat "slowfloat" style).

This module is completely independent of ``emu/encode.py`` and ``emu/decode.py``: it imports
only ``fp4ref.emu.spec`` (for the FloatFormat record's six fields) and uses a different algorithm.

* Every input element is parsed from its own IEEE bit pattern (sign, exponent, fraction,
  subnormals) into an exact ``Fraction``; no float arithmetic takes part in any decision.
* The format's magnitudes are enumerated as Fractions straight from the formulas of §1 / §3.4,
  extended two positions past the largest finite value (enough to decide overflow).
* Rounding is a nearest-value search (bisect) on that sorted grid, followed by the mode table
  of §3.4 written out literally, then the overflow, NaN, Inf, zero and flag rules of §3.

API (flags are always returned, unlike ``fp4ref.emu.encode``):
    encode(x, fmt, rounding="rne", overflow="saturate", nan="auto", rand=None, sr_bits=8)
        -> (codes, flags): two uint8 arrays of x's shape
    decode(codes, fmt) -> flat list (C order) of (sign, magnitude) pairs: sign 0 or 1, magnitude
        a Fraction >= 0, "inf" or "nan" (a non-canonical code is (sign, Fraction(0)))
    decode_float(codes, fmt) -> float64 array;  int_map(codes, fmt) -> int64 array (§2)
"""
from __future__ import annotations

import math
from bisect import bisect_left
from fractions import Fraction
from functools import lru_cache

import numpy as np

from fp4ref.emu.spec import FloatFormat

INEXACT, UNDERFLOW, OVERFLOW, INVALID = 1, 2, 4, 8  # §3.4 "Flags"
ROUNDINGS = ("rne", "rna", "rtz", "rup", "rdn", "sr", "rnz", "rnm", "rnp")
OVERFLOWS = ("saturate", "inf", "error")
NANS = ("auto", "nan", "zero", "max", "error", "ml_dtypes")


def _pow2(k: int) -> Fraction:
    return Fraction(2 ** k) if k >= 0 else Fraction(1, 2 ** -k)


# ---- source bit patterns -----------------------------------------------------------------------
def _source(dtype) -> tuple[int, int, type]:
    """(exponent width, fraction width, unsigned view) of a supported input dtype."""
    import ml_dtypes  # only to recognise bfloat16 (the top 16 bits of a float32)
    if dtype == ml_dtypes.bfloat16:
        return 8, 7, np.uint16
    table = {np.dtype(np.float64): (11, 52, np.uint64), np.dtype(np.float32): (8, 23, np.uint32),
             np.dtype(np.float16): (5, 10, np.uint16)}
    if dtype not in table:
        raise TypeError(f"slow.encode: unsupported input dtype {dtype}")
    return table[dtype]


@lru_cache(maxsize=1 << 20)
def _parse(ew: int, mw: int, bits: int) -> tuple[int, Fraction | str]:
    """IEEE binary interchange bit pattern -> (sign, exact magnitude | "inf" | "nan")."""
    sign, e, f = bits >> (ew + mw), (bits >> mw) & ((1 << ew) - 1), bits & ((1 << mw) - 1)
    bias = (1 << (ew - 1)) - 1
    if e == (1 << ew) - 1:
        return sign, ("nan" if f else "inf")
    if e == 0:  # zero or subnormal: no hidden bit, exponent of the smallest normal
        return sign, f * _pow2(1 - bias - mw)
    return sign, ((1 << mw) + f) * _pow2(e - bias - mw)


# ---- the format's grid ------------------------------------------------------------------------
class _Grid:
    """Sorted finite magnitudes of one format (plus two points past max), codes and parities."""

    def __init__(self, fmt: FloatFormat):
        E, M, bias, sp = fmt.exp_w, fmt.man_w, fmt.bias, fmt.specials
        self.specials = sp
        self.sign_bit = 1 << (E + M)
        mag_ones, e_ones = (1 << (E + M)) - 1, (1 << E) - 1
        # largest finite magnitude code: §1 policy table, last column
        self.max_code = {"fn": mag_ones, "fn_nan": mag_ones - 1, "ieee": (e_ones << M) - 1,
                         "fnuz": mag_ones}[sp]
        # canonical NaN (§1) without its sign, and +Inf
        self.nan_mag = {"ieee": (e_ones << M) | (1 << M >> 1), "fn_nan": mag_ones}.get(sp)
        self.inf_mag = e_ones << M
        self.min_normal = _pow2(1 - bias)
        # below 2^(1 - bias): multiples of 2^(1 - bias - M) with subnormals, else 0 only
        # (value, code it has or would have, integer significand = value / step of its binade)
        points = [(j * _pow2(1 - bias - M), j, j) for j in range((1 << M) if fmt.subnormals else 1)]
        k = 1 - bias  # binades 2^k * (1 + j/2^M), step 2^(k - M), significand 2^M + j
        while points[-1][1] < self.max_code + 2:
            points += [(_pow2(k) * (1 + Fraction(j, 1 << M)), ((k + bias) << M) | j, (1 << M) + j)
                       for j in range(1 << M)]
            k += 1
        self.values = [v for v, _, _ in points]
        self.codes = [c for _, c, _ in points]
        self.even = [sig % 2 == 0 for _, _, sig in points]  # §3.4: parity of the integer significand
        self.mids = [(a + b) / 2 for a, b in zip(self.values, self.values[1:])]  # tie points
        self.max_value = self.values[self.codes.index(self.max_code)]
        self._near: dict[Fraction, tuple[int, int | None]] = {}

    def neighbours(self, mag: Fraction) -> tuple[int, int | None]:
        """Indices (lo, hi) with values[lo] <= mag <= values[hi]; hi is None above the grid."""
        if mag not in self._near:
            if len(self._near) > 1 << 20:  # bound the memo for long random float64 runs
                self._near.clear()
            i = bisect_left(self.values, mag)
            if i < len(self.values) and self.values[i] == mag:
                self._near[mag] = (i, i)
            else:  # mag > 0 = values[0], so i >= 1
                self._near[mag] = (i - 1, i if i < len(self.values) else None)
        return self._near[mag]

    # codes of the special results, with a sign bit s (0 or 1)
    def zero(self, s):
        return 0 if self.specials == "fnuz" else s * self.sign_bit

    def maxfin(self, s):
        return s * self.sign_bit | self.max_code

    def nan(self, s):
        return self.sign_bit if self.specials == "fnuz" else s * self.sign_bit | self.nan_mag


@lru_cache(maxsize=None)
def _grid(fmt: FloatFormat) -> _Grid:
    return _Grid(fmt)


# ---- one element ------------------------------------------------------------------------------
def _choose(g, mode, mag, s, lo, hi, rnd, sr_bits):
    """Grid index of the magnitude chosen by the §3.4 / §3.5 table (lo < mag < hi)."""
    if mode == "rtz":
        return lo
    if mode == "rup":  # toward +infinity
        return lo if s else hi
    if mode == "rdn":  # toward -infinity
        return hi if s else lo
    if mode == "sr":  # F = the first sr_bits discarded bits, exactly
        a, b = g.values[lo], g.values[hi]
        F = (mag - a) / (b - a) * 2 ** sr_bits
        return hi if F.__floor__() + rnd >= 2 ** sr_bits else lo
    if mag != g.mids[lo]:  # not a tie: nearest
        return lo if mag < g.mids[lo] else hi
    if mode == "rna":
        return hi
    if mode == "rnz":  # ties toward zero
        return lo
    if mode == "rnm":  # ties toward -infinity
        return hi if s else lo
    if mode == "rnp":  # ties toward +infinity
        return lo if s else hi
    return lo if g.even[lo] else hi  # rne: lo when its integer significand is even (§3.4)


def _encode_one(g, s, mag, mode, overflow, nan, rnd, sr_bits):
    """(code, flags), or (None, "nan" | "overflow") for an element that must raise."""
    if mag == "nan":  # §3.1
        if nan == "error":
            return None, "nan"
        if nan == "nan" or (nan == "ml_dtypes" and g.specials != "fn"):
            return g.nan(s), INVALID
        if nan == "ml_dtypes":  # no NaN: sign_bit XOR the NaN's sign bit
            return (1 - s) * g.sign_bit, INVALID
        return (g.zero(s) if nan == "zero" else g.maxfin(s)), INVALID
    if mag == "inf":  # §3.2
        if overflow == "error":
            return None, "overflow"
        if overflow == "saturate":
            return g.maxfin(s), OVERFLOW | INEXACT
        if g.specials == "ieee":
            return s * g.sign_bit | g.inf_mag, 0
        return g.nan(s), INVALID
    if mag == 0:  # §3.3
        return g.zero(s), 0
    lo, hi = g.neighbours(mag)
    if hi is None:  # above the extended grid: lo > max already, every mode overflows
        chosen = None
    elif lo == hi:  # on the grid: exact
        chosen = lo
    else:
        chosen = _choose(g, mode, mag, s, lo, hi, rnd, sr_bits)
    if chosen is None or g.values[chosen] > g.max_value:  # overflow (§3.4)
        if overflow == "error":
            return None, "overflow"
        away = mode in ("rne", "rna", "sr", "rnz", "rnm", "rnp") or (mode == "rup" and not s) or (mode == "rdn" and s)
        if overflow == "inf" and away:
            code = s * g.sign_bit | g.inf_mag if g.specials == "ieee" else g.nan(s)
        else:
            code = g.maxfin(s)
        return code, OVERFLOW | INEXACT
    value = g.values[chosen]
    flags = 0 if value == mag else INEXACT
    if flags and mag < g.min_normal:  # tininess before rounding
        flags |= UNDERFLOW
    return (g.zero(s) if value == 0 else s * g.sign_bit | g.codes[chosen]), flags


# ---- public API -------------------------------------------------------------------------------
def _check_args(fmt, rounding, overflow, nan, rand, sr_bits, shape):
    for arg, name, allowed in ((rounding, "rounding", ROUNDINGS), (overflow, "overflow", OVERFLOWS),
                               (nan, "nan", NANS)):
        if arg not in allowed:
            raise ValueError(f"slow.encode: {name}={arg!r} is not one of {allowed}")
    if overflow == "inf" and fmt.specials == "fn":
        raise ValueError(f"slow.encode: overflow='inf' but {fmt.name} has neither Inf nor NaN")
    if nan == "nan" and fmt.specials == "fn":
        raise ValueError(f"slow.encode: nan='nan' but {fmt.name} has no NaN")
    if rounding != "sr":
        return np.zeros(shape, dtype=np.int64)  # rand is ignored
    if isinstance(sr_bits, bool) or not isinstance(sr_bits, int) or not 1 <= sr_bits <= 32:
        raise ValueError(f"slow.encode: sr_bits must be an integer in 1..32, got {sr_bits!r}")
    if rand is None:
        raise ValueError("slow.encode: rounding='sr' needs rand")
    r = np.asarray(rand)
    if r.dtype.kind not in "iu":
        raise ValueError(f"slow.encode: rand must be integers, got dtype {r.dtype}")
    if r.size and (int(r.min()) < 0 or int(r.max()) >= 1 << sr_bits):
        raise ValueError(f"slow.encode: rand must be in 0..2^{sr_bits} - 1")
    return np.broadcast_to(r.astype(np.int64), shape)


def encode(x, fmt: FloatFormat, rounding="rne", overflow="saturate", nan="auto", rand=None,
           sr_bits=8):
    """Encode x (float64/32/16 or bfloat16) to codes of fmt: (codes, flags), uint8, x's shape."""
    x = np.asarray(x)
    ew, mw, view = _source(x.dtype)
    if nan == "auto":
        nan = "error" if fmt.specials == "fn" else "nan"
    rnd = _check_args(fmt, rounding, overflow, nan, rand, sr_bits, x.shape).ravel()
    g = _grid(fmt)
    bits = x.view(view).ravel()
    if rounding == "sr":  # rand differs per element: one decision per element
        out = [_encode_one(g, *_parse(ew, mw, int(b)), rounding, overflow, nan, int(r), sr_bits)
               for b, r in zip(bits.tolist(), rnd.tolist())]
    else:  # deterministic: one decision per distinct bit pattern
        uniq, inv = np.unique(bits, return_inverse=True)
        res = [_encode_one(g, *_parse(ew, mw, b), rounding, overflow, nan, 0, sr_bits)
               for b in uniq.tolist()]
        out = [res[i] for i in inv.ravel().tolist()]
    for kind in ("nan", "overflow"):
        bad = [i for i, (c, f) in enumerate(out) if c is None and f == kind]
        if bad:
            raise ValueError(f"slow.encode: {len(bad)} {kind} element(s) with {kind}='error' "
                             f"(first at flat index {bad[0]})")
    codes = np.array([c for c, _ in out], dtype=np.uint8).reshape(x.shape)
    flags = np.array([f for _, f in out], dtype=np.uint8).reshape(x.shape)
    return codes, flags


def _decode_one(fmt: FloatFormat, code: int) -> tuple[int, Fraction | str]:
    """§1 table, read literally from the code's fields."""
    M, bias = fmt.man_w, fmt.bias
    nbits = 1 + fmt.exp_w + M
    s, e, f = code >> (nbits - 1), (code >> M) & ((1 << fmt.exp_w) - 1), code & ((1 << M) - 1)
    e_ones = (1 << fmt.exp_w) - 1
    if fmt.specials == "ieee" and e == e_ones:
        return s, ("nan" if f else "inf")
    if fmt.specials == "fn_nan" and e == e_ones and f == (1 << M) - 1:
        return s, "nan"
    if fmt.specials == "fnuz" and s and e == 0 and f == 0:
        return s, "nan"
    if e == 0:
        return s, (f * _pow2(1 - bias - M) if fmt.subnormals else Fraction(0))
    return s, _pow2(e - bias) * (1 + Fraction(f, 1 << M))


def _codes(codes, fmt: FloatFormat) -> np.ndarray:
    c = np.asarray(codes)
    if c.dtype.kind not in "iu":
        raise ValueError(f"slow.decode: codes must be integers, got dtype {c.dtype}")
    if c.size and (int(c.min()) < 0 or int(c.max()) >= 1 << (1 + fmt.exp_w + fmt.man_w)):
        raise ValueError(f"slow.decode: a code is outside 0..2^{1 + fmt.exp_w + fmt.man_w} - 1")
    return c


def decode(codes, fmt: FloatFormat) -> list[tuple[int, Fraction | str]]:
    """Exact (sign, magnitude) of every code, flattened in C order (see the module docstring)."""
    return [_decode_one(fmt, code) for code in _codes(codes, fmt).ravel().tolist()]


def decode_float(codes, fmt: FloatFormat) -> np.ndarray:
    """float64 of every code: NaN keeps the code's sign bit; every finite value is exact."""
    c = _codes(codes, fmt)
    out = [math.copysign(float(m), -1.0 if s else 1.0) for s, m in decode(c, fmt)]
    return np.array(out, dtype=np.float64).reshape(c.shape)


def int_map(codes, fmt: FloatFormat) -> np.ndarray:
    """§2: the integer I with value = I * 2^(1 - M - bias); ValueError on NaN and Inf codes."""
    c = _codes(codes, fmt)
    unit = _pow2(1 - fmt.man_w - fmt.bias)
    out = []
    for s, m in decode(c, fmt):
        if isinstance(m, str):
            raise ValueError(f"slow.int_map: {fmt.name} has a {m} code in the input")
        i = m / unit
        assert i.denominator == 1, "every finite value is a multiple of the unit"
        out.append(-i.numerator if s else i.numerator)
    return np.array(out, dtype=np.int64).reshape(c.shape)
