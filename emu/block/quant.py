"""The block quantizer units (docs/block.md §10): bit patterns in, scale and codes out.

`mx_quant` and `nvfp4_quant` are the hardware view of quantize_mx and quantize_nvfp4: each row
is one block of source-float bit patterns (float32, float16 or bfloat16, read exactly), the
element rounding is any mode of docs/encoding.md §3.4 (sr with explicit random bits), and the
NVFP4 tensor scale is an input. One definition: both call the library quantizers.
"""
from __future__ import annotations

import ml_dtypes
import numpy as np

from ..round import ROUNDINGS
from ..unpack import SOURCES
from .mxfp4 import BLOCK as MX_BLOCK, quantize_mx
from .nvfp4 import BLOCK as NV_BLOCK, E4M3_NAN, quantize_nvfp4_blocks

QUANT_SOURCES = ("float32", "float16", "bfloat16")
SR_BITS = 8
#: the numpy dtype of each source type (its bit layout: emu.unpack.SOURCES)
SOURCE_DTYPES = {"float32": np.float32, "float16": np.float16, "bfloat16": ml_dtypes.bfloat16}


def _floats(x_bits, src: str, size: int, what: str) -> np.ndarray:
    """float32 blocks [n, size] of bit patterns of ``src`` (exact: every source widens exactly)."""
    if src not in QUANT_SOURCES:
        raise ValueError(f"src: must be one of {', '.join(QUANT_SOURCES)}, got {src!r}")
    x = np.atleast_2d(np.asarray(x_bits))
    limit = (1 << SOURCES[src].bits) - 1
    if x.dtype.kind not in "ui" or x.ndim != 2 or x.shape[1] != size or (x.size and (x.min() < 0 or x.max() > limit)):
        raise ValueError(f"{what}: expected [n, {size}] {src} bit patterns (integers 0..{limit:#x}), "
                         f"got shape {np.shape(x_bits)} dtype {x.dtype}")
    return x.astype(SOURCES[src].bits_dtype).view(SOURCE_DTYPES[src]).astype(np.float32)


def _rand(rounding: str, rand, shape) -> np.ndarray | None:
    if rounding not in ROUNDINGS:
        raise ValueError(f"rounding: must be one of {', '.join(ROUNDINGS)}, got {rounding!r}")
    if rounding != "sr":
        return None
    if rand is None:
        raise ValueError("rand: rounding sr needs random bits, one integer 0..255 per element")
    r = np.asarray(rand)
    if r.dtype.kind not in "ui" or r.shape != shape or (r.size and (r.min() < 0 or r.max() >= 1 << SR_BITS)):
        raise ValueError(f"rand: expected {shape} integers 0..{(1 << SR_BITS) - 1}, got shape {r.shape}")
    return r.astype(np.int64)


def mx_quant(x_bits, src: str = "float32", rule: str = "floor", rounding: str = "rne", rand=None):
    """MX blocks of 32 source floats -> (E8M0 scales uint8 [n], E2M1 codes uint8 [n, 32])."""
    x = _floats(x_bits, src, MX_BLOCK, "mx_quant")
    codes, scales = quantize_mx(x, rule=rule, rounding=rounding, rand=_rand(rounding, rand, x.shape),
                                sr_bits=SR_BITS)
    return scales.reshape(len(x)), codes.reshape(x.shape)


def nvfp4_quant(x_bits, ts_bits, src: str = "float32", rounding: str = "rne", rand=None,
                scale_rounding: str = "rne"):
    """NVFP4 blocks of 16 source floats with FP32 tensor scales (bit patterns [n]) ->
    (UE4M3 scales uint8 [n], E2M1 codes uint8 [n, 16]). A tensor scale that is NaN, infinite or
    negative (non-zero) gives scale 0x7F and codes 0; -0.0 reads as 0."""
    x = _floats(x_bits, src, NV_BLOCK, "nvfp4_quant")
    ts = np.broadcast_to(np.asarray(ts_bits), (len(x),))
    if ts.dtype.kind not in "ui" or (ts.size and (ts.min() < 0 or ts.max() > 0xFFFFFFFF)):
        raise ValueError(f"ts: expected {len(x)} FP32 bit patterns (integers 0..0xFFFFFFFF)")
    ts = ts.astype(np.uint32)
    bad = ((ts & 0x7FFFFFFF) >= 0x7F800000) | ((ts >> 31 == 1) & ((ts & 0x7FFFFFFF) != 0))
    s_t = np.where(bad, np.uint32(0x3F800000), ts & np.uint32(0x7FFFFFFF)).view(np.float32)
    codes, scales = quantize_nvfp4_blocks(x, s_t, rounding=rounding, rand=_rand(rounding, rand, x.shape),
                                          sr_bits=SR_BITS, scale_rounding=scale_rounding)
    codes[bad] = 0
    scales[bad] = E4M3_NAN
    return scales.astype(np.uint8), codes.astype(np.uint8)
