"""An independent, fast reference encoder for float32 inputs: rounding by search on the explicit
grid G of docs/encoding.md §3.4, written from that text (not from emu/round*.py).

G is every finite magnitude of the format, extended upward binade by binade past 2^129 (so every
float32 has two neighbours on it). Each grid point carries its integer significand's parity,
computed from the definition in §3.4 (for M = 0 every normal significand is 1: ties go up).
Codes come from the format's own code values (FloatFormat.code_value, the exact rational of
each code, checked against formats.md's tables elsewhere). Used by `make exhaustive` for the
formats ml_dtypes does not have and for the rounding modes it does not implement; overflow
policy saturate, NaN policy nan (formats with NaN) or zero (without).
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from .spec import FloatFormat

MODES = ("rne", "rna", "rtz", "rup", "rdn")
INEXACT, UNDERFLOW, OVERFLOW, INVALID = 1, 2, 4, 8


class GridReference:
    def __init__(self, fmt: FloatFormat):
        self.fmt = fmt
        M, bias = fmt.man_w, fmt.bias
        finite = {}
        for code in range(fmt.sign_bit):                     # positive codes
            if fmt.is_nan_code(code) or fmt.is_inf_code(code):
                continue
            finite.setdefault(fmt.code_value(code), code)     # the first code of a value is canonical
        self.max = max(finite)
        min_normal = Fraction(2) ** (1 - bias)
        # G: the finite magnitudes, then the unbounded extension of §3.4 above the largest
        points = set(finite)
        k = 1 - bias
        while Fraction(2) ** k <= Fraction(2) ** 130:
            for j in range(1 << M):
                g = Fraction(2) ** k * (1 + Fraction(j, 1 << M))
                if g > self.max:
                    points.add(g)
            k += 1
        grid = sorted(points)
        sub_step = Fraction(2) ** (1 - bias - M) if fmt.subnormals else min_normal

        def significand(g: Fraction) -> int:
            if g < min_normal:
                return int(g / sub_step)
            e = g.numerator.bit_length() - g.denominator.bit_length()
            if Fraction(2) ** e > g:
                e -= 1
            return int(g / Fraction(2) ** (e - M))

        self.grid = np.array([float(g) for g in grid])        # exact: dyadic, within float64
        assert all(Fraction(float(g)) == g for g in grid)
        self.odd = np.array([significand(g) & 1 for g in grid], dtype=bool)
        self.code_of = np.array([finite.get(g, -1) for g in grid], dtype=np.int64)
        self.max_f = float(self.max)
        self.max_code = finite[self.max]
        self.min_normal_bits = int(np.float32(float(min_normal)).view(np.uint32))
        self.zero_code = finite[Fraction(0)]

    def _bits(self) -> tuple[np.ndarray, np.ndarray]:
        """G and its midpoints as float32 bit patterns (both exact in float32: a grid point has at
        most M + 1 significant bits, a midpoint M + 2; points past FLT_MAX become +inf's bits),
        so that comparisons with a non-negative float32 are comparisons of integers."""
        with np.errstate(over="ignore"):
            g = self.grid.astype(np.float32)
            mid = ((self.grid[:-1] + self.grid[1:]) / 2).astype(np.float32)
        finite = np.isfinite(g)
        assert (g[finite].astype(np.float64) == self.grid[finite]).all()
        ok = np.isfinite(mid)
        assert (mid[ok].astype(np.float64) == ((self.grid[:-1] + self.grid[1:]) / 2)[ok]).all()
        return g.view(np.uint32).copy(), mid.view(np.uint32).copy()

    def encode(self, x: np.ndarray, rounding: str = "rne") -> tuple[np.ndarray, np.ndarray]:
        """(codes, flags) for float32 x, overflow saturate."""
        if rounding not in MODES:
            raise ValueError(f"rounding: one of {', '.join(MODES)}, got {rounding!r}")
        if not hasattr(self, "g_bits"):
            self.g_bits, self.mid_bits = self._bits()
        fmt = self.fmt
        bits = np.asarray(x, dtype=np.float32).view(np.uint32)
        neg = (bits >> 31).astype(bool)
        abits = bits & np.uint32(0x7FFF_FFFF)
        nan = abits > 0x7F80_0000
        inf = abits == 0x7F80_0000
        abits[nan | inf] = 0
        i = np.searchsorted(self.g_bits, abits, side="right") - 1      # G[i] <= |x| < G[i + 1]
        exact = abits == self.g_bits[i]
        mid = self.mid_bits[i]
        if rounding in ("rne", "rna"):
            up = abits > mid
            tie = abits == mid
            up |= tie & (self.odd[i] if rounding == "rne" else True)
        elif rounding == "rtz":
            up = np.zeros(abits.shape, dtype=bool)
        elif rounding == "rup":
            up = ~neg
        else:
            up = neg.copy()
        up &= ~exact
        j = np.where(up, i + 1, i)
        over = (self.grid[j] > self.max_f) | inf
        code = np.where(over, self.max_code, self.code_of[j])
        zero = (code == self.zero_code) & ~over
        signed = neg & ~(zero & (fmt.specials == "fnuz"))
        code = np.where(signed, code | fmt.sign_bit, code)
        flags = np.zeros(abits.shape, dtype=np.uint8)
        flags[~exact | over] |= INEXACT
        flags[(abits > 0) & (abits < self.min_normal_bits) & ~exact] |= UNDERFLOW
        flags[over] |= OVERFLOW
        # NaN: the format's NaN with the input's sign (fnuz: its single NaN), else zero with the sign
        if fmt.has_nan:
            nan_pos, nan_neg = fmt.nan_code(False), fmt.nan_code(True)
            code = np.where(nan, np.where(neg, nan_neg, nan_pos), code)
        else:
            code = np.where(nan, np.where(neg, self.zero_code | fmt.sign_bit, self.zero_code), code)
        flags[nan] = INVALID
        return code.astype(np.uint8 if fmt.bits <= 8 else np.uint16), flags


def nan_policy(fmt: FloatFormat) -> str:
    """The emu.encode NaN policy this reference implements for fmt."""
    return "nan" if fmt.has_nan else "zero"


def segments(ref: GridReference, rounding: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The reference over all 2^32 float32 bit patterns as constant runs: (starts, codes, flags)
    with starts[0] = 0, sorted; run k covers starts[k] .. starts[k + 1] - 1 (the last run ends at
    2^32 - 1). The rule above depends on |x| only through comparisons with G and its midpoints
    (and on the sign), so it is constant between consecutive thresholds: each threshold is a run
    of its own, each open gap between two is one run, evaluated at its first pattern."""
    if not hasattr(ref, "g_bits"):
        ref.g_bits, ref.mid_bits = ref._bits()
    inf = 0x7F80_0000
    t = np.unique(np.concatenate([ref.g_bits, ref.mid_bits, [0, inf]]).astype(np.int64))
    t = t[t <= inf]
    after = t + 1
    gaps = after[:-1][after[:-1] < t[1:]]                  # first pattern of each non-empty gap
    pos = np.unique(np.concatenate([t, gaps, [inf + 1]]))  # inf + 1 .. 0x7FFFFFFF: NaN
    starts = np.concatenate([pos, pos + 0x8000_0000])
    codes, flags = ref.encode(starts.astype(np.uint32).view(np.float32), rounding)
    return starts, codes, flags


def expand(starts: np.ndarray, values: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """values of the runs over the bit patterns lo .. hi - 1, as one array."""
    k0 = int(np.searchsorted(starts, lo, side="right")) - 1
    k1 = int(np.searchsorted(starts, hi - 1, side="right")) - 1
    edges = np.clip(np.append(starts[k0 + 1:k1 + 1], hi), lo, hi)
    lengths = np.diff(np.concatenate([[lo], edges]))
    return np.repeat(values[k0:k1 + 1], lengths)
