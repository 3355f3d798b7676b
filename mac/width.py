"""Accumulator widths: worst case, data-dependent (l1) and observed (docs/mac.md §3).

The worst-case bound answers "how wide must the accumulator be for any input"; the l1 bound
uses the actual weights of each output channel (A2Q's bound, for any value set); the observed
maximum is what given data really reaches.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fp4ref.emu import get_format

from .products import IntFormat, check_pair, check_shifts, extremes, int_format, range_bits, unit_text


def bits_for(bound: int) -> int:
    """Signed two's complement width that holds every integer in [-bound, bound]."""
    return 1 + int(bound).bit_length()


def preshift_range(fx) -> int:
    """LLM-FP4's B = 2^(e_x) - 1: the largest per-channel activation offset (llm-fp4.md §5.1).
    ValueError for a lookup format (no exponent field: give B explicitly)."""
    f = int_format(fx)
    if f.is_lookup:
        raise ValueError(f"pre-shift range: B = 2^(e_x) - 1 needs an exponent field and {f.name} is a "
                         f"lookup format; give B explicitly (--shift-max)")
    return (1 << get_format(f.source).exp_w) - 1


def _ints(f: IntFormat) -> str:
    return f"|I| <= {f.int_max}" if f.symmetric else f"I in {f.int_lo} .. {f.int_hi}"


@dataclass
class WidthBound:
    fx: IntFormat
    fw: IntFormat
    k: int
    shift_max: int
    bound: int          #: max |sum| = max(hi, -lo); K * Imax_x * Imax_w * 2^B
    bits: int           #: smallest signed width holding lo .. hi
    lo: int = 0         #: most negative sum: K * min(Ix * Iw) * 2^B
    hi: int = 0         #: largest sum: K * max(Ix * Iw) * 2^B

    @property
    def symmetric(self) -> bool:
        return self.hi == -self.lo

    def explain(self) -> str:
        fx, fw, b = self.fx, self.fw, self.shift_max
        shift = f" * 2^{b}" if b else ""
        lines = [
            f"accumulator width for K = {self.k:,} terms of {fx.name} (activations) x {fw.name} (weights)"
            + (f", pre-shift range B = {b}" if b else ", no pre-shift"),
            f"  integer mapping  {fx.name}: {_ints(fx)} (value = I * {fx.unit_text}); "
            f"{fw.name}: {_ints(fw)} (value = I * {fw.unit_text})",
        ]
        for f in dict.fromkeys((fx, fw)):
            if f.is_lookup:
                top = f.max_code if f.int_hi >= -f.int_lo else f.min_code
                lines.append(f"  {f.name} (lookup format, docs/lookup.md): {f.source.title}; "
                             f"largest |I| = {f.int_max} at code {top:#06b}"
                             + ("" if f.unit_exp is not None else
                                f"; its unit {f.unit} is no power of two: it scales values only, "
                                f"the integers and the widths do not depend on it"))
        if self.symmetric:
            lines += [
                f"  largest product  {fx.int_max} * {fw.int_max}{shift} = {fx.int_max * fw.int_max << b:,}",
                f"  largest |sum|    {self.k:,} * {fx.int_max * fw.int_max << b:,} = {self.bound:,}",
                f"  signed width     1 + ceil(log2({self.bound:,} + 1)) = {self.bits} bits "
                f"(range {-(1 << (self.bits - 1)):,} .. {(1 << (self.bits - 1)) - 1:,})"]
        else:
            neg, pos = extremes(fx, fw)
            lines += [
                f"  products         {neg.ix} * {neg.iw}{shift} = {neg.product << b:,} .. "
                f"{pos.ix} * {pos.iw}{shift} = {pos.product << b:,}",
                f"  sums             {self.k:,} * {neg.product << b:,} = {self.lo:,} .. "
                f"{self.k:,} * {pos.product << b:,} = {self.hi:,}",
                f"  signed width     the smallest W with -2^(W-1) <= {self.lo:,} and {self.hi:,} <= "
                f"2^(W-1) - 1: {self.bits} bits (range {-(1 << (self.bits - 1)):,} .. "
                f"{(1 << (self.bits - 1)) - 1:,})"]
        if self.bits > 2:
            n = self.bits - 1
            top, bottom = (1 << (n - 1)) - 1, -(1 << (n - 1))
            if self.symmetric:
                lines.append(f"  {n} bits hold only {top:,}: {self.bound - top:,} short of the worst case")
            else:
                short = max(self.hi - top, bottom - self.lo)
                lines.append(f"  {n} bits hold only {bottom:,} .. {top:,}: {short:,} short of the worst case")
        lines.append(f"  output scale     acc * {unit_text(fx.unit * fw.unit / (1 << b))} * scale_x * scale_w[k]")
        return "\n".join(lines)


