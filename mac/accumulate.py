"""W-bit two's complement accumulation with a policy and an order (docs/mac.md §2).

Terms arrive in groups of G consecutive products (G = 1: sequential; G = lanes: an exact
adder tree per cycle); after each group acc = op(acc + sum of the group). Under 'wrap' the
result is order-free, under 'saturate' it is not, and the overflow flag depends on the order
under every policy.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

POLICIES = ("wrap", "saturate", "exact")
MAX_ACC_W = 62      #: keeps acc + group sum inside int64


def check_acc_w(acc_w) -> int:
    if isinstance(acc_w, bool) or not isinstance(acc_w, (int, np.integer)) or not 2 <= acc_w <= MAX_ACC_W:
        raise ValueError(f"acc_w: the accumulator must be an integer of 2..{MAX_ACC_W} bits, got {acc_w!r}")
    return int(acc_w)


def wrap(t: np.ndarray, acc_w: int) -> np.ndarray:
    """Reduce to acc_w-bit two's complement."""
    half = np.int64(1) << np.int64(acc_w - 1)
    return ((t + half) & ((half << np.int64(1)) - 1)) - half


@dataclass
class Accumulated:
    acc: np.ndarray          #: int64 final accumulator (exact sum under 'exact')
    overflow: np.ndarray     #: bool: some acc + group sum left the acc_w-bit range
    max_abs: np.ndarray      #: int64 largest |acc + group sum| reached (before op)


def accumulate(terms: np.ndarray, acc_w: int, policy: str = "wrap", group: int = 1,
               acc_in=0) -> Accumulated:
    """Accumulate the last axis of ``terms`` (int64 products) into an acc_w-bit accumulator."""
    acc_w = check_acc_w(acc_w)
    if policy not in POLICIES:
        raise ValueError(f"policy: must be one of {', '.join(POLICIES)}, got {policy!r}")
    if isinstance(group, bool) or not isinstance(group, (int, np.integer)) or group < 1:
        raise ValueError(f"lanes: must be a positive integer, got {group!r}")
    terms = np.asarray(terms, np.int64)
    lo, hi = -(1 << (acc_w - 1)), (1 << (acc_w - 1)) - 1
    acc = np.broadcast_to(np.asarray(acc_in, np.int64), terms.shape[:-1]).copy()
    if ((acc < lo) | (acc > hi)).any() and policy != "exact":
        raise ValueError(f"acc_in: must fit {acc_w} bits two's complement")
    overflow = np.zeros(acc.shape, bool)
    max_abs = np.abs(acc)
    k = terms.shape[-1]
    for start in range(0, k, group):
        t = acc + terms[..., start:start + group].sum(axis=-1)
        out = (t < lo) | (t > hi)
        overflow |= out
        max_abs = np.maximum(max_abs, np.abs(t))
        if policy == "wrap":
            acc = wrap(t, acc_w)
        elif policy == "saturate":
            acc = np.clip(t, lo, hi)
        else:
            acc = t
    return Accumulated(acc, overflow, max_abs)
