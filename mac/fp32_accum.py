"""float32 accumulation of exact products in a defined order (docs/mac.md §6).

Tensor cores and many accelerators add products in float32; this model shows, bit for bit,
what that costs against the exact integer accumulator.
"""
from __future__ import annotations

import numpy as np

from fp4ref.emu import decode, get_format
from fp4ref.emu.spec import FloatFormat

from .dot import ORDERS
from .products import check_shifts, int_codes


def check_finite(codes, fmt: FloatFormat) -> np.ndarray:
    """The codes, after int_codes has refused NaN/Inf codes and codes outside the format."""
    int_codes(codes, fmt)
    return np.asarray(codes)


def _pairwise(v: np.ndarray) -> np.ndarray:
    """Sum the last axis pairwise in float32, level by level; an odd last element passes up."""
    while v.shape[-1] > 1:
        n = v.shape[-1]
        summed = v[..., 0:n - 1:2] + v[..., 1:n:2]
        v = np.concatenate([summed, v[..., n - 1:]], axis=-1) if n % 2 else summed
    return v[..., 0]


def fp32_dot(cx, cw, fx: str | FloatFormat, fw: str | FloatFormat, order: str = "sequential",
             lanes: int = 16, shifts=None, shift_max: int = 0) -> np.ndarray:
    """float32 dot products over the last axis: exact products (value_x * value_w * 2^-s),
    float32 RNE additions in the given order."""
    fx, fw = get_format(fx), get_format(fw)
    if order not in ORDERS:
        raise ValueError(f"order: must be one of {', '.join(ORDERS)}, got {order!r}")
    if isinstance(lanes, bool) or not isinstance(lanes, (int, np.integer)) or lanes < 1:
        raise ValueError(f"lanes: must be a positive integer, got {lanes!r}")
    vx, vw = decode(check_finite(cx, fx), fx), decode(check_finite(cw, fw), fw)
    try:
        vx, vw = np.broadcast_arrays(vx, vw)
    except ValueError:
        raise ValueError(f"shapes do not match: activations {vx.shape}, weights {vw.shape}") from None
    s = check_shifts(shifts, vx.shape, shift_max)
    # the value of P_j = Ix * Iw * 2^(B - s) is Ix * Iw * 2^(ux + uw - s) (docs/mac.md §1):
    # exact in float64 (at most 8-bit significands); the check below proves it fits float32
    terms = vx * vw * np.ldexp(1.0, (-s).astype(np.int32))
    as32 = terms.astype(np.float32)
    if not np.array_equal(as32.astype(np.float64), terms):     # the contract says this cannot happen
        raise ValueError(f"products of {fx.name} x {fw.name} are not exact in float32")
    if as32.ndim == 0:
        raise ValueError("fp32_dot: codes need at least one axis (the terms)")
    group = 1 if order == "sequential" else lanes
    acc = np.zeros(as32.shape[:-1], np.float32)
    for start in range(0, as32.shape[-1], group):
        block = as32[..., start:start + group]
        acc = acc + (block[..., 0] if group == 1 else _pairwise(block))
    return acc
