"""Round-to-nearest decision intervals of a format, exact (the format card's last column).

For each non-negative finite code in increasing order: the magnitudes that encode to it under
rne or rna with saturation, as exact Fractions with open/closed ends (docs/encoding.md §3.4).
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from .spec import FloatFormat


@dataclass(frozen=True)
class Interval:
    code: int
    value: Fraction
    lo: Fraction
    lo_closed: bool
    hi: Fraction | None      #: None: unbounded (saturation)
    hi_closed: bool

    def __str__(self) -> str:
        left = "[" if self.lo_closed else "("
        if self.hi is None:
            return f"{left}{_num(self.lo)}, inf)"
        return f"{left}{_num(self.lo)}, {_num(self.hi)}{']' if self.hi_closed else ')'}"

    def negated(self) -> str:
        """The mirrored interval of the negative code."""
        left = "(-inf" if self.hi is None else ("[" if self.hi_closed else "(") + "-" + _num(self.hi)
        return f"{left}, -{_num(self.lo)}{']' if self.lo_closed else ')'}"


def _num(v: Fraction) -> str:
    if float(v) != v:
        return str(v)
    text = repr(float(v))   # shortest round-trip form; exact for these dyadic values
    return text[:-2] if text.endswith(".0") else text


def _tie_goes_down(fmt: FloatFormat, lo_code: int) -> bool:
    """RNE: a tie stays on the lower neighbour when its integer significand is even
    (docs/encoding.md §3.4): the fraction's LSB, or for man_w = 0 the hidden bit (0 only for zero)."""
    if fmt.man_w == 0:
        return lo_code == 0
    return lo_code % 2 == 0


def nearest_intervals(fmt: FloatFormat, rounding: str = "rne") -> list[Interval]:
    """Decision intervals for rne (ties to even) or rna (ties away), saturating above max."""
    if rounding not in ("rne", "rna"):
        raise ValueError(f"rounding: intervals are tabulated for rne and rna, got {rounding!r}")
    codes = [c for c in range(fmt.max_code + 1) if fmt.is_canonical(c)]
    values = [fmt.code_value(c) for c in codes]
    rows = []
    for i, (c, v) in enumerate(zip(codes, values)):
        if i == 0:
            lo, lo_closed = Fraction(0), True
        else:
            lo = (values[i - 1] + v) / 2
            lo_closed = not _tie_goes_down(fmt, codes[i - 1]) if rounding == "rne" else True
        if i == len(codes) - 1:
            hi, hi_closed = None, False
        else:
            hi = (v + values[i + 1]) / 2
            hi_closed = _tie_goes_down(fmt, c) if rounding == "rne" else False
        rows.append(Interval(c, v, lo, lo_closed, hi, hi_closed))
    return rows
