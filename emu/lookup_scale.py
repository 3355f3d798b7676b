"""Per-group scaling for lookup formats: llm-datatypes' RTN recipe (formats.md §5.3), in float32.

Groups run along the last axis (a Linear weight's input dimension). group_size = -1, or a row
shorter than the group, gives one group per row. When the group does not divide the row, the
first (row // group) * group columns form whole groups and the remainder forms one shorter group
per row (llm-datatypes' rule); `remainder="error"` refuses that instead.

Scale rules (the format's `scale_rule`):
  max       scale = fp32(absmax(group) / max(values)); x = fp32(w / scale); code = nearest value
  int_full  INT4 -8..7: scale = wmax / 8, negated when |max| > |min| so the dominant extreme maps to -8
  asym      INT4 0..15 (INT3 0..7): scale = (wmax - wmin) / qmax with wmin <= 0 <= wmax, qmax =
            2^bits - 1, zero point zp = round(-wmin / scale), code = clamp(round(w / scale) + zp, 0, qmax),
            value (code - zp) * scale
An all-zero group has scale 0 and decodes to 0 (llm-datatypes gets there through 0/0 = NaN and
0 * 0; we encode x = 0 directly).
NaN anywhere is an error; +-inf is an error too (its group's scale would be inf).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .lookup import LookupFormat, encode, get_lookup


@dataclass(frozen=True)
class Grouped:
    """Codes (same shape as the weight), one float32 scale (and zero point) per group."""
    fmt: LookupFormat
    codes: np.ndarray            # uint8, shape of w
    scales: np.ndarray           # float32, [rows, groups]
    zeros: np.ndarray | None     # int64 zero points [rows, groups] (asym only)
    group_size: int              # the effective group (the row length for per-row)


def group_bounds(n: int, group_size: int, remainder: str = "extra") -> list[tuple[int, int]]:
    """[start, stop) column ranges of the groups of a row of n elements."""
    if n <= 0:
        raise ValueError(f"rows must have at least one element, got {n}")
    if group_size == -1 or group_size >= n:
        return [(0, n)]
    if group_size <= 0:
        raise ValueError(f"group size must be positive or -1 (per row), got {group_size}")
    if n % group_size and remainder == "error":
        raise ValueError(f"group size {group_size} does not divide the row length {n}")
    if remainder not in ("extra", "error"):
        raise ValueError(f"unknown remainder rule {remainder!r}; choose extra or error")
    edges = list(range(0, n, group_size)) + [n]
    return list(zip(edges[:-1], edges[1:]))


def _as_rows(w) -> np.ndarray:
    a = np.asarray(w)
    if a.dtype.kind != "f":
        raise ValueError(f"weights must be a float array, got dtype {a.dtype}")
    if a.ndim < 1 or a.size == 0:
        raise ValueError(f"weights must be a non-empty array, got shape {a.shape}")
    a = a.astype(np.float32)
    if not np.isfinite(a).all():
        raise ValueError(f"weights hold {int((~np.isfinite(a)).sum())} NaN or Inf elements; "
                         f"a group scale needs finite values")
    return a.reshape(-1, a.shape[-1])


def group_scale(g, scale_rule: str, max_value: float, qmax: int = 15):
    """(scale float32 [rows], zero point int64 [rows] or None) of the [rows, k] groups ``g``
    (float32) under llm-datatypes' rules: "max" absmax / max_value, "int_full" absmax / 8 negated
    when |max| > |min|, "asym" (wmax - wmin) / qmax with zp = rint(-wmin / scale). An all-zero
    group has scale 0. ValueError when a scale overflows float32 (e.g. wmax - wmin > 3.4e38)."""
    f32 = np.float32
    zp = None
    with np.errstate(over="ignore"):
        if scale_rule == "asym":
            wmax = np.maximum(g.max(axis=1), f32(0))
            wmin = np.minimum(g.min(axis=1), f32(0))
            scale = ((wmax - wmin) / f32(qmax)).astype(f32)
            zp = np.rint(-wmin / np.where(scale == 0, f32(1), scale)).astype(np.int64)
        elif scale_rule == "int_full":
            hi, lo = g.max(axis=1), g.min(axis=1)
            scale = (np.maximum(np.abs(hi), np.abs(lo)) / f32(8)).astype(f32)
            scale = np.where(np.abs(hi) > np.abs(lo), -scale, scale).astype(f32)
        else:
            scale = (np.abs(g).max(axis=1) / f32(max_value)).astype(f32)
    if not np.isfinite(scale).all():
        raise ValueError("a group's scale overflows float32 (its range exceeds 3.4e38); "
                         "rescale the weights")
    return scale, zp


def asym_codes(w, scale, zp, qmax: int = 15) -> np.ndarray:
    """uint8 codes clamp(rint(w / scale) + zp, 0, qmax); scale and zp broadcast to w."""
    safe = np.where(scale == 0, np.float32(1), scale)
    return np.clip(np.rint(w / safe).astype(np.int64) + zp, 0, qmax).astype(np.uint8)


def scaled(w, scale) -> np.ndarray:
    """float32 w / scale, 0 where the scale is 0 (an all-zero group); scale broadcasts to w."""
    f32 = np.float32
    x = (w / np.where(scale == 0, f32(1), scale)).astype(f32)
    return np.where(scale == 0, f32(0), x)


def _quantize_group(fmt: LookupFormat, g: np.ndarray, tie: str | None):
    """(codes, scale, zero point) of one [rows, k] slab of groups."""
    qmax = (1 << fmt.bits) - 1
    scale, zp = group_scale(g, fmt.scale_rule, fmt.max_value, qmax)
    if zp is not None:
        return asym_codes(g, scale[:, None], zp[:, None], qmax), scale, zp
    return encode(scaled(g, scale[:, None]), fmt, tie), scale, None


def quantize(w, fmt: str | LookupFormat, group_size: int = -1, tie: str | None = None,
             remainder: str = "extra") -> Grouped:
    """RTN-quantize w (last axis grouped) to codes of a lookup format with per-group scales."""
    fmt = get_lookup(fmt)
    rows = _as_rows(w)
    bounds = group_bounds(rows.shape[1], group_size, remainder)
    codes = np.empty(rows.shape, dtype=np.uint8)
    scales = np.empty((rows.shape[0], len(bounds)), dtype=np.float32)
    zeros = np.empty(scales.shape, dtype=np.int64) if fmt.scale_rule == "asym" else None
    for j, (a, b) in enumerate(bounds):
        c, s, z = _quantize_group(fmt, rows[:, a:b], tie)
        codes[:, a:b], scales[:, j] = c, s
        if zeros is not None:
            zeros[:, j] = z
    size = bounds[0][1] - bounds[0][0]
    return Grouped(fmt, codes.reshape(np.shape(w)), scales, zeros, size)


def dequantize(q: Grouped) -> np.ndarray:
    """float32 weights: value(code) * scale (asym: (code - zp) * scale), one fp32 multiply."""
    fmt = q.fmt
    rows = q.codes.reshape(-1, q.codes.shape[-1])
    bounds = group_bounds(rows.shape[1], q.group_size)
    out = np.empty(rows.shape, dtype=np.float32)
    table = np.array(fmt.f32_bits, dtype=np.uint32).view(np.float32)
    for j, (a, b) in enumerate(bounds):
        c = rows[:, a:b].astype(np.int64)
        if fmt.scale_rule == "asym":
            v = (c - q.zeros[:, j:j + 1]).astype(np.float32)
        else:
            v = table[c]
        out[:, a:b] = v * q.scales[:, j:j + 1]
    return out.reshape(q.codes.shape)


def fake_quantize(w, fmt: str | LookupFormat, group_size: int = -1, tie: str | None = None) -> np.ndarray:
    """quantize then dequantize: llm-datatypes' qdq weight, float32."""
    return dequantize(quantize(w, fmt, group_size, tie))
