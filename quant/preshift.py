"""The pre-shifted exponent bias in integer form (llm-fp4.md §3.1-3.4, §5.1).

Activation channel j is encoded on the bias-0 grid with bias rho + b_j (b_j an integer in
0..B, B = 2^e_x - 1), so x^_ij = 2^-(rho + b_j) * Sx(c_ij). With weights w^_kj = 2^-b~_k * Sw(c_kj):

    sum_j x^_ij w^_kj = 2^-rho * 2^-b~_k * sum_j 2^-b_j * Sx(c_ij) * Sw(c_kj)

and 2^-b_j can live in three places (§3.4):
  rowshift  weight codes unchanged, the shift b_j kept beside each input row; the MAC shifts the
            product by B - b_j (exact);
  widened   the weight 2^-b_j * Sw stored in a format with one more exponent bit and bias B, so
            every shifted value is representable (exact: the same integers reach the MAC);
  lossy     2^-b_j * w^ re-quantized into the 4-bit format with the row's bias (what the
            paper's "stored in low-bit FP" would be; small rows lose precision or flush).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fp4ref import emu
from fp4ref.emu.spec import FloatFormat
from fp4ref.mac import gemm

from . import lfp4_int

FOLDS = ("rowshift", "widened", "lossy")


def shift_range(a_fmt: tuple[int, int]) -> int:
    """B = 2^e_x - 1: the largest activation channel offset."""
    return (1 << a_fmt[0]) - 1


def widened_format(w_fmt: tuple[int, int], shift_max: int) -> FloatFormat:
    """E(e')M(m) with bias B: holds 2^-b * S(e, m) exactly for every b in 0..B.

    S(e, m)'s binades are 2^1 .. 2^(2^e - 1) over a subnormal step 2^(1 - m); shifting down by up
    to B binades needs exponent fields up to (2^e - 1) + B with bias B (then the subnormal step is
    2^(1 - m - B)), so e' = ceil(log2(2^e + B)): E2M1 with E2M1 activations (B = 3) -> E3M1,
    with E3M0 activations (B = 7) -> E4M1.
    """
    e, m = w_fmt
    wide = ((1 << e) + shift_max - 1).bit_length()
    return FloatFormat(f"e{wide}m{m}_b{shift_max}", exp_w=wide, man_w=m, bias=shift_max)


@dataclass
class FoldedLayer:
    """What an accelerator stores for one Linear layer, and how its accumulator is scaled."""

    fold: str
    a_fmt: tuple[int, int]
    rho: float                    #: per-tensor real activation bias
    offsets: np.ndarray           #: b_j, the activation encoder's per-channel exponent offsets
    w_format: FloatFormat         #: the format of w_codes (the bias-0 grid, or the widened one)
    w_codes: np.ndarray           #: [out, in]
    w_bias: np.ndarray            #: real per-output-channel bias b~_k
    shifts: np.ndarray | None     #: rowshift: b_j per input row, applied in the MAC
    shift_max: int                #: B of the MAC's pre-shift (0 when no shift reaches the MAC)

    def act_codes(self, x) -> np.ndarray:
        """The activation encoder: x * 2^(rho + b_j) onto the bias-0 grid (RNE, saturating)."""
        return lfp4_int.encode(x, *self.a_fmt, self.rho + self.offsets[None, :].astype(np.float64))

    def accumulate(self, cx) -> np.ndarray:
        """Exact int64 accumulators [tokens, out] for activation codes [tokens, in]."""
        return gemm(cx, self.w_codes, lfp4_int.grid_format(*self.a_fmt), self.w_format,
                    self.shifts, self.shift_max)

    def unit_exp(self) -> int:
        """One accumulator LSB is 2^unit_exp * 2^-rho * 2^-b~_k."""
        return lfp4_int.grid_format(*self.a_fmt).int_unit_exp + self.w_format.int_unit_exp - self.shift_max

    def output_scale(self) -> np.ndarray:
        """Per output channel: the one real multiply after the accumulator. The integer power of
        two is applied with ldexp (exact), so folds that differ only by it agree bit for bit."""
        return np.ldexp(lfp4_int.pow2(-self.rho - self.w_bias), self.unit_exp())

    def forward(self, x, bias=None) -> np.ndarray:
        """float64 layer output through the integer path: encode, exact MAC, one scale."""
        out = self.accumulate(self.act_codes(x)).astype(np.float64) * self.output_scale()[None, :]
        return out if bias is None else out + np.asarray(bias, np.float64)[None, :]


def fold(w_codes: np.ndarray, w_fmt: tuple[int, int], w_bias: np.ndarray, a_fmt: tuple[int, int],
         rho: float, offsets: np.ndarray, how: str = "rowshift") -> FoldedLayer:
    """Fold 2^-b_j into the weights one of the three ways (module docstring)."""
    offsets = np.asarray(offsets, np.int64)
    big_b = shift_range(a_fmt)
    grid_w = lfp4_int.grid_format(*w_fmt)
    common = dict(a_fmt=a_fmt, rho=float(rho), offsets=offsets, w_bias=np.asarray(w_bias, np.float64))
    if how == "rowshift":
        return FoldedLayer("rowshift", w_format=grid_w, w_codes=w_codes, shifts=offsets,
                           shift_max=big_b, **common)
    shifted = emu.decode(w_codes, grid_w) * 2.0 ** -offsets[None, :]    # exact: a power of two
    if how == "widened":
        wide = widened_format(w_fmt, big_b)
        codes, flags = emu.encode(shifted, wide, flags=True)
        if flags.any():
            raise AssertionError(f"{wide.name} does not hold every shifted weight exactly")
        return FoldedLayer("widened", w_format=wide, w_codes=codes, shifts=None, shift_max=0, **common)
    if how == "lossy":
        codes = emu.encode(shifted, grid_w)          # same row bias, the shift rounded away
        return FoldedLayer("lossy", w_format=grid_w, w_codes=codes, shifts=None, shift_max=0, **common)
    raise ValueError(f"fold: must be one of {', '.join(FOLDS)}, got {how!r}")
