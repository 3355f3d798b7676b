"""Source float bit patterns -> exact integer form (sign, class, significand, exponent).

Every finite non-zero element becomes ``value = (-1)^sign * sig * 2^exp2`` with ``sig`` a
uint64 holding the hidden bit, read from the bit pattern with integer operations only: no float
arithmetic touches the value, so float64 inputs are never rounded twice (formats.md §8, PR #401).
"""
from __future__ import annotations

from dataclasses import dataclass

import ml_dtypes
import numpy as np

#: element classes
ZERO, FINITE, INF, NAN = 0, 1, 2, 3


@dataclass(frozen=True)
class SourceFloat:
    """An IEEE-style binary source format, described by its field widths."""

    #: dtype name as numpy prints it
    name: str
    #: exponent field width
    exp_w: int
    #: fraction field width
    man_w: int
    #: unsigned integer dtype holding one bit pattern
    bits_dtype: type

    @property
    def bits(self) -> int:
        return 1 + self.exp_w + self.man_w

    @property
    def bias(self) -> int:
        return (1 << (self.exp_w - 1)) - 1


SOURCES: dict[str, SourceFloat] = {s.name: s for s in (
    SourceFloat("float64", 11, 52, np.uint64),
    SourceFloat("float32", 8, 23, np.uint32),
    SourceFloat("float16", 5, 10, np.uint16),
    SourceFloat("bfloat16", 8, 7, np.uint16),
)}


def source_of(x: np.ndarray) -> SourceFloat:
    """The SourceFloat for an array's dtype; TypeError for anything else."""
    name = "bfloat16" if x.dtype == ml_dtypes.bfloat16 else x.dtype.name
    if name not in SOURCES:
        raise TypeError(f"unsupported input dtype {x.dtype}; use float64, float32, float16 or "
                        f"ml_dtypes.bfloat16")
    return SOURCES[name]


@dataclass
class Unpacked:
    """Integer form of an array of source floats (all arrays have the input's shape)."""

    sign: np.ndarray    #: uint8, 1 for negative (NaN keeps its sign bit)
    kind: np.ndarray    #: uint8, ZERO / FINITE / INF / NAN
    sig: np.ndarray     #: uint64 significand with the hidden bit; 0 unless FINITE
    exp2: np.ndarray    #: int64 exponent of the significand's LSB
    lead: np.ndarray    #: int64 unbiased exponent of the leading one: 2^lead <= |value| < 2^(lead+1)


def bit_length(v: np.ndarray) -> np.ndarray:
    """Number of significant bits of each uint64 (0 for 0), by a 6-step binary search."""
    v = v.astype(np.uint64, copy=True)
    n = np.zeros(v.shape, np.int64)
    for step in (32, 16, 8, 4, 2, 1):
        big = v >= np.uint64(1 << step)
        n += np.where(big, step, 0)
        v = np.where(big, v >> np.uint64(step), v)
    return n + (v != 0)


def unpack(bits: np.ndarray, src: SourceFloat) -> Unpacked:
    """Split raw bit patterns of ``src`` into sign, class and an exact (sig, exp2) pair."""
    b = bits.astype(np.uint64)
    man_mask = np.uint64((1 << src.man_w) - 1)
    exp_field = ((b >> np.uint64(src.man_w)) & np.uint64((1 << src.exp_w) - 1)).astype(np.int64)
    frac = b & man_mask
    sign = (b >> np.uint64(src.bits - 1)).astype(np.uint8)
    all_ones = (1 << src.exp_w) - 1
    kind = np.full(b.shape, FINITE, np.uint8)
    kind[(exp_field == 0) & (frac == 0)] = ZERO
    kind[(exp_field == all_ones) & (frac == 0)] = INF
    kind[(exp_field == all_ones) & (frac != 0)] = NAN
    normal = exp_field > 0
    sig = np.where(normal, frac | np.uint64(1 << src.man_w), frac)
    sig[kind != FINITE] = 0
    # subnormals share the exponent of exponent field 1
    exp2 = np.maximum(exp_field, 1) - src.bias - src.man_w
    lead = exp2 + bit_length(sig) - 1
    return Unpacked(sign, kind, sig, exp2, lead)


def bits_of(x: np.ndarray) -> tuple[np.ndarray, SourceFloat]:
    """The raw bit patterns of a float array and its SourceFloat."""
    src = source_of(x)
    x = x if x.flags.c_contiguous else x.copy(order="C")   # keeps 0-d arrays 0-d
    return x.view(src.bits_dtype), src
