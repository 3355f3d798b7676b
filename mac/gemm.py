"""Exact integer-mapped GEMM, fast: acc[m, n] = sum_k Ix[m, k] * Iw[n, k] * 2^(B - s_k).

Exactness comes from a bound, never from luck: every path is chosen so that each partial sum
is an integer the arithmetic holds exactly.
- int8: torch._int_mm with int32 accumulation (AMX/VNNI on CPUs that have it), when every
  |I| <= 127 and K * Imax_x * Imax_w < 2^31; pre-shifted channels are grouped by shift and the
  groups combined in int64 with left shifts.
- float32 / float64 BLAS on integer-valued operands, K split into chunks whose worst-case sum
  stays below 2^24 / 2^53, so every product and partial sum is an exact integer whatever the
  summation order; chunks are combined in int64.
A plain numpy int64 matmul is ~150x slower than BLAS here, so it is only the last resort.
"""
from __future__ import annotations

import numpy as np

from emu import get_format
from emu.spec import FloatFormat

from .products import check_shifts, int_codes

PATHS = ("int8", "float32", "float64", "int64")


def _torch():
    import torch
    return torch


def choose_path(fx: FloatFormat, fw: FloatFormat, k: int, shift_max: int) -> str:
    if fx.int_max <= 127 and fw.int_max <= 127 and k * fx.int_max * fw.int_max < 2 ** 31:
        return "int8"
    step = fx.int_max * fw.int_max << shift_max
    if step < 2 ** 24 // 64:
        return "float32"
    if step < 2 ** 53 // 64:
        return "float64"
    return "int64"


def _chunked_float(x: np.ndarray, w: np.ndarray, step: int, dtype) -> np.ndarray:
    torch = _torch()
    limit = 2 ** 24 if dtype == np.float32 else 2 ** 53
    chunk = max(1, (limit - 1) // step)
    acc = np.zeros((x.shape[0], w.shape[0]), np.int64)
    tdtype = torch.float32 if dtype == np.float32 else torch.float64
    previous = torch.get_float32_matmul_precision()
    torch.set_float32_matmul_precision("highest")      # never bf16/tf32 behind our back
    try:
        for start in range(0, x.shape[1], chunk):
            xs = torch.from_numpy(np.ascontiguousarray(x[:, start:start + chunk], dtype))
            ws = torch.from_numpy(np.ascontiguousarray(w[:, start:start + chunk], dtype))
            acc += torch.matmul(xs, ws.T).numpy().astype(np.int64)
    finally:
        torch.set_float32_matmul_precision(previous)
    return acc


def _int8(ix: np.ndarray, iw: np.ndarray, s: np.ndarray, shift_max: int) -> np.ndarray:
    torch = _torch()
    acc = np.zeros((ix.shape[0], iw.shape[0]), np.int64)
    for shift in np.unique(s):
        cols = np.flatnonzero(s == shift)
        a = torch.from_numpy(np.ascontiguousarray(ix[:, cols], np.int8))
        b = torch.from_numpy(np.ascontiguousarray(iw[:, cols].T, np.int8))
        acc += torch._int_mm(a, b).numpy().astype(np.int64) << (shift_max - int(shift))
    return acc


def gemm(cx, cw, fx: str | FloatFormat, fw: str | FloatFormat, shifts=None, shift_max: int = 0,
         path: str | None = None) -> np.ndarray:
    """Exact int64 accumulators for activation codes [M, K] and weight codes [N, K].

    ``shifts`` [K] are the per-input-channel pre-shifts (0..shift_max). ``path`` forces one of
    PATHS (for tests); by default the fastest exact one is used.
    """
    fx, fw = get_format(fx), get_format(fw)
    ix, iw = int_codes(cx, fx), int_codes(cw, fw)
    if ix.ndim != 2 or iw.ndim != 2 or ix.shape[1] != iw.shape[1]:
        raise ValueError(f"shapes do not match: activations {ix.shape} and weights {iw.shape} "
                         "must be [M, K] and [N, K]")
    s = check_shifts(shifts, (ix.shape[1],), shift_max)
    path = path or choose_path(fx, fw, ix.shape[1], shift_max)
    if path not in PATHS:
        raise ValueError(f"path: must be one of {', '.join(PATHS)}, got {path!r}")
    if ix.size == 0 or iw.size == 0:
        return np.zeros((ix.shape[0], iw.shape[0]), np.int64)
    if path == "int8":
        if max(fx.int_max, fw.int_max) > 127 or ix.shape[1] * fx.int_max * fw.int_max >= 2 ** 31:
            raise ValueError("path 'int8' needs |I| <= 127 and K * Imax_x * Imax_w < 2^31")
        return _int8(ix, iw, s, shift_max)
    w_shifted = iw << (shift_max - s)[None, :]
    step = fx.int_max * fw.int_max << shift_max
    if path == "int64":
        return ix @ w_shifted.T
    return _chunked_float(ix, w_shifted, step, np.float32 if path == "float32" else np.float64)
