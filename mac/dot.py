"""N-lane dot products of codes into a W-bit accumulator (docs/mac.md §1-§2)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .accumulate import accumulate
from .products import products

ORDERS = ("sequential", "tree")


@dataclass
class DotResult:
    acc: np.ndarray        #: int64 accumulator after every term (policy applied)
    overflow: np.ndarray   #: bool: some acc + group sum left the acc_w-bit range
    exact: np.ndarray      #: int64 exact dot product (unbounded)
    max_abs: np.ndarray    #: int64 largest |partial sum| reached in this order


def dot(cx, cw, fx, fw, acc_w: int, policy: str = "wrap",
        order: str = "tree", lanes: int = 16, shifts=None, shift_max: int = 0, acc_in=0) -> DotResult:
    """Dot products over the last axis of activation codes ``cx`` and weight codes ``cw``.

    order "tree": groups of ``lanes`` terms, each summed exactly, then added to the accumulator
    (an adder tree per cycle); "sequential": one term at a time. ``shifts`` (0..shift_max per
    term) applies the pre-shift 2^(shift_max - s). ``fx``/``fw``: any integer-mapped format, a
    preset or a lookup format with an integer mapping (mac.products.int_format). ValueError for
    codes outside the formats, NaN/Inf or unused codes, mismatched shapes, lanes < 1, acc_w
    outside 2..62.
    """
    if order not in ORDERS:
        raise ValueError(f"order: must be one of {', '.join(ORDERS)}, got {order!r}")
    if isinstance(lanes, bool) or not isinstance(lanes, (int, np.integer)) or lanes < 1:
        raise ValueError(f"lanes: must be a positive integer, got {lanes!r}")
    p = products(cx, cw, fx, fw, shifts, shift_max)
    if p.ndim == 0:
        raise ValueError("dot: codes need at least one axis (the terms)")
    res = accumulate(p, acc_w, policy, lanes if order == "tree" else 1, acc_in)
    exact = np.asarray(acc_in, np.int64) + p.sum(axis=-1)
    return DotResult(res.acc, res.overflow, exact, res.max_abs)
