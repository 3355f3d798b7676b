"""MX dot product: E8M0 scales per block of 32, exact integer block sums, float32 across blocks
(docs/mac.md §7; OCP MX v1.0 §6.1-6.2)."""
from __future__ import annotations

import numpy as np

from fp4ref.emu import get_format
from fp4ref.emu.spec import FloatFormat

from .products import int_codes

BLOCK = 32
E8M0_NAN = 0xFF


def _check_scales(scales, blocks: int, name: str) -> np.ndarray:
    s = np.asarray(scales)
    if s.dtype.kind not in "ui" or s.shape != (blocks,) or (s.size and (s.min() < 0 or s.max() > 255)):
        raise ValueError(f"{name}: expected {blocks} E8M0 codes (integers 0..255), got shape {s.shape} dtype {s.dtype}")
    return s.astype(np.int64)


def mx_dot(a_codes, b_codes, scales_a, scales_b, fmt: str | FloatFormat = "e2m1") -> np.float32:
    """float32 MX dot product of two vectors of element codes with one E8M0 scale per 32."""
    fmt = get_format(fmt)
    ia, ib = int_codes(a_codes, fmt), int_codes(b_codes, fmt)
    if ia.ndim != 1 or ia.shape != ib.shape or ia.size % BLOCK:
        raise ValueError(f"shapes do not match: need two 1-D vectors of a multiple of {BLOCK} "
                         f"elements, got {ia.shape} and {ib.shape}")
    blocks = ia.size // BLOCK
    sa = _check_scales(scales_a, blocks, "scales_a")
    sb = _check_scales(scales_b, blocks, "scales_b")
    if ((sa == E8M0_NAN) | (sb == E8M0_NAN)).any():
        return np.float32(np.nan)
    sums = (ia * ib).reshape(blocks, BLOCK).sum(axis=1)                  # exact integers
    exps = 2 * fmt.int_unit_exp + sa + sb - 254
    with np.errstate(over="ignore"):
        values = np.ldexp(sums.astype(np.float64), exps.astype(np.int32)).astype(np.float32)  # one RNE
    acc = np.float32(0.0)
    with np.errstate(over="ignore", invalid="ignore"):
        for v in values:
            acc = np.float32(acc + v)
    return acc
