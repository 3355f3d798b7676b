"""Exact integer products of two formats' codes, with the optional pre-shift (docs/mac.md §1).

P = I(cx) * I(cw) * 2^(B - s): integers only, left shifts only. Mixed formats are the normal
case (LLM-FP4 picks E3M0, E2M1 or E1M2 per layer and operand).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from emu import get_format, int_map
from emu.decode import FINITE, int_table
from emu.intmap import int_map_table
from emu.spec import FloatFormat


def int_codes(codes, fmt: FloatFormat) -> np.ndarray:
    """I(code) as int64; ValueError for codes outside the format and for NaN/Inf codes."""
    return int_map(codes, fmt)


MAX_PRODUCT_BITS = 61     #: |P| < 2^61 keeps products, and sums of a few, inside int64


def fits_int64(fx: FloatFormat, fw: FloatFormat, shift_max: int = 0) -> bool:
    return (fx.int_max * fw.int_max << shift_max).bit_length() <= MAX_PRODUCT_BITS


@lru_cache(maxsize=None)
def product_table(fx: FloatFormat, fw: FloatFormat) -> np.ndarray:
    """Ix * Iw for every code pair, [2^bits_x, 2^bits_w]; 0 where a code is NaN/Inf.

    int64, or Python ints (dtype object) for the pairs whose products need more than 61 bits
    (E5M2 x E5M2: 66 bits).
    """
    ix = np.where(int_table(fx).kind == FINITE, int_map_table(fx), 0)
    iw = np.where(int_table(fw).kind == FINITE, int_map_table(fw), 0)
    if fits_int64(fx, fw):
        table = np.outer(ix, iw)
    else:
        table = np.outer(ix.astype(object), iw.astype(object))
    table.flags.writeable = False
    return table


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


def check_pair(fx: FloatFormat, fw: FloatFormat, shift_max: int = 0) -> None:
    """ValueError unless every product of the pair fits the int64 MAC model."""
    check_shifts(None, (), shift_max)
    bits = (fx.int_max * fw.int_max << shift_max).bit_length()
    if bits > MAX_PRODUCT_BITS:
        raise ValueError(f"{fx.name} x {fw.name} products need {bits + 1} signed bits; the integer "
                         f"MAC model holds products up to {MAX_PRODUCT_BITS + 1} (use product_table "
                         f"for exact Python-int products)")


def products(cx, cw, fx: str | FloatFormat, fw: str | FloatFormat, shifts=None,
             shift_max: int = 0) -> np.ndarray:
    """Exact P = Ix * Iw * 2^(shift_max - s) for codes of broadcastable shapes (int64)."""
    fx, fw = get_format(fx), get_format(fw)
    check_pair(fx, fw, shift_max)
    ix, iw = int_codes(cx, fx), int_codes(cw, fw)
    try:
        ix, iw = np.broadcast_arrays(ix, iw)
    except ValueError:
        raise ValueError(f"shapes do not match: activations {ix.shape}, weights {iw.shape}") from None
    s = check_shifts(shifts, ix.shape, shift_max)
    return (ix * iw) << (shift_max - s)
