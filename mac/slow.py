"""Python-int reference for products, dot products and GEMM (docs/mac.md §1-§2).

Independent of the fast paths: the integer mapping is recomputed from each code's exact value
(FloatFormat.code_value divided by the unit 2^(1 - man_w - bias)), and accumulation is a plain
loop with the policy applied after each group.
"""
from __future__ import annotations

from fractions import Fraction

from fp4ref.emu.spec import FloatFormat


def int_of(code: int, fmt: FloatFormat) -> int:
    value = fmt.code_value(int(code)) / Fraction(2) ** fmt.int_unit_exp
    if value.denominator != 1:
        raise AssertionError(f"{fmt.name} code {code:#x} is not a multiple of the unit")
    return int(value)


def dot(cx, cw, fx: FloatFormat, fw: FloatFormat, acc_w: int, policy: str, group: int,
        shifts=None, shift_max: int = 0, acc_in: int = 0) -> tuple[int, bool]:
    """(accumulator, overflow) for one dot product given as lists of codes."""
    lo, hi = -(1 << (acc_w - 1)), (1 << (acc_w - 1)) - 1
    terms = [int_of(a, fx) * int_of(b, fw) * 2 ** (shift_max - (shifts[j] if shifts is not None else shift_max))
             for j, (a, b) in enumerate(zip(cx, cw))]
    acc, overflow = acc_in, False
    for start in range(0, len(terms), group):
        t = acc + sum(terms[start:start + group])
        if not lo <= t <= hi:
            overflow = True
        if policy == "wrap":
            acc = (t - lo) % (1 << acc_w) + lo
        elif policy == "saturate":
            acc = min(max(t, lo), hi)
        else:
            acc = t
    return acc, overflow


def gemm(cx, cw, fx: FloatFormat, fw: FloatFormat, shifts=None, shift_max: int = 0) -> list[list[int]]:
    """Exact accumulators for activations [M][K] and weights [N][K] (lists of codes)."""
    return [[dot(row, col, fx, fw, 62, "exact", 1, shifts, shift_max)[0] for col in cw] for row in cx]
