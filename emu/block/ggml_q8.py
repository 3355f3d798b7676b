"""ggml Q8_0: bit-exact ports of llama.cpp's quantize_row_q8_0_ref and dequantize_row_q8_0
(ggml-quants.c), the format of the embedding table that llama.cpp's Q4_0/Q4_1 model files keep
at 8 bits (the GPTQ thread's files, SmolLM2's GGUF).

Per block of 32: amax = max |x_j| (starting from +0.0, C's MAX over fabsf); d = fl32(amax / 127);
id = fl32(1 / d), or 0 when d == 0; q_j = roundf(fl32(x_j * id)) as int8 (half away from zero,
|q_j| <= 127 by construction); bytes: fp16(d), then the 32 int8 q_j. Dequantization:
y_j = fl32(q_j * float(d_fp16)), exact (8 x 11 significant bits). Arithmetic as in ggml_q4.py:
one numpy float32 operation per C operator, fp16 by numpy's RNE cast.
"""
from __future__ import annotations

import numpy as np

from .ggml_q4 import QK, _byte_blocks, _fp16_bytes, _fp16_values, _inverse, _row_blocks

Q8_0_BYTES = 2 + QK          #: d (fp16), qs[32] (int8)


def _roundf(v: np.ndarray) -> np.ndarray:
    """C's roundf on float32: to the nearest integer, halfway cases away from zero. Exact: the
    integer part and the fraction of a float32 below 2^23 are both float32 values."""
    t = np.trunc(v)
    up = np.abs(v - t) >= np.float32(0.5)
    return (t + np.where(up, np.sign(v), np.float32(0))).astype(np.float32)


def quantize_row_q8_0(x) -> bytes:
    """One row of float32 (1-D, a multiple of 32 long) -> Q8_0 blocks of 34 bytes.
    Raises ValueError for a bad row, NaN or Inf input, or 0 < d < 2^-128 (1/d overflows): the
    C reference converts NaN to int8_t there, which is undefined behaviour."""
    blocks = _row_blocks(x, "quantize_row_q8_0")
    amax = np.abs(blocks).max(axis=-1).astype(np.float32)
    d = (amax / np.float32(127)).astype(np.float32)
    idv = _inverse(d, "quantize_row_q8_0")
    q = _roundf((blocks * idv[:, None]).astype(np.float32)).astype(np.int8)
    out = np.empty((blocks.shape[0], Q8_0_BYTES), np.uint8)
    out[:, 0:2] = _fp16_bytes(d)
    out[:, 2:] = q.view(np.uint8)
    return out.tobytes()


def dequantize_row_q8_0(data) -> np.ndarray:
    """Q8_0 bytes -> float32 row: y_j = fl32(q_j * float(d_fp16)).
    Raises ValueError unless ``data`` is bytes-like with a length that is a multiple of 34."""
    blocks = _byte_blocks(data, Q8_0_BYTES, "dequantize_row_q8_0")
    d = _fp16_values(blocks[:, 0:2])
    q = np.ascontiguousarray(blocks[:, 2:]).view(np.int8).astype(np.float32)
    with np.errstate(invalid="ignore", over="ignore"):
        return (q * d[:, None]).astype(np.float32).reshape(-1)
