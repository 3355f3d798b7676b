"""E8M0, the MX shared scale (formats.md §2.2), and the four rules that pick it from a block's
amax (§2.4 Algorithm 1, §2.5 FLOOR / CEIL / EVEN / RCEIL).

Every exponent is computed with integer arithmetic on the float32 bit pattern of amax, never
with a float log2: a float32 log2f of a value a few ulps below 2^k rounds up to k, so float
implementations (microxcaling's torch.log2, ggml's log2f) can pick an exponent one too high there
(formats.md §7.5). Here floor(log2 amax) is exactly the biased exponent field minus 127 for a
normal amax, and the bit length of the fraction minus 150 for a subnormal one.
"""
from __future__ import annotations

import numpy as np

from ..registry import get_format
from ..spec import FloatFormat

BIAS = 127                 #: E8M0 value 2^(code - 127)
NAN_CODE = 0xFF            #: the only special code: NaN (no zero, no Inf)
SCALE_RULES = ("floor", "ceil", "even", "rceil")
#: the OCP MX element formats this module knows the scale rules for (formats.md §2.3)
MX_ELEMENTS = ("e2m1", "e2m3", "e3m2", "e4m3", "e5m2")

_F32_INF_BITS = 0x7F800000
_F32_FRAC = 0x7FFFFF


def mx_element(elem: str | FloatFormat) -> FloatFormat:
    """The FloatFormat of an MX element name, or ValueError."""
    fmt = get_format(elem)
    if fmt.name not in MX_ELEMENTS:
        raise ValueError(f"elem: MX elements are {', '.join(MX_ELEMENTS)}, got {fmt.name!r}")
    return fmt


def check_rule(rule: str) -> str:
    if rule not in SCALE_RULES:
        raise ValueError(f"rule: must be one of {', '.join(SCALE_RULES)}, got {rule!r}")
    return rule


def decode_e8m0(codes) -> np.ndarray:
    """float32 value of each E8M0 code: 2^(code - 127); 0xFF is NaN (all exact in float32)."""
    c = np.asarray(codes)
    if c.dtype.kind not in "ui" or (c.size and (c.min() < 0 or c.max() > 255)):
        raise ValueError(f"codes: E8M0 codes are integers 0..255, got dtype {c.dtype}"
                         + (f" range {c.min()}..{c.max()}" if c.size and c.dtype.kind in "ui" else ""))
    c = c.astype(np.uint32)
    # float32 has the same exponent bias, so code c >= 1 is the float32 pattern c << 23;
    # code 0 is 2^-127, the float32 subnormal 0x00400000; 0xFF would read as Inf, so write NaN.
    bits = np.where(c == 0, np.uint32(0x00400000), c << np.uint32(23))
    bits = np.where(c == NAN_CODE, np.uint32(0x7FC00000), bits).astype(np.uint32)
    return bits.view(np.float32)


def scale_e8m0(amax, rule: str = "floor", elem: str | FloatFormat = "e2m1") -> np.ndarray:
    """E8M0 scale code for each block maximum ``amax`` (float32, >= 0) under ``rule``.

    floor: floor(log2 amax) - emax_elem (OCP Algorithm 1; can clip the block max)
    ceil:  ceil(log2 amax) - emax_elem (never clips)
    even:  amax rounded half up to 1 + man_w significant bits, then floor (torchao EVEN)
    rceil: ceil(log2(fl32(amax / max_elem))) (cvt.rp.ue8m0 of the float32 quotient; never clips)
    The exponent is then clamped: below -127 -> -127 (code 0x00), above 127 -> NaN (0xFF).
    amax = 0 gives 0x00 (microxcaling reads it as FP32_MIN_NORMAL); NaN or Inf gives 0xFF.
    Raises ValueError for a negative amax, an unknown rule or a non-MX element.
    """
    fmt = mx_element(elem)
    check_rule(rule)
    a = np.asarray(amax)
    if a.dtype != np.float32:
        raise ValueError(f"amax: must be a float32 array, got dtype {a.dtype}")
    mag = a.view(np.uint32) & np.uint32(0x7FFFFFFF)
    if ((a.view(np.uint32) >> 31 == 1) & (mag != 0) & (mag <= _F32_INF_BITS)).any():
        raise ValueError("amax: must be >= 0 (it is a maximum of magnitudes)")
    return exp_to_code(shared_exp(mag, rule, fmt), mag)


def shared_exp(mag_bits: np.ndarray, rule: str, fmt: FloatFormat) -> np.ndarray:
    """Unclamped scale exponent (int64) from float32 magnitude patterns; finite ones only matter."""
    sig, e2 = _sig_exp(mag_bits)
    if rule == "floor":
        return _floor_log2(sig, e2) - fmt.emax
    if rule == "ceil":
        return _ceil_log2(sig, e2) - fmt.emax
    if rule == "even":
        # round half up in magnitude to 1 + man_w bits: add half of the last kept bit, then the
        # leading bit moves up one place exactly when that carries out (torchao adds
        # 1 << (22 - man_w) to the pattern and masks the mantissa: the same for normals)
        keep = fmt.man_w + 1
        width = _bit_length(sig)
        drop = np.maximum(width - keep, 0)
        half = np.where(drop > 0, np.left_shift(np.int64(1), np.maximum(drop - 1, 0)), 0)
        rounded = (sig + half) >> drop
        return _floor_log2(sig, e2) + (rounded >> keep) - fmt.emax
    # rceil: the quotient is one float32 division (RNE), as torchao's max_abs / max_pos
    with np.errstate(invalid="ignore"):
        q = (mag_bits.view(np.float32) / np.float32(fmt.max_value)).astype(np.float32)
    qsig, qe2 = _sig_exp(q.view(np.uint32))
    # rounding up a zero quotient gives the smallest E8M0 value, 2^-127
    return np.where(qsig == 0, -BIAS, _ceil_log2(qsig, qe2))


def exp_to_code(e: np.ndarray, mag_bits: np.ndarray) -> np.ndarray:
    """Clamp the exponent (< -127 -> -127, > 127 -> NaN) and bias it; NaN/Inf amax -> 0xFF."""
    code = np.clip(e, -BIAS, BIAS) + BIAS
    code = np.where((e > BIAS) | (mag_bits >= _F32_INF_BITS), NAN_CODE, code)
    return code.astype(np.uint8)


# ---- integer form of a float32 magnitude: value = sig * 2^e2 -------------------------------------
def _sig_exp(mag_bits: np.ndarray):
    b = mag_bits.astype(np.int64)
    exp = b >> 23
    frac = b & _F32_FRAC
    sig = np.where(exp > 0, frac | (1 << 23), frac)
    e2 = np.maximum(exp, 1) - 150
    return sig, e2


def _bit_length(sig: np.ndarray) -> np.ndarray:
    # sig < 2^24 converts to float64 exactly; frexp then returns its bit length as an integer
    return np.frexp(sig.astype(np.float64))[1].astype(np.int64)


def _floor_log2(sig, e2):
    # amax = 0 reads as FP32_MIN_NORMAL (2^-126), as microxcaling's _shared_exponents
    return np.where(sig == 0, -126, _bit_length(sig) - 1 + e2)


def _ceil_log2(sig, e2):
    not_pow2 = (sig & (sig - 1)) != 0
    return _floor_log2(sig, e2) + np.where(sig == 0, 0, not_pow2)
