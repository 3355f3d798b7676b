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

from functools import lru_cache

import numpy as np

from fp4ref.emu import get_format
from fp4ref.emu.spec import FloatFormat

from fp4ref.emu.decode import FINITE, int_table
from fp4ref.emu.intmap import int_map_table

from .products import check_pair, check_shifts, int_codes

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
    previous = torch.get_float32_matmul_precision()
    torch.set_float32_matmul_precision("highest")      # never bf16/tf32 behind our back
    try:
        for start in range(0, x.shape[1], chunk):
            if chunk >= x.shape[1]:
                xs, ws = torch.from_numpy(x), torch.from_numpy(w)
            else:
                xs = torch.from_numpy(np.ascontiguousarray(x[:, start:start + chunk]))
                ws = torch.from_numpy(np.ascontiguousarray(w[:, start:start + chunk]))
            acc += torch.matmul(xs, ws.T).numpy().astype(np.int64)
    finally:
        torch.set_float32_matmul_precision(previous)
    return acc


def operand(codes, fmt: FloatFormat, dtype) -> np.ndarray:
    """I(code) as ``dtype`` by one table lookup (the hot path: no int64 intermediate), with the
    same refusals as emu.int_map: codes outside the format, NaN and Inf codes."""
    c = np.asarray(codes)
    if c.dtype.kind not in "ui":
        raise ValueError(f"codes: must be integers, got dtype {c.dtype}")
    if c.size and (int(c.min()) < 0 or int(c.max()) >= fmt.n_codes):
        int_codes(c, fmt)                        # raises with the first bad code named
    special = int_table(fmt).kind != FINITE
    if special.any() and np.take(special, c).any():
        int_codes(c, fmt)
    table = int_map_table(fmt).astype(dtype)
    if c.dtype == np.uint8 and c.flags.c_contiguous and c.size % 2 == 0 and c.size >= 1 << 16:
        # two codes per lookup: half the gathers (numpy widens every index to 8 bytes)
        pairs = _pair_table(fmt, np.dtype(dtype).str)
        return np.take(pairs, c.view(np.uint16)).view(dtype).reshape(c.shape)
    return np.take(table, c)


@lru_cache(maxsize=None)
def _pair_table(fmt: FloatFormat, dtype: str) -> np.ndarray:
    """Entry lo | hi << 8 holds (I(lo), I(hi)) as two ``dtype`` values (little-endian pairs)."""
    table = int_map_table(fmt).astype(dtype)
    full = np.zeros(256, dtype)
    full[:table.size] = table
    k = np.arange(1 << 16)
    out = np.stack([full[k & 0xFF], full[k >> 8]], axis=1)      # element 0 is the low byte
    return np.ascontiguousarray(out).view(np.dtype([("a", dtype), ("b", dtype)])).ravel()


def _rows(t):
    """t row-major with its row length as row stride. torch._int_mm takes the stride of a size-1
    dimension as a leading dimension, and .contiguous() keeps any such stride (numpy gives a
    [1, K] array strides (1, 1)): a one-row operand, or a one-column one, gives garbage."""
    if min(t.shape) > 1:
        return t.contiguous()
    return t.clone(memory_format=_torch().contiguous_format)


def _int8(ix: np.ndarray, iw: np.ndarray, s: np.ndarray, shift_max: int) -> np.ndarray:
    """int8 GEMMs with int32 accumulation, one per distinct shift, combined in int64."""
    torch = _torch()
    shifts = np.unique(s)
    if shifts.size > 1:                          # group the channels by shift: contiguous blocks
        order = np.argsort(s, kind="stable")
        ix, iw, s = ix[:, order], iw[:, order], s[order]
    acc = None
    tx, tw = torch.from_numpy(ix), torch.from_numpy(iw)
    for shift in shifts:
        lo, hi = np.searchsorted(s, shift, "left"), np.searchsorted(s, shift, "right")
        if hi - lo == 1:                         # one column: _int_mm misreads it (see _rows)
            part = np.outer(ix[:, lo].astype(np.int64), iw[:, lo].astype(np.int64))
        else:
            a = _rows(tx[:, lo:hi])
            b = _rows(tw[:, lo:hi]).T            # a transposed view: _int_mm reads it in place
            part = torch._int_mm(a, b).numpy().astype(np.int64)
        part <<= shift_max - int(shift)
        acc = part if acc is None else acc + part
    return acc


def gemm(cx, cw, fx: str | FloatFormat, fw: str | FloatFormat, shifts=None, shift_max: int = 0,
         path: str | None = None) -> np.ndarray:
    """Exact int64 accumulators for activation codes [M, K] and weight codes [N, K].

    ``shifts`` [K] are the per-input-channel pre-shifts (0..shift_max). ``path`` forces one of
    PATHS (for tests); by default the fastest exact one is used.
    """
    fx, fw = get_format(fx), get_format(fw)
    check_pair(fx, fw, shift_max)
    x_shape, w_shape = np.shape(cx), np.shape(cw)
    if len(x_shape) != 2 or len(w_shape) != 2 or x_shape[1] != w_shape[1]:
        raise ValueError(f"shapes do not match: activations {x_shape} and weights {w_shape} "
                         "must be [M, K] and [N, K]")
    s = check_shifts(shifts, (x_shape[1],), shift_max)
    path = path or choose_path(fx, fw, x_shape[1], shift_max)
    if path not in PATHS:
        raise ValueError(f"path: must be one of {', '.join(PATHS)}, got {path!r}")
    if path == "int8":
        if max(fx.int_max, fw.int_max) > 127 or x_shape[1] * fx.int_max * fw.int_max >= 2 ** 31:
            raise ValueError("path 'int8' needs |I| <= 127 and K * Imax_x * Imax_w < 2^31")
        ix, iw = operand(cx, fx, np.int8), operand(cw, fw, np.int8)
        if ix.size == 0 or iw.size == 0:
            return np.zeros((x_shape[0], w_shape[0]), np.int64)
        return _int8(ix, iw, s, shift_max)
    dtype = {"float32": np.float32, "float64": np.float64, "int64": np.int64}[path]
    ix, iw = operand(cx, fx, dtype), operand(cw, fw, dtype)
    if shift_max:
        iw = iw * np.ldexp(1.0, shift_max - s).astype(dtype)[None, :] if dtype != np.int64 \
            else iw << (shift_max - s)[None, :]
    if ix.size == 0 or iw.size == 0:
        return np.zeros((x_shape[0], w_shape[0]), np.int64)
    if path == "int64":
        return ix @ iw.T
    return _chunked_float(ix, iw, fx.int_max * fw.int_max << shift_max, dtype)
