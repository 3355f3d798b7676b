"""SmoothQuant (Xiao et al., arXiv 2211.10438): migrate activation outliers into the weights.

For a Linear y = x W^T with x [tokens, in] and W [out, in], a per-input-channel factor s > 0
gives the same layer in float: y = (x / s) (W * s)^T. SmoothQuant picks

    s_j = max|x_j|^alpha / max|W_j|^(1 - alpha)        (x_j: input channel j, W_j: column j)

from calibration activations, so a channel whose activations are large is divided down and its
weights grow to match: alpha = 0.5 splits the range evenly, larger alpha moves more of it into
the weights. A channel that is zero in x or in W keeps s_j = 1 (nothing to migrate). The
smoothed activations and weights are then quantized as usual (W4A4 here: weights per output
channel, activations per tensor, each on any grid of quant.grids).

In a deployment 1/s is folded into the previous operation (LayerNorm's weight, or the previous
Linear's output rows); `smooth_linear` returns the pair (1/s, W * s) that such a fold needs.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .grids import Grid, grid, group_params, quantize_column

F32 = np.float32


def _check_alpha(alpha: float) -> float:
    if not isinstance(alpha, (int, float)) or not 0.0 <= float(alpha) <= 1.0:
        raise ValueError(f"alpha: must be a number in [0, 1], got {alpha!r}")
    return float(alpha)


def smooth_scales(x_absmax, w, alpha: float = 0.5) -> np.ndarray:
    """s [in] (float32) from the per-channel activation maxima x_absmax [in] and the weight
    W [out, in]."""
    alpha = _check_alpha(alpha)
    a = np.asarray(x_absmax, dtype=np.float64)
    wm = np.abs(np.asarray(w, dtype=np.float64)).max(axis=0)
    if a.shape != wm.shape:
        raise ValueError(f"x_absmax has {a.shape[0] if a.ndim else 0} channels, W has {wm.shape[0]} inputs")
    if not (np.isfinite(a).all() and np.isfinite(wm).all()):
        raise ValueError("smooth_scales: NaN or Inf in the activation maxima or the weight")
    ok = (a > 0) & (wm > 0)
    s = np.ones_like(a)
    s[ok] = a[ok] ** alpha / wm[ok] ** (1.0 - alpha)
    return s.astype(F32)


def quantize_tensor(x, g: str | Grid) -> np.ndarray:
    """x (any shape, float32) fake-quantized on grid g with one scale for the whole tensor."""
    g = grid(g)
    x = np.asarray(x, dtype=F32)
    s, z = group_params(g, x.reshape(1, -1))
    _, deq = quantize_column(g, x.reshape(1, -1), s[:, None], None if z is None else z[:, None])
    return deq.reshape(x.shape)


def quantize_rows(w, g: str | Grid) -> np.ndarray:
    """W [out, in] fake-quantized on grid g with one scale per output channel (row)."""
    g = grid(g)
    w = np.asarray(w, dtype=F32)
    s, z = group_params(g, w)
    return quantize_column(g, w, s[:, None], None if z is None else z[:, None])[1]


@dataclass
class Smoothed:
    inv_scale: np.ndarray        #: 1 / s [in]: what the previous operation absorbs
    weight: np.ndarray           #: W * s [out, in]
    scale: np.ndarray            #: s [in]


def smooth_linear(x_absmax, w, alpha: float = 0.5) -> Smoothed:
    """The smoothed layer: (1/s, W * s) with s = smooth_scales(x_absmax, W, alpha)."""
    w = np.asarray(w.detach().numpy() if isinstance(w, torch.Tensor) else w, dtype=F32)
    s = smooth_scales(x_absmax, w, alpha)
    return Smoothed((1.0 / s).astype(F32), (w * s[None, :]).astype(F32), s)


def w4a4(x, w, g: str | Grid, alpha: float | None = 0.5) -> np.ndarray:
    """The layer output x W^T with W quantized per output channel and x per tensor on grid g,
    after smoothing with ``alpha`` (None: no smoothing). x [tokens, in], W [out, in]; the
    activation maxima come from x itself (calibration equals evaluation here)."""
    x = np.asarray(x, dtype=F32)
    w = np.asarray(w, dtype=F32)
    if alpha is not None:
        sm = smooth_linear(np.abs(x).max(axis=0), w, alpha)
        x, w = (x * sm.inv_scale[None, :]).astype(F32), sm.weight
    return quantize_tensor(x, g) @ quantize_rows(w, g).T
