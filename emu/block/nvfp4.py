"""NVIDIA NVFP4 (formats.md §3): E2M1 elements, one UE4M3 scale per 16, one FP32 tensor scale;
the torchao reference recipe (`_nvfp4_quantize`) step by step in float32 arithmetic.
"""
from __future__ import annotations

import numpy as np

from ..decode import decode
from ..encode import encode
from .group import as_blocks, check_scale_shape

BLOCK = 16
E2M1_MAX = np.float32(6.0)
E4M3_MAX = np.float32(448.0)
E4M3_TINY = np.float32(2.0 ** -6)     #: torch.finfo(float8_e4m3fn).tiny: the clamp floor of s_b
E4M3_NAN = 0x7F                       #: 0_1111_111: the block scale of a NaN block
_F32_INF_BITS = 0x7F800000


def quantize_nvfp4(x, two_level: bool = True):
    """Quantize ``x`` to NVFP4 with 16-element blocks along its last axis.

    Every step is one float32 operation rounded to nearest even (fl32):
      two-level: s_t = fl32(amax_tensor / 2688)                     (2688 = 448 * 6)
                 s_b = E4M3_RNE(clamp(fl32(fl32(amax_block / 6) / s_t), 2^-6, 448))
                 total = fl32(s_t * s_b)
      one-level: s_t = 1 (returned as 1.0), s_b = E4M3_RNE(clamp(fl32(amax_block / 6), 2^-6, 448)),
                 total = s_b
      P_i = E2M1_RNE(clamp(fl32(x_i / total), -6, 6))
    amax_tensor is the max |x| over the whole array (blocks holding NaN or Inf left out).
    Policies the recipe leaves open (torch would give NaN):
      - 0/0 reads as 0: an all-zero tensor (s_t = 0) gets s_b = 2^-6 (0x08) and codes ±0; a zero
        element whose total underflowed to 0 gets code ±0 (a non-zero one: ±inf -> ±6).
      - NaN or ±Inf anywhere in a block: that block's scale is 0x7F (E4M3 NaN), its codes 0, and
        the whole block is left out of amax_tensor: the other blocks get what they would get
        if that block were all zeros.
    Returns:
      (codes uint8 [..., K], block_scales uint8 UE4M3 [..., K / 16], tensor_scale np.float32).
    Raises:
      ValueError: a non-float array, or K not a multiple of 16.
    """
    blocks = as_blocks(x, BLOCK, "quantize_nvfp4")
    mag_bits = blocks.view(np.uint32) & np.uint32(0x7FFFFFFF)
    nan_block = (mag_bits >= _F32_INF_BITS).any(axis=-1)
    amax_b = np.where(nan_block, np.float32(0), np.abs(blocks).max(axis=-1, initial=np.float32(0)))
    with np.errstate(divide="ignore", invalid="ignore", under="ignore", over="ignore"):
        s_t = (np.float32(amax_b.max(initial=np.float32(0)) / (E4M3_MAX * E2M1_MAX)) if two_level
               else np.float32(1.0))
    codes, scale_codes = quantize_nvfp4_blocks(blocks, s_t, two_level=two_level)
    return codes.reshape(blocks.shape[:-2] + (-1,)), scale_codes, s_t


def quantize_nvfp4_blocks(blocks, s_t, two_level: bool = True, rounding: str = "rne", rand=None,
                          sr_bits: int = 8, scale_rounding: str = "rne"):
    """The per-block steps of quantize_nvfp4 with a given tensor scale (the nvfp4_quant unit,
    docs/block.md §10): float32 blocks [..., 16] and s_t (a float32, or one per block) to
    (codes uint8 [..., 16], scale codes uint8 [...]). ``rounding`` (and ``rand``, one integer
    below 2^sr_bits per element, for sr) is the rounding of the last step, x_i / total to E2M1;
    the scale is RNE (torchao; ``scale_rounding`` another deterministic mode is not the contract:
    the mismatch diagnosis tries it). A block holding NaN or ±Inf gets scale 0x7F and codes 0."""
    blocks = np.asarray(blocks, np.float32)
    s_t = np.broadcast_to(np.asarray(s_t, np.float32), blocks.shape[:-1])
    mag_bits = blocks.view(np.uint32) & np.uint32(0x7FFFFFFF)
    special = mag_bits >= _F32_INF_BITS
    nan_block = special.any(axis=-1)
    finite = np.where(special, np.float32(0), blocks)
    amax_b = np.where(nan_block, np.float32(0), np.abs(finite).max(axis=-1, initial=np.float32(0)))
    with np.errstate(divide="ignore", invalid="ignore", under="ignore", over="ignore"):
        s_b = _div_zero_is_zero(amax_b / E2M1_MAX, s_t) if two_level else amax_b / E2M1_MAX
        s_b = np.clip(s_b, E4M3_TINY, E4M3_MAX)
        scale_codes = encode(s_b.astype(np.float32), "e4m3", rounding=scale_rounding, overflow="saturate")
        total = _total(scale_codes, s_t) if two_level else _e4m3(scale_codes)
        q = np.clip(_div_zero_is_zero(finite, total[..., None]), -E2M1_MAX, E2M1_MAX)
    if rand is not None:
        rand = np.broadcast_to(np.asarray(rand), q.shape)
    codes = encode(q.astype(np.float32), "e2m1", rounding=rounding, overflow="saturate", rand=rand,
                   sr_bits=sr_bits)
    codes[nan_block] = 0
    scale_codes = np.asarray(scale_codes).copy()
    scale_codes[nan_block] = E4M3_NAN
    return codes, scale_codes


def dequantize_nvfp4(codes, block_scales, tensor_scale=1.0) -> np.ndarray:
    """float32 values fl32(e2m1(code) * fl32(s_t * e4m3(s_b))), as torchao's dequantization.

    A block scale 0x7F (NaN) gives NaN for its block. Raises ValueError for codes outside E2M1,
    block scales outside UE4M3 (0x00..0x7F), shapes that do not match, or a non-scalar tensor_scale.
    """
    values = decode(codes, "e2m1").astype(np.float32)     # exact
    s = np.asarray(block_scales)
    if s.dtype.kind not in "ui" or (s.size and (s.min() < 0 or s.max() > 0x7F)):
        raise ValueError(f"block_scales: UE4M3 codes are integers 0x00..0x7F (sign bit 0), "
                         f"got dtype {s.dtype}")
    check_scale_shape(values.shape, s.shape, BLOCK, "block_scales")
    t = np.asarray(tensor_scale)
    if t.size != 1 or t.dtype.kind not in "fiu":
        raise ValueError(f"tensor_scale: must be one real number, got shape {t.shape} dtype {t.dtype}")
    with np.errstate(over="ignore", invalid="ignore"):
        total = _total(s, np.float32(t.reshape(())))
        return (values.reshape(s.shape + (BLOCK,)) * total[..., None]).reshape(values.shape)


def _e4m3(codes) -> np.ndarray:
    return decode(codes, "e4m3").astype(np.float32)      # E4M3 values are exact in float32


def _total(scale_codes, s_t: np.float32) -> np.ndarray:
    return (s_t * _e4m3(scale_codes)).astype(np.float32)   # one fl32 product


def _div_zero_is_zero(num, den) -> np.ndarray:
    """fl32(num / den), with 0/0 read as 0 carrying num's sign (the recipe's only NaN source)."""
    q = (num / den).astype(np.float32)
    return np.where(np.isnan(q), num * np.float32(0), q).astype(np.float32)
