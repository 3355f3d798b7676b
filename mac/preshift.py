"""LLM-FP4's pre-shifted exponent bias inside the MAC (llm-fp4.md §3, §5.1; docs/mac.md §4).

Activation channel j carries an integer offset b_j in 0..B (B = 2^(e_x) - 1); the MAC applies
2^(B - b_j) to the product with a left shift, and the real per-output scale comes after the
accumulator: O[i, k] = acc[i, k] * 2^(ux + uw - B) * scale_x * scale_w[k].
"""
from __future__ import annotations

import numpy as np

from fp4ref.emu import get_format
from fp4ref.emu.spec import FloatFormat

from .gemm import gemm
from .width import preshift_range


def output_scale(fx: FloatFormat, fw: FloatFormat, shift_max: int) -> float:
    """2^(ux + uw - B): the weight of one accumulator LSB before the real scales."""
    return float(2.0 ** (fx.int_unit_exp + fw.int_unit_exp - shift_max))


def layer_output(cx, cw, fx: str | FloatFormat, fw: str | FloatFormat, scale_x: float,
                 scale_w, shifts=None, preshift: bool = False) -> np.ndarray:
    """float64 layer output from codes: exact accumulators, then the scales (one multiply each)."""
    fx, fw = get_format(fx), get_format(fw)
    shift_max = preshift_range(fx) if preshift else 0
    if shifts is not None and not preshift:
        raise ValueError("shifts given without preshift=True")
    acc = gemm(cx, cw, fx, fw, shifts, shift_max)
    scale_w = np.asarray(scale_w, np.float64)
    return acc.astype(np.float64) * output_scale(fx, fw, shift_max) * float(scale_x) * scale_w[None, :]
