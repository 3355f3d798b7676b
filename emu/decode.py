"""decode(): codes -> exact float64 values; decode_int(): codes -> exact integer form.

docs/encoding.md §2. Both are tables over every code of the format, built from the fields
with integer arithmetic (np.ldexp of an integer significand is exact in float64).
"""
from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import numpy as np

from .errors import raise_if_any
from .registry import get_format
from .spec import FloatFormat

#: decode_int kinds
FINITE, INF, NAN = 0, 1, 2


class IntValue(NamedTuple):
    """value = (-1)^sign * sig * 2^exp for FINITE; sig = 0 for INF and NAN."""

    sign: np.ndarray   #: uint8
    sig: np.ndarray    #: int64 integer significand (hidden bit included)
    exp: np.ndarray    #: int64 exponent of the significand's LSB
    kind: np.ndarray   #: uint8 FINITE / INF / NAN


def check_codes(codes, fmt: FloatFormat) -> np.ndarray:
    """Codes as an integer array, or ValueError naming the first code outside the format."""
    c = np.asarray(codes)
    if c.dtype.kind not in "ui":
        raise ValueError(f"codes: must be integers, got dtype {c.dtype}")
    raise_if_any((c < 0) | (c >= fmt.n_codes), c,
                 f"codes outside {fmt.name} ({fmt.bits}-bit codes 0x0..{fmt.n_codes - 1:#x})",
                 show=lambda v: str(int(v)))
    return c


@lru_cache(maxsize=None)
def int_table(fmt: FloatFormat) -> IntValue:
    """decode_int of every code 0 .. 2^bits - 1."""
    code = np.arange(fmt.n_codes, dtype=np.int64)
    sign = (code >> (fmt.bits - 1)).astype(np.uint8)
    exp_field = (code & fmt.mag_mask) >> fmt.man_w
    frac = code & fmt.frac_mask
    normal = exp_field > 0
    sig = np.where(normal, frac | (1 << fmt.man_w), frac if fmt.subnormals else 0)
    exp = np.maximum(exp_field, 1) - fmt.bias - fmt.man_w
    kind = np.full(code.shape, FINITE, np.uint8)
    for c in range(fmt.n_codes):
        if fmt.is_nan_code(c):
            kind[c] = NAN
        elif fmt.is_inf_code(c):
            kind[c] = INF
    sig = np.where(kind == FINITE, sig, 0)
    for a in (sign, sig, exp, kind):
        a.flags.writeable = False
    return IntValue(sign, sig, exp, kind)


@lru_cache(maxsize=None)
def float_table(fmt: FloatFormat) -> np.ndarray:
    """decode of every code: exact float64 (NaN with the code's sign, ±inf, ±0.0)."""
    t = int_table(fmt)
    mag = np.ldexp(t.sig.astype(np.float64), t.exp.astype(np.int32))
    mag = np.where(t.kind == INF, np.inf, np.where(t.kind == NAN, np.nan, mag))
    out = np.where(t.sign == 1, -mag, mag)   # -0.0 and negative NaN keep the sign bit
    out.flags.writeable = False
    return out


def decode(codes, fmt: str | FloatFormat) -> np.ndarray:
    """Exact float64 value of each code (NaN codes -> NaN, Inf codes -> ±inf)."""
    fmt = get_format(fmt)
    return float_table(fmt)[check_codes(codes, fmt)]


def decode_int(codes, fmt: str | FloatFormat) -> IntValue:
    """Exact integer form (sign, sig, exp, kind) of each code."""
    fmt = get_format(fmt)
    c = check_codes(codes, fmt)
    t = int_table(fmt)
    return IntValue(t.sign[c], t.sig[c], t.exp[c], t.kind[c])
