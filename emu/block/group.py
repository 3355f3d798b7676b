"""Input checks shared by the block formats: a float array cut into whole blocks along its last axis."""
from __future__ import annotations

import numpy as np

FLOAT_DTYPES = ("float16", "float32", "float64", "bfloat16")


def as_float32(x, what: str) -> np.ndarray:
    """``x`` as a float32 array: float16 and bfloat16 exactly, float64 rounded once (RNE).

    The references (OCP Algorithm 1, torchao, ggml) are defined on FP32 inputs, so every block
    format reads float32; integer, bool, complex and object arrays are refused.
    """
    a = np.asarray(x)
    if a.dtype.name not in FLOAT_DTYPES:
        raise ValueError(f"{what}: x must be a float array ({', '.join(FLOAT_DTYPES)}), got dtype {a.dtype}")
    return a.astype(np.float32)


def as_blocks(x, block: int, what: str) -> np.ndarray:
    """float32 view of ``x`` as [..., K / block, block]; the last axis K must hold whole blocks.

    Block formats have no remainder rule (microxcaling pads with zeros, ggml asserts): a row
    whose length is not a multiple of the block is a ValueError, never silently padded.
    """
    a = as_float32(x, what)
    if a.ndim == 0 or a.shape[-1] % block:
        raise ValueError(f"{what}: the last axis must be a multiple of the block size {block}, "
                         f"got shape {a.shape}")
    return a.reshape(a.shape[:-1] + (a.shape[-1] // block, block))


def check_scale_shape(codes_shape: tuple, scales_shape: tuple, block: int, name: str) -> None:
    """ValueError unless codes are [..., K] with K a multiple of ``block`` and scales [..., K/block]."""
    if (len(codes_shape) == 0 or codes_shape[-1] % block
            or scales_shape != codes_shape[:-1] + (codes_shape[-1] // block,)):
        raise ValueError(f"shapes: codes [..., K] with K a multiple of {block} need {name} "
                         f"[..., K/{block}], got {codes_shape} and {scales_shape}")
