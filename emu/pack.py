"""Two 4-bit codes per byte, and views to and from ml_dtypes arrays (docs/encoding.md §4).

Nibble order follows torch.float4_e2m1fn_x2, ONNX and ModelOpt: element 2i in the low nibble,
element 2i + 1 in the high nibble (formats.md §9, §10).
"""
from __future__ import annotations

import ml_dtypes
import numpy as np

from .conventions import ML_DTYPES_NAMES
from .decode import check_codes
from .registry import get_format
from .spec import FloatFormat


def pack_x2(codes, fmt: str | FloatFormat = "e2m1") -> np.ndarray:
    """Pack codes of a <= 4-bit format two per byte along the last axis (which must be even)."""
    fmt = get_format(fmt)
    if fmt.bits > 4:
        raise ValueError(f"pack_x2: {fmt.name} has {fmt.bits}-bit codes; only <= 4-bit codes pack two per byte")
    c = check_codes(codes, fmt).astype(np.uint8)
    if c.ndim == 0 or c.shape[-1] % 2:
        raise ValueError(f"pack_x2: the last axis must have an even length, got shape {c.shape}")
    return c[..., 0::2] | (c[..., 1::2] << 4)


def unpack_x2(packed) -> np.ndarray:
    """Inverse of pack_x2: uint8 bytes -> codes, the last axis doubled."""
    p = np.asarray(packed)
    if p.dtype != np.uint8:
        raise ValueError(f"unpack_x2: expected uint8 bytes, got dtype {p.dtype}")
    out = np.empty(p.shape[:-1] + (2 * p.shape[-1],) if p.ndim else (2,), np.uint8)
    out[..., 0::2] = p & 0xF
    out[..., 1::2] = p >> 4
    return out


def to_ml_dtypes(codes, fmt: str | FloatFormat) -> np.ndarray:
    """View codes as the matching ml_dtypes array (one code per byte, value in the low bits)."""
    fmt = get_format(fmt)
    if fmt.name not in ML_DTYPES_NAMES:
        raise ValueError(f"to_ml_dtypes: ml_dtypes has no type for {fmt.name}; it has "
                         f"{', '.join(sorted(ML_DTYPES_NAMES))}")
    return check_codes(codes, fmt).astype(np.uint8).view(getattr(ml_dtypes, ML_DTYPES_NAMES[fmt.name]))


def from_ml_dtypes(arr: np.ndarray) -> tuple[np.ndarray, FloatFormat]:
    """(codes, format) of an ml_dtypes array of one of the types in ML_DTYPES_NAMES."""
    name = getattr(np.asarray(arr).dtype, "name", "")
    for fmt_name, dtype_name in ML_DTYPES_NAMES.items():
        if name == dtype_name:
            return np.asarray(arr).view(np.uint8).copy(), get_format(fmt_name)
    raise ValueError(f"from_ml_dtypes: dtype {name or type(arr).__name__} is not an ml_dtypes "
                     f"type fp4ref models ({', '.join(ML_DTYPES_NAMES.values())})")
