"""Weight quantizers over any Grid (quant.grids): round-to-nearest and GPTQ (Frantar et al.,
arXiv 2210.17323), following the reference implementation (IST-DASLab gptq/gptq.py,
`GPTQ.fasterquant`) step for step; docs/gptq.md states the algorithm and every rule.

A Linear weight W is [out, in]; groups run along the input dimension. The result is a
QuantizedWeight whose codes, per-(row, group) scales (and zero points) and the explicit group
index of every input column reproduce the dequantized weight bit for bit (`dequantize`), so
hardware needs nothing else, also under act-order.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from fp4ref.emu.lookup_scale import group_bounds

from .grids import Grid, dequantize as grid_dequantize, grid, group_params, quantize_column

F32 = np.float32
MAX_RETRIES = 6          # Cholesky failures: damping x10 each time, at most this many times


@dataclass
class QuantizedWeight:
    """A quantized [out, in] weight.

    groups[j] is the group (column of scales/zeros) of input column j in the original column
    order; perm is the order the columns were quantized in (act-order) or None (0..in-1)."""
    grid: str
    method: str                      # "rtn" | "gptq"
    codes: np.ndarray                # uint8 [out, in], original column order
    scales: np.ndarray               # float32 [out, n_groups]
    zeros: np.ndarray | None         # int64 [out, n_groups] (asym grids), else None
    groups: np.ndarray               # int64 [in]
    perm: np.ndarray | None          # int64 [in]: perm[p] = the column quantized p-th
    weight: np.ndarray               # float32 [out, in]: the dequantized weight
    group_size: int                  # as asked (-1: one group per row)
    report: dict = field(default_factory=dict)

    def dequantize(self) -> np.ndarray:
        """The weight from codes, scales, zeros and groups alone."""
        return dequantize(self.grid, self.codes, self.scales, self.zeros, self.groups)


def dequantize(grid_name, codes, scales, zeros, groups) -> np.ndarray:
    """float32 [out, in]: table[code] * scale[row, groups[col]] (asym: (code - zero) * scale)."""
    return grid_dequantize(grid(grid_name), codes, scales, zeros, groups)


# ------------------------------------------------------------------------------- helpers

def _weight(w) -> np.ndarray:
    if isinstance(w, torch.Tensor):
        w = w.detach().cpu().numpy()
    a = np.asarray(w)
    if a.dtype.kind != "f" or a.ndim != 2 or a.size == 0:
        raise ValueError(f"weight must be a non-empty 2-D float array [out, in], got "
                         f"{a.dtype} {a.shape}")
    a = a.astype(F32)
    if not np.isfinite(a).all():
        raise ValueError(f"weight holds {int((~np.isfinite(a)).sum())} NaN or Inf elements")
    return a


def _check_group_size(group_size: int) -> None:
    if not isinstance(group_size, (int, np.integer)) or (group_size <= 0 and group_size != -1):
        raise ValueError(f"group size must be a positive integer or -1 (one group per row), "
                         f"got {group_size!r}")


def group_starts(n: int, group_size: int) -> list[int]:
    """Start positions of the groups along n columns: every group_size columns, the last group
    shorter when group_size does not divide n; one group when group_size is -1 or >= n."""
    _check_group_size(group_size)
    return [a for a, _ in group_bounds(n, group_size)]


def hessian(x) -> torch.Tensor:
    """H = 2 X^T X / n, float64 [in, in], from calibration inputs x [n, in] (or [..., in]).

    The reference accumulates the same quantity batch by batch (H *= n/(n+m); H += 2/(n+m) X_b^T X_b)."""
    t = x if isinstance(x, torch.Tensor) else torch.from_numpy(np.asarray(x))
    t = t.detach().reshape(-1, t.shape[-1]).to(torch.float64)
    if t.shape[0] == 0:
        raise ValueError("hessian: no calibration rows")
    if not torch.isfinite(t).all():
        raise ValueError("hessian: calibration inputs hold NaN or Inf")
    return (2.0 / t.shape[0]) * (t.T @ t)


# ------------------------------------------------------------------------------- RTN

def rtn(w, g: str | Grid, group_size: int = 128) -> QuantizedWeight:
    """Round-to-nearest: per-(row, group) scale from the group's weights, every element to its
    nearest code (equals emu.lookup_scale.fake_quantize for the 4-bit lookup formats)."""
    g = grid(g)
    w = _weight(w)
    out, n = w.shape
    starts = group_starts(n, group_size)
    ends = starts[1:] + [n]
    codes = np.empty((out, n), dtype=np.uint8)
    deq = np.empty((out, n), dtype=F32)
    scales = np.empty((out, len(starts)), dtype=F32)
    zeros = np.empty(scales.shape, dtype=np.int64) if g.scale_rule == "asym" else None
    groups = np.empty(n, dtype=np.int64)
    for j, (a, b) in enumerate(zip(starts, ends)):
        s, z = group_params(g, w[:, a:b])
        scales[:, j] = s
        if zeros is not None:
            zeros[:, j] = z
        c, d = quantize_column(g, w[:, a:b], s[:, None], None if z is None else z[:, None])
        codes[:, a:b], deq[:, a:b] = c, d
        groups[a:b] = j
    return QuantizedWeight(g.name, "rtn", codes, scales, zeros, groups, None, deq, group_size,
                           {"method": "rtn"})


# ------------------------------------------------------------------------------- GPTQ

def _inverse_cholesky(H: torch.Tensor, damp: float):
    """Upper Cholesky factor of (H + lambda I)^-1 with lambda = damp * mean(diag H); on failure
    (or a non-finite result) retry with damp x10, at most MAX_RETRIES times.
    Returns (U, damp used, retries) or (None, last damp, retries) when every try failed."""
    n = H.shape[0]
    mean_diag = float(torch.diagonal(H).mean())
    eye = torch.eye(n, dtype=torch.float64)
    retries = 0
    while True:
        Hd = H + (damp * mean_diag) * eye
        L, info = torch.linalg.cholesky_ex(Hd)
        if int(info) == 0:
            # H^-1 from the factor: cholesky_solve(I, L), the same quantity as the reference's
            # cholesky_inverse(L) (which is 10x slower on a busy 2-core machine with 2 threads)
            Hinv = torch.cholesky_solve(eye, L)
            U, info = torch.linalg.cholesky_ex(Hinv, upper=True)
            if int(info) == 0 and bool(torch.isfinite(U).all()) and bool((torch.diagonal(U) > 0).all()):
                return U, damp, retries
        if retries == MAX_RETRIES:
            return None, damp, retries
        retries += 1
        damp *= 10.0


@dataclass(frozen=True)
class HessianFactor:
    """What GPTQ needs from H, independent of the weight and the grid (reusable across formats):
    the dead inputs, the column order, and the upper Cholesky factor U of (H + lambda I)^-1
    in that order (identity when every factorization failed: no error feedback, reported)."""
    n: int
    dead: np.ndarray            # int64: inputs with H_ii = 0 (original indices)
    perm: np.ndarray | None     # act-order: columns by descending diag(H), else None
    U: np.ndarray               # float64 [n, n], upper triangular
    damp: float                 # asked
    damp_used: float            # after retries
    retries: int
    fallback: bool              # True: U = I (every Cholesky failed)


def _check_damp(damp) -> None:
    if isinstance(damp, bool) or not isinstance(damp, (int, float)) or not 0 < damp <= 1:
        raise ValueError(f"damp must be in (0, 1], got {damp!r}")


def factor(H, damp: float = 0.01, act_order: bool = False) -> HessianFactor:
    """Dead inputs (H_ii = 0 -> H_ii = 1), act-order permutation, damping, the Cholesky factor
    of the inverse (retrying with 10x damping on failure). H: [in, in], float64 internally."""
    _check_damp(damp)
    H = (H if isinstance(H, torch.Tensor) else torch.from_numpy(np.asarray(H))).detach()
    H = H.to(torch.float64).clone()
    if H.ndim != 2 or H.shape[0] != H.shape[1] or H.shape[0] == 0:
        raise ValueError(f"Hessian must be a square [in, in] matrix, got shape {tuple(H.shape)}")
    if not bool(torch.isfinite(H).all()):
        raise ValueError("Hessian holds NaN or Inf")
    n = H.shape[0]
    dead = np.flatnonzero((torch.diagonal(H) == 0).numpy())
    if dead.size:
        H[dead, dead] = 1.0
    perm = None
    if act_order:
        perm = torch.argsort(torch.diagonal(H), descending=True, stable=True).numpy()
        H = H[perm][:, perm]
    U, damp_used, retries = _inverse_cholesky(H, damp)
    fallback = U is None
    if fallback:                     # never NaN: no error feedback at all (RTN in this order)
        U = torch.eye(n, dtype=torch.float64)
    return HessianFactor(n, dead.astype(np.int64), perm, U.numpy(), damp, damp_used, retries, fallback)


def gptq(w, H, g: str | Grid, group_size: int = 128, act_order: bool = False, damp: float = 0.01,
         blocksize: int = 128, static_groups: bool = False) -> QuantizedWeight:
    """GPTQ-quantize w [out, in] given H = hessian(calibration inputs) [in, in] (or a
    HessianFactor from factor(H, damp, act_order), to reuse one factorization across grids).

    Reference steps (IST-DASLab fasterquant): dead inputs (H_ii = 0) get H_ii = 1 and W[:, i] = 0;
    act_order permutes the columns by descending diag(H); lambda = damp * mean(diag H) is added
    to the diagonal; U = upper Cholesky factor of H^-1; columns are quantized left to right, each
    one's error (w - q) / U_ii fed into the not yet quantized columns of its block through row i
    of U, and each block's accumulated error into the later columns at the block's end (lazy batch
    updates). A group's scale is computed when its first column comes up, from the weights as
    updated so far (groups in quantization order; with static_groups from the original weights
    in the original column order, computed before any update).
    Arithmetic: float64 for H, its factorization and the updates; each column is rounded to
    float32 and quantized with the grid's float32 rule (the same as RTN's)."""
    g = grid(g)
    _check_group_size(group_size)
    _check_damp(damp)
    if not isinstance(blocksize, (int, np.integer)) or blocksize <= 0:
        raise ValueError(f"blocksize must be a positive integer, got {blocksize!r}")
    w32 = _weight(w)
    out, n = w32.shape
    F = H if isinstance(H, HessianFactor) else factor(H, damp, act_order)
    if F.n != n:
        raise ValueError(f"Hessian of {F.n} inputs does not match the weight's {n} inputs")
    if (F.perm is not None) != bool(act_order) or F.damp != damp:
        raise ValueError(f"the HessianFactor was made with act_order={F.perm is not None}, "
                         f"damp={F.damp}; asked act_order={act_order}, damp={damp}")
    dead, perm, U = F.dead, F.perm, F.U

    W = w32.astype(np.float64)
    if dead.size:
        W[:, dead] = 0.0

    starts = group_starts(n, group_size)
    static = None
    if static_groups:
        ends = starts[1:] + [n]
        static = [group_params(g, W[:, a:b].astype(F32)) for a, b in zip(starts, ends)]
    if perm is not None:
        W = W[:, perm]

    # groups in quantization order (position p); static: by original column
    pos_group = np.empty(n, dtype=np.int64)
    if static_groups:
        orig = perm if perm is not None else np.arange(n)
        pos_group[:] = np.searchsorted(starts, orig, side="right") - 1
    else:
        for j, a in enumerate(starts):
            pos_group[a:] = j
    n_groups = len(starts)
    scales = np.zeros((out, n_groups), dtype=F32)
    zeros = np.zeros((out, n_groups), dtype=np.int64) if g.scale_rule == "asym" else None
    if static is not None:
        for j, (s, z) in enumerate(static):
            scales[:, j] = s
            if zeros is not None:
                zeros[:, j] = z

    # blocks of `blocksize`, also split at every group start (dynamic groups), so that a group's
    # first column is always a block's first column: its scale sees every earlier update
    bounds = set(range(0, n, blocksize))
    if not static_groups:
        bounds |= set(starts)
    bounds = sorted(bounds) + [n]
    group_end = dict(zip(starts, starts[1:] + [n]))

    Wt = np.ascontiguousarray(W.T)                 # [in, out]: row i is column i
    codes_t = np.empty((n, out), dtype=np.uint8)
    q_t = np.empty((n, out), dtype=F32)
    loss = 0.0
    for i1, i2 in zip(bounds[:-1], bounds[1:]):
        if not static_groups and i1 in group_end:
            j = pos_group[i1]
            s, z = group_params(g, Wt[i1:group_end[i1]].T.astype(F32))
            scales[:, j] = s
            if zeros is not None:
                zeros[:, j] = z
        W1 = Wt[i1:i2].copy()
        Err1 = np.empty_like(W1)
        U1 = U[i1:i2, i1:i2]
        for i in range(i2 - i1):
            j = pos_group[i1 + i]
            col = W1[i].astype(F32)
            c, q = quantize_column(g, col, scales[:, j], None if zeros is None else zeros[:, j])
            codes_t[i1 + i], q_t[i1 + i] = c, q
            d = U1[i, i]
            err = (W1[i] - q.astype(np.float64)) / d
            loss += float((err * err).sum()) / 2
            W1[i + 1:] -= np.outer(U1[i, i + 1:], err)
            Err1[i] = err
        if i2 < n:
            Wt[i2:] -= U[i1:i2, i2:].T @ Err1

    if perm is not None:
        inv = np.argsort(perm)
        codes_t, q_t, pos_group = codes_t[inv], q_t[inv], pos_group[inv]
    codes, deq = np.ascontiguousarray(codes_t.T), np.ascontiguousarray(q_t.T)
    if not np.isfinite(deq).all():                 # cannot happen: finite scales, finite codes
        raise AssertionError("GPTQ produced a non-finite weight")
    report = {"method": "gptq", "damp": damp, "damp_used": F.damp_used, "retries": F.retries,
              "fallback_rtn": F.fallback, "dead_inputs": [int(i) for i in dead],
              "act_order": act_order, "static_groups": static_groups, "blocksize": blocksize,
              "loss": loss}
    return QuantizedWeight(g.name, "gptq", codes, scales, zeros, pos_group, perm, deq, group_size,
                           report)
