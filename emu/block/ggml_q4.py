"""ggml Q4_0 and Q4_1 (formats.md §7.1-7.3): bit-exact ports of llama.cpp's
quantize_row_q4_0_ref / quantize_row_q4_1_ref and dequantize_row_q4_0 / _q4_1.

C `float` arithmetic is numpy float32, one rounded operation per C operator. fp16 is numpy's
float32 -> float16 cast: RNE, overflow -> ±inf, subnormals kept, the same results as ggml's
ggml_compute_fp32_to_fp16 for finite inputs (tests/emu/test_block_ggml.py transcribes that).
Blocks are little-endian, as ggml writes them on every platform it supports.
"""
from __future__ import annotations

import numpy as np

from ..errors import raise_if_any
from .group import as_blocks

QK = 32                      #: QK4_0 = QK4_1 = 32 elements per block
Q4_0_BYTES = 2 + QK // 2     #: d (fp16), qs[16]
Q4_1_BYTES = 4 + QK // 2     #: d (fp16), m (fp16), qs[16]
_F16 = np.dtype("<f2")


def quantize_row_q4_0(x, fused: bool = False) -> bytes:
    """One row of float32 (1-D, a multiple of 32 long) -> Q4_0 blocks of 18 bytes.

    Per block: M = the first x_j of largest |x_j| (+0.0 if all are zero); d = fl32(M / -8);
    id = fl32(1 / d), or 0 when d == 0; q_j = min(15, trunc(fl32(fl32(x_j * id) + 8.5)));
    bytes: fp16(d), then qs[j] = q_j | q_{j+16} << 4.
    ``fused``: x_j * id + 8.5 rounded once, as a compiler that contracts it into an FMA
    (gcc -ffp-contract=fast with FMA hardware; formats.md §7.2 "FMA dependence").
    Raises ValueError for a non-float or non 1-D row, a length that is not a multiple of 32,
    NaN or Inf input, or a block with 0 < |M| < 2^-125 (1/d overflows float32): in each of
    these the C reference converts a NaN or Inf to int8_t, which is undefined behaviour.
    """
    blocks = _row_blocks(x, "quantize_row_q4_0")
    ax = np.abs(blocks)
    first = ax.argmax(axis=-1)[:, None]        # first index of the largest |x_j|: C's strict '<'
    m = np.take_along_axis(blocks, first, axis=-1)[:, 0]
    m = np.where(np.take_along_axis(ax, first, axis=-1)[:, 0] == 0, np.float32(0), m)
    d = (m / np.float32(-8)).astype(np.float32)
    idv = _inverse(d, "quantize_row_q4_0")
    t = _mul_add(blocks, idv[:, None], np.float32(8.5), fused)
    q = np.minimum(15, np.trunc(t).astype(np.int64)).astype(np.uint8)
    out = np.empty((blocks.shape[0], Q4_0_BYTES), np.uint8)
    out[:, 0:2] = _fp16_bytes(d)
    out[:, 2:] = _pack(q)
    return out.tobytes()


def quantize_row_q4_1(x, fused: bool = False) -> bytes:
    """One row of float32 (1-D, a multiple of 32 long) -> Q4_1 blocks of 20 bytes.

    Per block: mn = min x_j, mx = max x_j (C's strict comparisons: the first of equal values, so
    the sign of a zero min is the first zero's); d = fl32(fl32(mx - mn) / 15);
    id = fl32(1 / d), or 0 when d == 0; q_j = min(15, trunc(fl32(fl32(fl32(x_j - mn) * id) + 0.5)));
    bytes: fp16(d), fp16(mn), then qs[j] = q_j | q_{j+16} << 4.
    ``fused``: (x_j - mn) * id + 0.5 rounded once (an FMA; the subtraction stays separate).
    Raises ValueError for a bad row (as quantize_row_q4_0), NaN or Inf input, mx - mn overflowing
    float32, or 0 < d < 2^-128 (1/d overflows): undefined behaviour in the C reference.
    """
    blocks = _row_blocks(x, "quantize_row_q4_1")
    mn = np.take_along_axis(blocks, blocks.argmin(axis=-1)[:, None], axis=-1)[:, 0]
    mx = np.take_along_axis(blocks, blocks.argmax(axis=-1)[:, None], axis=-1)[:, 0]
    with np.errstate(over="ignore"):
        d = ((mx - mn) / np.float32(15)).astype(np.float32)
    bad = ~np.isfinite(d)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"quantize_row_q4_1: block {i}: max - min = {float(mx[i])} - {float(mn[i])} "
                         f"overflows float32; ggml's reference is undefined there")
    idv = _inverse(d, "quantize_row_q4_1")
    t = _mul_add((blocks - mn[:, None]).astype(np.float32), idv[:, None], np.float32(0.5), fused)
    q = np.minimum(15, np.trunc(t).astype(np.int64)).astype(np.uint8)
    out = np.empty((blocks.shape[0], Q4_1_BYTES), np.uint8)
    out[:, 0:2] = _fp16_bytes(d)
    out[:, 2:4] = _fp16_bytes(mn)
    out[:, 4:] = _pack(q)
    return out.tobytes()


