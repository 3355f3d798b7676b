"""OCP MX block conversion (formats.md §2.4 Algorithm 1, scale rules §2.5): float32 -> 32 element
codes + one E8M0 scale per block, and back. MXFP4 (E2M1) by default; the other MX float
elements (e2m3, e3m2, e4m3, e5m2) use the same code with their own emax_elem and max.
"""
from __future__ import annotations

import numpy as np

from ..decode import decode
from ..encode import encode
from ..round import ROUNDINGS
from ..spec import FloatFormat
from .e8m0 import BIAS, NAN_CODE, check_rule, decode_e8m0, exp_to_code, mx_element, shared_exp
from .group import as_blocks, check_scale_shape

BLOCK = 32
#: element rounding: RNE (torchao, ml_dtypes, PTX cvt.rn), RNA (microxcaling's "nearest"), and
#: the other modes of docs/encoding.md §3.4, sr with explicit random bits (the mx_quant unit),
#: and the tie variants of named conventions (ggml's MXFP4 elements: ties toward zero)
MX_ROUNDING = ROUNDINGS
_F32_INF_BITS = 0x7F800000
_F32_MIN_NORMAL_BITS = 0x00800000


def quantize_mx(x, rule: str = "floor", elem: str | FloatFormat = "e2m1", rounding: str = "rne",
                flush_subnormals: bool = False, rand=None, sr_bits: int = 8):
    """Quantize ``x`` to MX blocks of 32 along its last axis.

    Per block: amax = max |x_i|; X = 2^e with e from ``rule`` (emu.block.e8m0.scale_e8m0);
    P_i = element code of x_i / X (exact), rounded by ``rounding`` (rne | rna, or rtz | rup |
    rdn | sr with ``rand``: one integer below 2^sr_bits per element) and saturating to
    ±max_elem (Algorithm 1's "clamping normal numbers").
    Block rules (formats.md §2.4): a NaN or ±Inf anywhere in a block makes the whole block NaN:
    scale 0xFF and every code 0 (Infs and NaNs are not clamped; microxcaling's shared exponent
    becomes NaN). An all-zero block gets scale 0x00 and codes ±0. FP32 subnormal inputs are
    converted like any other value, unless ``flush_subnormals`` (microxcaling's
    mx_flush_fp32_subnorms): then a block whose amax is below 2^-126 gets codes ±0.

    Args:
      x: float array (float16 / bfloat16 / float32 exactly, float64 rounded to float32 first);
        the last axis K must be a multiple of 32.
    Returns:
      (codes uint8 [..., K], scales uint8 [..., K / 32]).
    Raises:
      ValueError: a non-float array, K not a multiple of 32, an unknown rule, rounding or elem.
    """
    fmt = mx_element(elem)
    check_rule(rule)
    if rounding not in MX_ROUNDING:
        raise ValueError(f"rounding: must be one of {', '.join(MX_ROUNDING)}, got {rounding!r}")
    blocks = as_blocks(x, BLOCK, "quantize_mx")
    mag = blocks.view(np.uint32) & np.uint32(0x7FFFFFFF)
    special = mag >= _F32_INF_BITS
    nan_block = special.any(axis=-1)
    # magnitudes of non-negative floats order like their bit patterns: an integer max is amax
    amax_bits = np.where(special, 0, mag).max(axis=-1, initial=0).astype(np.uint32)
    scales = exp_to_code(shared_exp(amax_bits, rule, fmt), amax_bits)
    scales[nan_block] = NAN_CODE
    e = np.where(nan_block, 0, scales.astype(np.int64) - BIAS)
    # x / 2^e exactly: a float64 ldexp of a float32 by -127..127 never rounds (a float32 rounding
    # would flush values below 2^-126, which rup, rdn and sr must see)
    scaled = np.ldexp(np.where(special, np.float32(0), blocks).astype(np.float64), -e[..., None])
    if flush_subnormals:
        scaled = np.where((amax_bits < _F32_MIN_NORMAL_BITS)[..., None], scaled * 0.0, scaled)
    if rand is not None:
        rand = np.broadcast_to(np.asarray(rand), np.shape(x)).reshape(blocks.shape)
    codes = encode(scaled, fmt, rounding=rounding, overflow="saturate", rand=rand, sr_bits=sr_bits)
    codes[nan_block] = 0
    return codes.reshape(blocks.shape[:-2] + (-1,)), scales


def dequantize_mx(codes, scales, elem: str | FloatFormat = "e2m1") -> np.ndarray:
    """float32 values X * P_i of MX blocks (codes [..., K], scales [..., K / 32]).

    Scale 0xFF gives NaN for the whole block. The product is exact in float32 (P_i has at most
    4 significant bits and |X * P_i| >= 2^-143), except beyond the float32 range, which gives
    ±inf (spec §5.1: implementation-defined). Element NaN/Inf codes (e4m3, e5m2) stay NaN/Inf.
    Raises ValueError for codes outside elem, scales outside 0..255, or mismatched shapes.
    """
    fmt = mx_element(elem)
    values = decode(codes, fmt)
    s = np.asarray(scales)
    check_scale_shape(values.shape, s.shape, BLOCK, "scales")
    x = decode_e8m0(s).astype(np.float64)
    blocks = values.reshape(s.shape + (BLOCK,)) * x[..., None]     # exact in float64
    with np.errstate(over="ignore", invalid="ignore"):
        return blocks.astype(np.float32).reshape(values.shape)
