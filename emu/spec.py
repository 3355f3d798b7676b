"""FloatFormat: one frozen record per ExMy format, its validation and every derived number.

A format is data (style.md, "A format is data"): exponent and mantissa widths, an integer bias,
subnormals on or off, and a special-value policy. Everything else (max, min normal, NaN and Inf
codes, the integer mapping and its width) is a property and is never typed a second time.

Value of a code with sign s, exponent field E and fraction field F (``docs/encoding.md`` §1):

    E >= 1:                 (-1)^s * 2^(E - bias) * (1 + F / 2^man_w)
    E == 0, subnormals on:  (-1)^s * 2^(1 - bias) * (F / 2^man_w)
    E == 0, subnormals off: (-1)^s * 0   (F != 0 is a non-canonical code, read as zero)

Special-value policies (``specials``):

    fn      finite only, every code is a number (OCP FP4/FP6)
    fn_nan  finite, except S.1..1.1..1 which is NaN (OCP E4M3, "E4M3FN")
    ieee    exponent field all ones: F == 0 is Inf, F != 0 is NaN (E5M2)
    fnuz    finite, no negative zero: the code 1.0..0.0..0 is the only NaN
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property

SPECIALS = ("fn", "fn_nan", "ieee", "fnuz")


def _check_int(owner: str, field: str, value, lo: int, hi: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{owner}.{field}: must be an integer, got {value!r}")
    if not lo <= value <= hi:
        raise ValueError(f"{owner}.{field}: must be in [{lo}, {hi}], got {value}")


@dataclass(frozen=True)
class FloatFormat:
    """A sign-magnitude ExMy floating-point format of 2 to 8 bits."""

    #: lowercase name; presets use ``e<E>m<M>[_suffix]``
    name: str
    #: exponent field width in bits (>= 1)
    exp_w: int
    #: mantissa (fraction) field width in bits (>= 0); 1 + exp_w + man_w is 2..8
    man_w: int
    #: exponent bias: exponent field E >= 1 means 2^(E - bias)
    bias: int
    #: True: exponent field 0 holds subnormals F * 2^(1 - bias - man_w); False: it is zero only
    subnormals: bool = True
    #: special-value policy: one of SPECIALS
    specials: str = "fn"

    def __post_init__(self) -> None:
        owner = f"FloatFormat({self.name!r})" if isinstance(self.name, str) else "FloatFormat"
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"{owner}.name: must be a non-empty string, got {self.name!r}")
        _check_int(owner, "exp_w", self.exp_w, 1, 7)
        _check_int(owner, "man_w", self.man_w, 0, 6)
        if not 2 <= 1 + self.exp_w + self.man_w <= 8:
            raise ValueError(f"{owner}.man_w: 1 + exp_w + man_w must be 2..8 bits, "
                             f"got {1 + self.exp_w + self.man_w}")
        # Keep every value and every rounding boundary a normal float64 (exact decode).
        _check_int(owner, "bias", self.bias, -800, 800)
        if not isinstance(self.subnormals, bool):
            raise ValueError(f"{owner}.subnormals: must be True or False, got {self.subnormals!r}")
        if self.specials not in SPECIALS:
            raise ValueError(f"{owner}.specials: must be one of {', '.join(SPECIALS)}, "
                             f"got {self.specials!r}")
        if self.specials == "ieee" and (self.man_w < 1 or self.exp_w < 2):
            raise ValueError(f"{owner}.specials: 'ieee' needs man_w >= 1 (a NaN code) and "
                             f"exp_w >= 2 (a finite binade), got e{self.exp_w}m{self.man_w}")
        lowest_finite = 1 if self.subnormals and self.man_w > 0 else 1 << self.man_w
        if self.max_code < lowest_finite:
            raise ValueError(f"{owner}.specials: '{self.specials}' leaves no non-zero finite value "
                             f"in e{self.exp_w}m{self.man_w}")

    # ---- code layout -------------------------------------------------------------------------
    @cached_property
    def bits(self) -> int:
        """Total code width: sign + exponent + mantissa."""
        return 1 + self.exp_w + self.man_w

    @cached_property
    def n_codes(self) -> int:
        return 1 << self.bits

    @cached_property
    def sign_bit(self) -> int:
        """Mask of the sign bit (the MSB of the code)."""
        return 1 << (self.bits - 1)

    @cached_property
    def mag_mask(self) -> int:
        """Mask of exponent and mantissa fields (the magnitude part of a code)."""
        return self.sign_bit - 1

    @cached_property
    def frac_mask(self) -> int:
        return (1 << self.man_w) - 1

    @cached_property
    def exp_field_max(self) -> int:
        """The all-ones exponent field."""
        return (1 << self.exp_w) - 1

    # ---- specials ----------------------------------------------------------------------------
    @cached_property
    def has_nan(self) -> bool:
        return self.specials != "fn"

    @cached_property
    def has_inf(self) -> bool:
        return self.specials == "ieee"

    @cached_property
    def has_neg_zero(self) -> bool:
        return self.specials != "fnuz"

    @cached_property
    def max_code(self) -> int:
        """Magnitude code (sign bit clear) of the largest finite value."""
        if self.specials == "fn_nan":
            return self.mag_mask - 1
        if self.specials == "ieee":
            return (self.exp_field_max << self.man_w) - 1
        return self.mag_mask

    @cached_property
    def inf_code(self) -> int | None:
        """Code of +Inf (None without Inf); -Inf is inf_code | sign_bit."""
        return self.exp_field_max << self.man_w if self.has_inf else None

    def nan_code(self, negative: bool = False) -> int | None:
        """The canonical NaN code, keeping the sign where the format can (None without NaN)."""
        sign = self.sign_bit if negative else 0
        if self.specials == "ieee":  # quiet NaN: fraction MSB set, as ml_dtypes and IEEE 754
            return sign | (self.exp_field_max << self.man_w) | (1 << (self.man_w - 1))
        if self.specials == "fn_nan":
            return sign | self.mag_mask
        if self.specials == "fnuz":  # the only NaN is the would-be negative zero
            return self.sign_bit
        return None

    def is_nan_code(self, code: int) -> bool:
        mag = code & self.mag_mask
        if self.specials == "ieee":
            return (mag >> self.man_w) == self.exp_field_max and (mag & self.frac_mask) != 0
        if self.specials == "fn_nan":
            return mag == self.mag_mask
        if self.specials == "fnuz":
            return code == self.sign_bit
        return False

    def is_inf_code(self, code: int) -> bool:
        return self.has_inf and (code & self.mag_mask) == self.inf_code

    def is_canonical(self, code: int) -> bool:
        """False only for exponent-field-0, non-zero-fraction codes of a format without subnormals."""
        mag = code & self.mag_mask
        return self.subnormals or (mag >> self.man_w) != 0 or (mag & self.frac_mask) == 0

    def fields(self, code: int) -> str:
        """The code as 'S|EE|M' bit fields, e.g. e2m1 0x7 -> '0|11|1'."""
        bits = format(code, f"0{self.bits}b")
        parts = [bits[0], bits[1:1 + self.exp_w], bits[1 + self.exp_w:]]
        return "|".join(p for p in parts if p)

    # ---- values ------------------------------------------------------------------------------
    @cached_property
    def emin(self) -> int:
        """Unbiased exponent of the smallest normal (exponent field 1)."""
        return 1 - self.bias

    @cached_property
    def emax(self) -> int:
        """Unbiased exponent of the largest finite value."""
        return max(self.max_code >> self.man_w, 1) - self.bias

    @cached_property
    def max_value(self) -> Fraction:
        return self.code_value(self.max_code)

    @cached_property
    def min_normal(self) -> Fraction:
        return Fraction(2) ** self.emin

    @cached_property
    def min_subnormal(self) -> Fraction:
        """Smallest non-zero magnitude (the min normal when there are no subnormals)."""
        if self.subnormals and self.man_w > 0:
            return Fraction(2) ** (self.emin - self.man_w)
        return self.min_normal

    def code_value(self, code: int) -> Fraction:
        """Exact value of a finite code (ValueError for NaN and Inf codes)."""
        if not 0 <= code < self.n_codes:
            raise ValueError(f"{self.name}: code {code:#x} is outside 0..{self.n_codes - 1:#x}")
        if self.is_nan_code(code) or self.is_inf_code(code):
            raise ValueError(f"{self.name}: code {code:#x} is not a finite value")
        sign = -1 if code & self.sign_bit else 1
        exp_field = (code & self.mag_mask) >> self.man_w
        frac = code & self.frac_mask
        if exp_field == 0:
            if not self.subnormals:
                return Fraction(0)
            return sign * Fraction(frac) * Fraction(2) ** (self.emin - self.man_w)
        return sign * Fraction((1 << self.man_w) | frac) * Fraction(2) ** (exp_field - self.bias - self.man_w)

    # ---- integer mapping (llm-fp4.md §1.3) ---------------------------------------------------
    @cached_property
    def int_unit_exp(self) -> int:
        """A finite code's value is I(code) * 2^int_unit_exp, with I the integer mapping."""
        return 1 - self.man_w - self.bias

    @cached_property
    def int_max(self) -> int:
        """Largest |I(code)| over finite codes: (2^m + F_max) * 2^(E_max - 1)."""
        exp_field = self.max_code >> self.man_w
        frac = self.max_code & self.frac_mask
        if exp_field == 0:
            return frac
        return ((1 << self.man_w) | frac) << (exp_field - 1)

    @cached_property
    def int_w(self) -> int:
        """Signed two's complement width that holds every I(code)."""
        return self.int_max.bit_length() + 1

    def __str__(self) -> str:
        sub = "" if self.subnormals else ", no subnormals"
        return f"{self.name} (e{self.exp_w}m{self.man_w}, bias {self.bias}, {self.specials}{sub})"
