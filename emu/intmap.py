"""int_map(): the integer a MAC multiplies for each code (llm-fp4.md §1.3).

value = I(code) * 2^fmt.int_unit_exp, with I = (-1)^s * f for exponent field 0 and
(-1)^s * (2^m + f) * 2^(e - 1) otherwise. |I| <= fmt.int_max, which fits fmt.int_w signed bits
(E2M1: {0, ±1, ±2, ±3, ±4, ±6, ±8, ±12}, int5).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from .decode import FINITE, check_codes, int_table
from .registry import get_format
from .spec import FloatFormat


@lru_cache(maxsize=None)
def int_map_table(fmt: FloatFormat) -> np.ndarray:
    """I(code) for every code (0 for NaN and Inf codes; int_map refuses those)."""
    t = int_table(fmt)
    # sig * 2^exp = I * 2^int_unit_exp, and exp >= int_unit_exp for every code
    mag = t.sig << (t.exp - fmt.int_unit_exp)
    out = np.where(t.sign == 1, -mag, mag).astype(np.int64)
    out.flags.writeable = False
    return out


def int_map(codes, fmt: str | FloatFormat) -> np.ndarray:
    """Integer mapping of each finite code (int64). ValueError for NaN or Inf codes."""
    fmt = get_format(fmt)
    c = check_codes(codes, fmt)
    special = int_table(fmt).kind[c] != FINITE
    if special.any():
        first = int(np.asarray(c)[special].flat[0])
        raise ValueError(f"int_map: {int(special.sum())} codes are NaN or Inf in {fmt.name} "
                         f"(first {first:#x}); the integer mapping covers finite codes only")
    return int_map_table(fmt)[c]
