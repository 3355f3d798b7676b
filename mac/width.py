"""Accumulator widths: worst case, data-dependent (l1) and observed (docs/mac.md §3).

The worst-case bound answers "how wide must the accumulator be for any input"; the l1 bound
uses the actual weights of each output channel (A2Q's bound, for any value set); the observed
maximum is what given data really reaches.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from emu import get_format
from emu.spec import FloatFormat

from .products import check_shifts, int_codes


def bits_for(bound: int) -> int:
    """Signed two's complement width that holds every integer in [-bound, bound]."""
    return 1 + int(bound).bit_length()


def preshift_range(fx: str | FloatFormat) -> int:
    """LLM-FP4's B = 2^(e_x) - 1: the largest per-channel activation offset (llm-fp4.md §5.1)."""
    return (1 << get_format(fx).exp_w) - 1


@dataclass
class WidthBound:
    fx: FloatFormat
    fw: FloatFormat
    k: int
    shift_max: int
    bound: int          #: K * Imax_x * Imax_w * 2^B
    bits: int           #: 1 + ceil(log2(bound + 1))

    def explain(self) -> str:
        fx, fw, b = self.fx, self.fw, self.shift_max
        lines = [
            f"accumulator width for K = {self.k:,} terms of {fx.name} (activations) x {fw.name} (weights)"
            + (f", pre-shift range B = {b}" if b else ", no pre-shift"),
            f"  integer mapping  {fx.name}: |I| <= {fx.int_max} (value = I * 2^{fx.int_unit_exp}); "
            f"{fw.name}: |I| <= {fw.int_max} (value = I * 2^{fw.int_unit_exp})",
            f"  largest product  {fx.int_max} * {fw.int_max}" + (f" * 2^{b}" if b else "")
            + f" = {fx.int_max * fw.int_max << b:,}",
            f"  largest |sum|    {self.k:,} * {fx.int_max * fw.int_max << b:,} = {self.bound:,}",
            f"  signed width     1 + ceil(log2({self.bound:,} + 1)) = {self.bits} bits "
            f"(range {-(1 << (self.bits - 1)):,} .. {(1 << (self.bits - 1)) - 1:,})",
        ]
        if self.bits > 2:
            narrower = self.bits - 1
            lines.append(f"  {narrower} bits hold only {(1 << (narrower - 1)) - 1:,}: "
                         f"{self.bound - ((1 << (narrower - 1)) - 1):,} short of the worst case")
        lines.append(f"  output scale     acc * 2^{fx.int_unit_exp + fw.int_unit_exp - b} "
                     f"* scale_x * scale_w[k]")
        return "\n".join(lines)


def worst_case_width(fx: str | FloatFormat, fw: str | FloatFormat, k: int, shift_max: int = 0) -> WidthBound:
    """W = 1 + ceil(log2(K * Imax_x * Imax_w * 2^B + 1)): no input of K terms can overflow."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"lanes: K must be a positive integer, got {k!r}")
    check_shifts(None, (), shift_max)
    fx, fw = get_format(fx), get_format(fw)
    bound = int(k) * fx.int_max * fw.int_max << shift_max
    return WidthBound(fx, fw, int(k), shift_max, bound, bits_for(bound))


def l1_bound(weight_codes, fx: str | FloatFormat, fw: str | FloatFormat, shifts=None,
             shift_max: int = 0) -> np.ndarray:
    """Per output channel k: Imax_x * sum_j |Iw[k, j]| * 2^(B - s_j) (weights [out, in])."""
    fx, fw = get_format(fx), get_format(fw)
    iw = np.abs(int_codes(weight_codes, fw))
    if iw.ndim != 2:
        raise ValueError(f"weights: expected a 2-D [out, in] array of codes, got shape {iw.shape}")
    s = check_shifts(shifts, iw.shape[1:], shift_max)
    return fx.int_max * (iw << (shift_max - s)).sum(axis=1)


def l1_width(weight_codes, fx, fw, shifts=None, shift_max: int = 0) -> np.ndarray:
    """Width per output channel from the l1 bound."""
    return np.array([bits_for(b) for b in l1_bound(weight_codes, fx, fw, shifts, shift_max)])


def observed_max(act_codes, weight_codes, fx, fw, shifts=None, shift_max: int = 0,
                 order: str = "sequential", lanes: int = 16) -> int:
    """Largest |partial sum| reached by activations [batch, in] against weights [out, in]."""
    from .dot import dot
    x = np.asarray(act_codes)
    w = np.asarray(weight_codes)
    if x.ndim != 2 or w.ndim != 2 or x.shape[1] != w.shape[1]:
        raise ValueError(f"shapes do not match: activations {x.shape} and weights {w.shape} "
                         "must be [batch, in] and [out, in]")
    res = dot(x[:, None, :], w[None, :, :], fx, fw, acc_w=62, policy="exact", order=order,
              lanes=lanes, shifts=shifts, shift_max=shift_max)
    return int(res.max_abs.max()) if res.max_abs.size else 0


def check_accumulator(bound, acc_w: int) -> str:
    """Run the worst-case input (every operand at its maximum, every shift 0) through an acc_w-bit
    accumulator under both policies and say what comes out."""
    from .dot import dot

    x = np.full(bound.k, bound.fx.max_code)
    w = np.full(bound.k, bound.fw.max_code)
    shifts = np.zeros(bound.k, int)
    runs = {p: dot(x, w, bound.fx, bound.fw, acc_w, p, "tree", bound.k, shifts, bound.shift_max)
            for p in ("wrap", "saturate")}
    verdict = "enough" if acc_w >= bound.bits else f"NOT enough (needs {bound.bits})"
    return (f"  check {acc_w}-bit accumulator: {verdict}; the all-maximum input"
            + (" with every shift 0" if bound.shift_max else "")
            + f" sums to {int(runs['wrap'].exact):,}: wrap returns {int(runs['wrap'].acc):,}, "
            f"saturate returns {int(runs['saturate'].acc):,}, overflow flag "
            f"{'set' if bool(runs['wrap'].overflow) else 'clear'}")