def worst_case_width(fx, fw, k: int, shift_max: int = 0) -> WidthBound:
    """The smallest W that no input of K terms can overflow: every sum lies in
    [K * Pmin * 2^B, K * Pmax * 2^B] (Pmin, Pmax: the extreme products of usable code pairs).
    For the presets, and every symmetric format, Pmax = -Pmin = Imax_x * Imax_w and
    W = 1 + ceil(log2(K * Imax_x * Imax_w * 2^B + 1)). fx and fw are any integer-mapped formats
    (presets or lookup formats with an integer mapping: mac.products.int_format)."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"lanes: K must be a positive integer, got {k!r}")
    check_shifts(None, (), shift_max)
    fx, fw = int_format(fx), int_format(fw)
    neg, pos = extremes(fx, fw)
    lo, hi = int(k) * neg.product << shift_max, int(k) * pos.product << shift_max
    return WidthBound(fx, fw, int(k), shift_max, max(hi, -lo), range_bits(lo, hi), lo, hi)


def l1_bound(weight_codes, fx, fw, shifts=None, shift_max: int = 0) -> np.ndarray:
    """Per output channel k: Imax_x * sum_j |Iw[k, j]| * 2^(B - s_j) (weights [out, in])."""
    fx, fw = int_format(fx), int_format(fw)
    iw = np.abs(fw.int_codes(weight_codes))
    if iw.ndim != 2:
        raise ValueError(f"weights: expected a 2-D [out, in] array of codes, got shape {iw.shape}")
    s = check_shifts(shifts, iw.shape[1:], shift_max)
    return fx.int_max * (iw << (shift_max - s)).sum(axis=1)


def l1_width(weight_codes, fx, fw, shifts=None, shift_max: int = 0) -> np.ndarray:
    """Width per output channel from the l1 bound."""
    return np.array([bits_for(b) for b in l1_bound(weight_codes, fx, fw, shifts, shift_max)])


def observed_max(act_codes, weight_codes, fx, fw, shifts=None, shift_max: int = 0,
                 order: str = "sequential", lanes: int = 16) -> int:
    """Largest |partial sum| reached by activations [batch, in] against weights [out, in]: after
    every term ("sequential") or every cycle of ``lanes`` terms ("tree"), as mac.dot reaches it.
    Two presets in tree order with per-column shifts take mac.gemm a cycle at a time (the same
    sums, without a [batch, out, in] product array); everything else goes through mac.dot."""
    from .dot import dot
    x = np.asarray(act_codes)
    w = np.asarray(weight_codes)
    if x.ndim != 2 or w.ndim != 2 or x.shape[1] != w.shape[1]:
        raise ValueError(f"shapes do not match: activations {x.shape} and weights {w.shape} "
                         "must be [batch, in] and [out, in]")
    if (order == "tree" and not isinstance(lanes, bool) and isinstance(lanes, (int, np.integer))
            and lanes >= 1 and np.ndim(shifts) <= 1):
        f, g = int_format(fx), int_format(fw)
        if not (f.is_lookup or g.is_lookup):
            return _observed_tree(x, w, f, g, shifts, shift_max, int(lanes))
    res = dot(x[:, None, :], w[None, :, :], fx, fw, acc_w=62, policy="exact", order=order,
              lanes=lanes, shifts=shifts, shift_max=shift_max)
    return int(res.max_abs.max()) if res.max_abs.size else 0


def _observed_tree(x, w, fx: IntFormat, fw: IntFormat, shifts, shift_max: int, lanes: int) -> int:
    """observed_max in tree order for two presets: the accumulator after each cycle is the exact
    GEMM of the columns so far. The input is refused as mac.dot refuses it, in its order."""
    from .gemm import gemm
    check_pair(fx, fw, shift_max)
    fx.int_codes(x)
    fw.int_codes(w)
    check_shifts(shifts, (x.shape[0], w.shape[0], x.shape[1]), shift_max)
    s = None if shifts is None else np.broadcast_to(np.asarray(shifts), x.shape[1:])
    acc = np.zeros((x.shape[0], w.shape[0]), np.int64)
    top = 0
    for a in range(0, x.shape[1], lanes):
        part = slice(a, a + lanes)
        acc += gemm(x[:, part], w[:, part], fx.source, fw.source, None if s is None else s[part], shift_max)
        top = max(top, int(np.abs(acc).max()) if acc.size else 0)
    return top


def check_accumulator(bound, acc_w: int) -> str:
    """Run the worst-case input (every lane the code pair of the extreme product that sets the
    width, every shift 0: for the presets every operand at its maximum) through an acc_w-bit
    accumulator under both policies and say what comes out."""
    from .dot import dot

    neg, pos = extremes(bound.fx, bound.fw)
    e = pos if range_bits(0, bound.hi) >= range_bits(bound.lo, 0) else neg
    x, w = np.full(bound.k, e.cx), np.full(bound.k, e.cw)
    shifts = np.zeros(bound.k, int)
    runs = {p: dot(x, w, bound.fx, bound.fw, acc_w, p, "tree", bound.k, shifts, bound.shift_max)
            for p in ("wrap", "saturate")}
    verdict = "enough" if acc_w >= bound.bits else f"NOT enough (needs {bound.bits})"
    what = ("the all-maximum input" if (e.cx, e.cw) == (bound.fx.max_code, bound.fw.max_code)
            else f"the worst-case input (every lane {e.cx:#x} x {e.cw:#x}, {e.ix} * {e.iw})")
    return (f"  check {acc_w}-bit accumulator: {verdict}; {what}"
            + (" with every shift 0" if bound.shift_max else "")
            + f" sums to {int(runs['wrap'].exact):,}: wrap returns {int(runs['wrap'].acc):,}, "
            f"saturate returns {int(runs['saturate'].acc):,}, overflow flag "
            f"{'set' if bool(runs['wrap'].overflow) else 'clear'}")


#: the (K, X, W) rows of llm-fp4.md §5.2's accumulator-width table, each without and with the
#: pre-shift of X (`fp4ref width --table` prints them)
SPEC_TABLE = ((16, "e2m1_b0", "e2m1_b0"), (16, "e3m0_b0", "e2m1_b0"), (16, "e1m2", "e2m1_b0"),
              (4096, "e2m1_b0", "e2m1_b0"), (4096, "e3m0_b0", "e2m1_b0"),
              (11008, "e2m1_b0", "e2m1_b0"), (13824, "e2m1_b0", "e2m1_b0"))
