"""AWQ, activation-aware weight quantization (Lin et al., arXiv 2306.00978), weight-only, on any
grid of quant.grids.

Quantization error hurts most on the input channels whose activations are large ("salient"
channels). AWQ scales each input column j of W [out, in] up by s_j before quantizing and divides
the activation by s_j (folded into the previous operation), so the float layer is unchanged and
the salient columns are quantized with a relatively finer step:

    s_j = mean|x_j|^alpha, normalized by sqrt(max(s) * min(s));
    alpha = the value on a grid of N_GRID points in [0, 1] minimizing
            || x W^T - (x / s) Q(W * s)^T ||^2 over the calibration activations x [tokens, in],

with Q the group-wise round-to-nearest of quant.gptq.rtn (group 128 by default). alpha = 0 is
s = 1, i.e. plain RTN, so AWQ's error on the calibration data is never above RTN's. The result
is the effective dequantized weight Q(W * s) / s (what the layer computes with) and the search
record. As in the reference implementation, the search is per Linear and uses its own inputs.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .gptq import rtn
from .grids import Grid, grid

F32 = np.float32
N_GRID = 20


@dataclass
class AwqResult:
    weight: np.ndarray            #: float32 [out, in]: Q(W * s) / s, the weight the layer uses
    scale: np.ndarray             #: s [in] (float32)
    alpha: float                  #: the chosen exponent
    errors: dict[float, float] = field(default_factory=dict)   #: alpha -> output MSE

    @property
    def rtn_error(self) -> float:
        return self.errors[0.0]


def awq(x, w, g: str | Grid, group_size: int = 128, n_grid: int = N_GRID) -> AwqResult:
    """Search the AWQ scales of one Linear from calibration inputs x [tokens, in]."""
    g = grid(g)
    x = np.asarray(x, dtype=F32).reshape(-1, np.shape(w)[1])
    w = np.asarray(w, dtype=F32)
    if x.shape[0] == 0:
        raise ValueError("awq: no calibration rows")
    if not (np.isfinite(x).all() and np.isfinite(w).all()):
        raise ValueError("awq: NaN or Inf in the calibration inputs or the weight")
    if not isinstance(n_grid, int) or n_grid < 1:
        raise ValueError(f"awq: n_grid must be a positive integer, got {n_grid!r}")
    x64 = x.astype(np.float64)
    ref = x64 @ w.T.astype(np.float64)
    mean = np.abs(x64).mean(axis=0)
    best = None
    errors = {}
    for k in range(n_grid):
        alpha = k / n_grid
        s = np.where(mean > 0, mean, 1.0) ** alpha
        s = s / np.sqrt(s.max() * s.min())
        s = s.astype(F32)
        wq = (rtn(w * s[None, :], g, group_size).weight / s[None, :]).astype(F32)
        err = float(np.mean((x64 @ wq.T.astype(np.float64) - ref) ** 2))
        errors[alpha] = err
        if best is None or err < best[0]:
            best = (err, alpha, s, wq)
    _, alpha, s, wq = best
    return AwqResult(wq, s, alpha, errors)
