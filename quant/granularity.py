"""LLM-FP4 granularity (llm-fp4.md §2.2, §3.1-3.2): which biases exist and how they are computed.

- weights: one real bias per output channel, b_k = Eq. 7 on the row's absolute maximum;
- activations: one real bias rho per tensor (MinMax, FPQ baseline) or, for FPQ, rho plus an
  integer offset b_j in 0..2^e - 1 per input channel from the channel's calibration maximum
  (Eq. 14-15). The released code rounds clamp(round(b~_j) - round(rho)), the paper
  round(b~_j - rho); they disagree on ~5.5 % of pairs. The code's rule is the default.
"""
from __future__ import annotations

import numpy as np

from .lfp4 import bias_from_max

OFFSET_ROUNDINGS = ("code", "paper")
_TINY = 1e-30       # an all-zero row or channel gets the bias of a tiny maximum, not -inf


def weight_biases(w: np.ndarray, e: int, m: int) -> np.ndarray:
    """Per output channel (rows of an nn.Linear weight [out, in]): Eq. 7 on max |row|."""
    w = np.asarray(w, np.float64)
    if w.ndim != 2:
        raise ValueError(f"weights: expected [out, in], got shape {w.shape}")
    return np.asarray(bias_from_max(e, m, np.maximum(np.abs(w).max(axis=1), _TINY)), np.float64)


def tensor_bias(x: np.ndarray, e: int, m: int) -> float:
    """One bias for a whole activation tensor: Eq. 7 on its global max |x|."""
    return float(bias_from_max(e, m, max(float(np.abs(np.asarray(x)).max()), _TINY)))


def channel_biases(x: np.ndarray, e: int, m: int) -> np.ndarray:
    """Eq. 14: the real bias b~_j of each input channel (columns of calibration x [tokens, in])."""
    x = np.asarray(x, np.float64)
    if x.ndim != 2:
        raise ValueError(f"activations: expected [tokens, in], got shape {x.shape}")
    return np.asarray(bias_from_max(e, m, np.maximum(np.abs(x).max(axis=0), _TINY)), np.float64)


def channel_offsets(b_tilde: np.ndarray, rho: float, e: int, rounding: str = "code") -> np.ndarray:
    """Integer offsets b_j in 0..2^e - 1 (Eq. 15): the released code's rule or the paper's."""
    top = (1 << e) - 1
    b_tilde = np.asarray(b_tilde, np.float64)
    if rounding == "code":       # clamp(round(b~_j), round(rho), round(rho) + 2^e - 1) - round(rho)
        return np.clip(np.round(b_tilde) - np.round(rho), 0, top).astype(np.int64)
    if rounding == "paper":      # clip(round(b~_j - rho), 0, 2^e - 1)
        return np.clip(np.round(b_tilde - rho), 0, top).astype(np.int64)
    raise ValueError(f"rounding: must be one of {', '.join(OFFSET_ROUNDINGS)}, got {rounding!r}")
