"""The encoder's integer core: align, round, pack, overflow and specials (docs/encoding.md §3).

``round_pack`` takes unpacked inputs (emu.unpack) and returns codes and flags. Policies arrive
validated; the two 'error' policies are raised by the caller from the flags, so this core
treats them as 'saturate' (overflow) and 'zero' (NaN).
"""
from __future__ import annotations

import numpy as np

from .flags import Flag
from .round import NEAREST, increment, increment_sr
from .spec import FloatFormat
from .unpack import FINITE, INF, NAN, ZERO, Unpacked

_U64 = np.uint64
_INEXACT, _UNDERFLOW = np.uint8(Flag.INEXACT), np.uint8(Flag.UNDERFLOW)
_OVERFLOW, _INVALID = np.uint8(Flag.OVERFLOW), np.uint8(Flag.INVALID)


def shr(v: np.ndarray, s: np.ndarray) -> np.ndarray:
    """v >> s for uint64 v and int64 s >= 0, with 0 for s >= 64 (numpy would wrap the count)."""
    out = v >> np.minimum(s, 63).astype(_U64)
    return np.where(s >= 64, _U64(0), out)


def low_bits(v: np.ndarray, n: np.ndarray) -> np.ndarray:
    """v mod 2^n for 0 <= n (all of v for n >= 64)."""
    mask = (_U64(1) << np.minimum(n, 63).astype(_U64)) - _U64(1)
    return np.where(n >= 64, v, v & mask)


def split(sig: np.ndarray, sh: np.ndarray, sr_bits: int | None):
    """Cut ``sig`` at bit ``sh``: kept part, round bit, sticky bit, and the first sr_bits
    discarded bits (for stochastic rounding). ``sh <= 0`` means nothing is discarded."""
    cut = np.maximum(sh, 0)
    left = np.minimum(np.maximum(-sh, 0), 63).astype(_U64)
    kept = np.where(sh <= 0, sig << left, shr(sig, cut))
    has_round = sh >= 1
    round_bit = has_round & ((shr(sig, cut - 1) & _U64(1)) == 1)
    sticky = has_round & (low_bits(sig, np.maximum(cut - 1, 0)) != 0)
    first = None
    if sr_bits is not None:
        r = sr_bits
        deep = shr(sig, np.maximum(cut - r, 0)) & _U64((1 << r) - 1)          # cut >= r
        shallow = low_bits(sig, cut) << np.maximum(r - cut, 0).astype(_U64)  # 0 < cut < r
        first = np.where(cut >= r, deep, np.where(cut > 0, shallow, _U64(0)))
    return kept, round_bit, sticky, first


def round_pack(u: Unpacked, fmt: FloatFormat, rounding: str, overflow: str, nan: str,
               rand: np.ndarray | None = None, sr_bits: int = 8):
    """Encode unpacked values; returns (codes uint8, flags uint8) of the input's shape."""
    m, sign_bit = fmt.man_w, fmt.sign_bit
    negative = u.sign == 1
    sign_code = np.where(negative & fmt.has_neg_zero, sign_bit, 0).astype(np.int64)

    # Align: the target binade never goes below the smallest normal's; without subnormals the
    # gap (0, 2^emin) is a single step of 2^emin (docs/encoding.md §3.4, "The grid").
    below = u.lead < fmt.emin
    flush = below & (not fmt.subnormals)
    e_t = np.maximum(u.lead, fmt.emin)
    ulp = np.where(flush, fmt.emin, e_t - m)
    kept, round_bit, sticky, first = split(u.sig, ulp - u.exp2, sr_bits if rounding == "sr" else None)

    # Pack the truncated result: ((e_t + bias - 1) << m) + significand works for subnormals,
    # normals and (after the increment) the carry into the next binade alike (SoftFloat's
    # roundPack); past max it keeps counting upward. Without subnormals the gap below 2^emin
    # is one step from the zero code to the smallest normal's code.
    kept_i = kept.astype(np.int64)
    lo_code = np.where(flush, kept_i << m, ((e_t + fmt.bias - 1) << m) + kept_i)

    # Round
    if rounding == "sr":
        inc = increment_sr(first, rand, sr_bits)
    else:
        inc = increment(rounding, u.sign, (kept & _U64(1)) == 1, round_bit, sticky)
    inc = inc.astype(np.int64)
    code_mag = np.where(flush, (kept_i + inc) << m, lo_code + inc)
    inexact = round_bit | sticky
    finite = u.kind == FINITE
    over = finite & (code_mag > fmt.max_code)

    flags = np.zeros(u.sign.shape, np.uint8)
    flags[finite & inexact] |= _INEXACT
    flags[finite & below & inexact] |= _UNDERFLOW
    flags[over] |= _OVERFLOW | _INEXACT

    # Zero results keep the input's sign (none in fnuz).
    code = np.where(code_mag == 0, sign_code, (negative.astype(np.int64) * sign_bit) | code_mag)
    code = np.where(over, _overflow_code(fmt, overflow, rounding, negative), code)

    code = np.where(u.kind == ZERO, sign_code, code)
    is_inf = u.kind == INF
    if is_inf.any():
        inf_code, inf_flags = _inf_result(fmt, overflow, negative)
        code = np.where(is_inf, inf_code, code)
        flags[is_inf] |= np.broadcast_to(inf_flags, flags.shape)[is_inf]
    is_nan = u.kind == NAN
    if is_nan.any():
        code = np.where(is_nan, _nan_code(fmt, nan, negative), code)
        flags[is_nan] = _INVALID
    return code.astype(np.uint8), flags


def _max_code(fmt: FloatFormat, negative: np.ndarray) -> np.ndarray:
    return np.where(negative, fmt.sign_bit | fmt.max_code, fmt.max_code)


def _special_code(fmt: FloatFormat, negative: np.ndarray) -> np.ndarray:
    """±Inf where the format has it, else its canonical NaN (the 'inf' overflow target)."""
    if fmt.has_inf:
        return np.where(negative, fmt.sign_bit | fmt.inf_code, fmt.inf_code)
    return np.where(negative, fmt.nan_code(True), fmt.nan_code(False))


def _overflow_code(fmt, overflow, rounding, negative):
    if overflow != "inf":
        return _max_code(fmt, negative)
    # IEEE 754 §7.4: only a mode that rounds away from zero for this sign reaches Inf.
    if rounding in NEAREST + ("sr",):
        away = np.ones_like(negative)
    elif rounding == "rup":
        away = ~negative
    elif rounding == "rdn":
        away = negative
    else:
        away = np.zeros_like(negative)
    return np.where(away, _special_code(fmt, negative), _max_code(fmt, negative))


def _inf_result(fmt, overflow, negative):
    if overflow == "inf":
        return _special_code(fmt, negative), np.uint8(0) if fmt.has_inf else _INVALID
    return _max_code(fmt, negative), _OVERFLOW | _INEXACT


def _nan_code(fmt, nan, negative):
    if nan in ("nan", "ml_dtypes") and fmt.has_nan:
        return np.where(negative, fmt.nan_code(True), fmt.nan_code(False))
    if nan == "ml_dtypes":  # no NaN: quiet_NaN is the -0 pattern, negated for -NaN
        return np.where(negative, 0, fmt.sign_bit)
    if nan == "max":
        return _max_code(fmt, negative)
    # 'zero' (and 'error', raised by the caller)
    return np.where(negative & fmt.has_neg_zero, fmt.sign_bit, 0)
