"""FP4 multipliers with a narrow float output (docs/block.md §12): the exact product of two
codes encoded into a third format exactly as the encoder encodes a value."""
from __future__ import annotations

import numpy as np

from fp4ref.emu import decode, encode, get_format
from fp4ref.emu.spec import FloatFormat


def fp_mul(a, b, fa: str | FloatFormat, fb: str | FloatFormat, fo: str | FloatFormat,
           rounding: str = "rne", overflow: str = "saturate", rand=None, sr_bits: int = 8):
    """(codes uint8, flags uint8) of the products of codes a (format fa) and b (fb) in fo.

    The product of two decoded values is exact in float32 for every pair of presets (at most
    8 significand bits, exponents inside float32's range; checked). NaN operands and Inf x 0
    give NaN, which the encoder turns into fo's NaN (or its zero, for formats without NaN),
    with invalid. Every sign, a NaN product's included, is the XOR of the operands' sign bits.
    NaN policy: "nan" when fo has NaN, else "zero"."""
    fa, fb, fo = get_format(fa), get_format(fb), get_format(fo)
    va, vb = decode(np.asarray(a), fa), decode(np.asarray(b), fb)
    with np.errstate(invalid="ignore"):
        p = va * vb                                        # float64: exact
    sign = ((np.asarray(a) & fa.sign_bit) != 0) ^ ((np.asarray(b) & fb.sign_bit) != 0)
    p = np.where(np.isnan(p), np.where(sign, -np.nan, np.nan), p)   # a NaN's sign too is the XOR
    p32 = p.astype(np.float32)
    finite = np.isfinite(p)
    if not np.array_equal(p32[finite].astype(np.float64), p[finite]):
        raise ValueError(f"fp_mul: products of {fa.name} x {fb.name} are not exact in float32")
    nan = "nan" if fo.has_nan else "zero"
    return encode(p32, fo, rounding=rounding, overflow=overflow, nan=nan, rand=rand, sr_bits=sr_bits,
                  flags=True)