def dequantize_row_q4_0(data) -> np.ndarray:
    """Q4_0 bytes -> float32 row: y_j = fl32((q_j - 8) * float(d_fp16)) (exact unless d is Inf).

    Code 8 gives 0.0 with the sign of d (-0.0 when the block max was positive).
    Raises ValueError unless ``data`` is bytes-like with a length that is a multiple of 18.
    """
    blocks = _byte_blocks(data, Q4_0_BYTES, "dequantize_row_q4_0")
    d = _fp16_values(blocks[:, 0:2])
    q = _unpack(blocks[:, 2:]).astype(np.float32) - np.float32(8)
    with np.errstate(invalid="ignore"):
        return (q * d[:, None]).astype(np.float32).reshape(-1)


def dequantize_row_q4_1(data) -> np.ndarray:
    """Q4_1 bytes -> float32 row: y_j = fl32(q_j * float(d_fp16) + float(m_fp16)).

    q_j * d is exact in float32 (4 x 11 significant bits), so a fused multiply-add gives the
    same result. Raises ValueError unless ``data`` is bytes-like, a multiple of 20 bytes long.
    """
    blocks = _byte_blocks(data, Q4_1_BYTES, "dequantize_row_q4_1")
    d = _fp16_values(blocks[:, 0:2])
    m = _fp16_values(blocks[:, 2:4])
    q = _unpack(blocks[:, 4:]).astype(np.float32)
    with np.errstate(invalid="ignore", over="ignore"):
        return (q * d[:, None] + m[:, None]).astype(np.float32).reshape(-1)


# ---- helpers ---------------------------------------------------------------------------------
def _row_blocks(x, what: str) -> np.ndarray:
    a = np.asarray(x)
    if a.ndim != 1:
        raise ValueError(f"{what}: x must be one row (1-D), got shape {a.shape}")
    blocks = as_blocks(a, QK, what)
    raise_if_any(~np.isfinite(blocks.reshape(-1)), blocks.reshape(-1),
                 "NaN or Inf input; ggml's reference is undefined for non-finite values",
                 show=lambda v: repr(float(v)))
    return blocks


def _inverse(d: np.ndarray, what: str) -> np.ndarray:
    """C's `d ? 1.0f/d : 0.0f`, refusing an overflow to Inf (then x * id is Inf or NaN)."""
    with np.errstate(divide="ignore", over="ignore"):
        idv = np.where(d != 0, np.float32(1) / d, np.float32(0)).astype(np.float32)
    bad = ~np.isfinite(idv)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"{what}: block {i}: d = {float(d[i])!r} is so small that 1/d overflows "
                         f"float32; ggml's reference is undefined there")
    return idv


def _mul_add(a: np.ndarray, b: np.ndarray, c: np.float32, fused: bool) -> np.ndarray:
    """fl32(fl32(a * b) + c), or with ``fused`` fl32(a * b + c) rounded once.

    Fused: a * b is exact in float64 (24 + 24 bits); the float64 sum is then rounded to odd (its
    exact error from TwoSum decides), and round-to-odd at 53 >= 24 + 2 bits followed by RNE to
    float32 rounds the exact a * b + c correctly (Boldo and Melquiond).
    """
    if not fused:
        return ((a * b).astype(np.float32) + c).astype(np.float32)
    p = a.astype(np.float64) * b.astype(np.float64)
    c64 = np.float64(c)
    s = p + c64
    bb = s - p
    err = (p - (s - bb)) + (c64 - bb)          # TwoSum: p + c == s + err exactly
    even = (s.view(np.uint64) & np.uint64(1)) == 0
    s = np.where((err != 0) & even, np.nextafter(s, np.where(err > 0, np.inf, -np.inf)), s)
    return s.astype(np.float32)


def _pack(q: np.ndarray) -> np.ndarray:
    """Split halves: qs[j] holds element j in bits 0-3 and element j + 16 in bits 4-7."""
    return q[:, :QK // 2] | (q[:, QK // 2:] << 4)


def _unpack(qs: np.ndarray) -> np.ndarray:
    return np.concatenate([qs & 0x0F, qs >> 4], axis=-1)


def _fp16_bytes(v: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        return v.astype(_F16).view(np.uint8).reshape(-1, 2)


def _fp16_values(b: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(b).view(_F16)[:, 0].astype(np.float32)   # exact


def _byte_blocks(data, size: int, what: str) -> np.ndarray:
    if isinstance(data, (bytes, bytearray, memoryview)):
        a = np.frombuffer(bytes(data), np.uint8)
    else:
        a = np.asarray(data)
        if a.dtype != np.uint8 or a.ndim != 1:
            raise ValueError(f"{what}: data must be bytes or a 1-D uint8 array, got "
                             f"{type(data).__name__} {getattr(a, 'dtype', '')}")
    if a.size % size:
        raise ValueError(f"{what}: {a.size} bytes is not a whole number of {size}-byte blocks")
    return a.reshape(-1, size)
