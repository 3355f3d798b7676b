"""LLM-FP4 integer-exact: codes on the bias-0 grid S(e, m) plus the real scale 2^-bias.

llm-fp4.md §1.3-1.5: x_q = 2^-b * sign(t) * q(|t|) with t = x * 2^b and q the RNE, saturating
rounding onto S(e, m). emu does the rounding (docs/encoding.md §3.4: ties go to the even integer
significand; for E3M0 that sends binade midpoints up, as torch.round(x / step) does).
"""
from __future__ import annotations

import numpy as np

from fp4ref import emu
from fp4ref.emu.spec import FloatFormat

#: (e, m) -> emu preset of the bias-0 grid S(e, m) (llm-fp4.md §1.3 table)
GRIDS = {(3, 0): "e3m0_b0", (2, 1): "e2m1_b0", (1, 2): "e1m2"}


def grid_format(e: int, m: int) -> FloatFormat:
    """The emu format whose codes are LLM-FP4's 4-bit codes of S(e, m) (bias 0, subnormals, fn).

    Raises:
      ValueError: (e, m) is not one of the 4-bit splits LLM-FP4 searches (E3M0, E2M1, E1M2).
    """
    name = GRIDS.get((e, m))
    if name is None:
        raise ValueError(f"lfp4_int: (e, m) = ({e}, {m}) has no 4-bit LLM-FP4 grid; "
                         f"expected one of {sorted(GRIDS)} (E3M0, E2M1, E1M2)")
    return emu.get_format(name)


def pow2(bias) -> np.ndarray:
    """2^bias in float64: one exp2 of the fractional part, then an exact ldexp.

    Exact for integer bias, and pow2(b + k) = 2^k * pow2(b) bit for bit for integer k whenever
    b + k is exact (e.g. b a float32 value), so shifted copies of one real scale compare exactly
    (llm-fp4.md §6c: rho + b_j).
    """
    b = np.asarray(bias, dtype=np.float64)
    whole = np.floor(b)
    return np.ldexp(np.exp2(b - whole), whole.astype(np.int64))


def grid_input(x, bias) -> np.ndarray:
    """t = x * 2^bias in float64 (x: numpy float32/float64 or a torch tensor; bias broadcastable)."""
    if type(x).__module__.split(".")[0] == "torch":
        x = x.detach().cpu().double().numpy()
    return np.asarray(x, dtype=np.float64) * pow2(bias)


def encode(x, e: int, m: int, bias) -> np.ndarray:
    """LLM-FP4 4-bit codes of x with real bias: encode t = x * 2^bias onto S(e, m).

    Rounding RNE on the integer significand; |t| beyond S_max saturates to ±S_max (±inf too);
    NaN encodes as a zero with its sign bit; -0 and small negative t give the negative-zero code.
    Returns uint8 codes of the broadcast shape of x and bias.
    """
    return emu.encode(grid_input(x, bias), grid_format(e, m), rounding="rne",
                      overflow="saturate", nan="zero")


def decode(codes, e: int, m: int, bias) -> np.ndarray:
    """float64 value of each code: S-value * 2^-bias (the S-value is exact; one rounding)."""
    return emu.decode(codes, grid_format(e, m)) * pow2(-np.asarray(bias, dtype=np.float64))


def int_values(codes, e: int, m: int) -> np.ndarray:
    """Integer mapping I(code) (int64): value = I * 2^(1 - m - bias) (llm-fp4.md §1.3)."""
    return emu.int_map(codes, grid_format(e, m))
