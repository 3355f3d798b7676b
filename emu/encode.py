"""encode(): float64/32/16/bfloat16 arrays -> format codes, integer-exact (docs/encoding.md §3).

Two paths give the same codes:
- the direct path unpacks every element and runs the integer core (emu.round_pack);
- the table path, for deterministic rounding, runs that same core once over every distinct
  case and then gathers. For float16 and bfloat16 the cases are all 65,536 patterns. For float32
  they are the top 16 bits plus one sticky bit for the low 16: while bias + man_w <= 133 and
  man_w <= 6, every kept bit and the round bit of a float32 lie in its top 16 bits (the shift
  is at least 23 - man_w >= 17), so the low half only matters through its OR. tests/emu
  checks the two paths against each other.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from .errors import raise_if_any
from .flags import Flag
from .registry import get_format
from .round import ROUNDINGS
from .round_pack import round_pack
from .spec import FloatFormat
from .unpack import NAN, SOURCES, bits_of, unpack

OVERFLOW_POLICIES = ("saturate", "inf", "error")
NAN_POLICIES = ("auto", "nan", "zero", "max", "error", "ml_dtypes")
SIGNED_ZERO = ("kept", "positive")
_CHUNK = 1 << 16   # elements per step: keeps the temporaries in cache


def encode(x, fmt: str | FloatFormat, rounding: str = "rne", overflow: str = "saturate",
           nan: str = "auto", rand=None, sr_bits: int = 8, flags: bool = False,
           signed_zero: str = "kept"):
    """Encode each element of ``x`` to a code of ``fmt``.

    Args:
      x: array of float64, float32, float16 or ml_dtypes.bfloat16 (its dtype selects how the bit
        patterns are read; Python floats and lists are float64; torch tensors are accepted).
      fmt: a preset name or alias, or a FloatFormat.
      rounding: rne | rna | rtz | rup | rdn | sr, or nearest with another tie rule: rnz (toward
        zero), rnm (toward -inf), rnp (toward +inf) (emu.round.TIE_VARIANTS).
      overflow: saturate (±max) | inf (IEEE: ±Inf, or NaN where there is no Inf) | error.
      nan: auto (NaN if the format has one, else error) | nan | zero | max | error | ml_dtypes.
      rand: for rounding="sr": integers in [0, 2^sr_bits), broadcast to x's shape.
      sr_bits: random bits per element for "sr" (1..32).
      flags: also return per-element flags (emu.flags.Flag bits).
      signed_zero: kept (a zero result carries the input's sign, docs/encoding.md §3.3-§3.4) |
        positive (every zero result is the +0 code, as ggml's MXFP4 and llm-datatypes give;
        docs/conventions.md). NaN policies that give the -0 code (ml_dtypes) are not changed.

    Returns:
      uint8 codes of x's shape, or (codes, flags) with flags=True.

    Raises:
      ValueError: a bad option, or an element hitting an 'error' policy (the message names the
        count and the first index). TypeError: an unsupported dtype.
    """
    fmt = get_format(fmt)
    x = _as_array(x)
    bits, src = bits_of(x)
    asked_nan = nan
    nan = _check_options(fmt, rounding, overflow, nan, sr_bits)
    if signed_zero not in SIGNED_ZERO:
        raise ValueError(f"signed_zero: must be one of {', '.join(SIGNED_ZERO)}, got {signed_zero!r}")
    if rounding == "sr":
        rand = _check_rand(rand, x.shape, sr_bits)
    elif _table_ok(fmt, src.name):
        codes, flg, hit = _gather(bits, src.name, fmt, rounding, overflow, nan, flags)
        if not hit:
            codes = _unsigned_zero(codes, bits, src, fmt) if signed_zero == "positive" else codes
            return (codes, flg) if flags else codes
    codes, flg = _direct(bits, src, fmt, rounding, overflow, nan, rand, sr_bits)
    if nan == "error":
        why = ("NaN input and nan='error'" if asked_nan == "error" else
               f"NaN input, and {fmt.name} has no NaN code (choose nan='zero', 'max' or 'ml_dtypes')")
        raise_if_any(unpack(bits, src).kind == NAN, x, why, show=lambda v: repr(float(v)))
    if overflow == "error":
        raise_if_any((flg & Flag.OVERFLOW) != 0, x,
                     f"magnitude beyond {fmt.name}'s max {float(fmt.max_value):g} and overflow='error'",
                     show=lambda v: repr(float(v)))
    codes = _unsigned_zero(codes, bits, src, fmt) if signed_zero == "positive" else codes
    return (codes, flg) if flags else codes


def _unsigned_zero(codes: np.ndarray, bits: np.ndarray, src, fmt: FloatFormat) -> np.ndarray:
    """signed_zero='positive': the -0 code of a non-NaN input becomes +0."""
    if not fmt.has_neg_zero:
        return codes
    minus0 = (codes == fmt.sign_bit) & (unpack(bits, src).kind != NAN)
    return np.where(minus0, np.uint8(0), codes).astype(codes.dtype)


def _as_array(x) -> np.ndarray:
    if type(x).__module__.split(".")[0] == "torch":
        import ml_dtypes
        import torch
        t = x.detach().cpu()
        if t.dtype == torch.bfloat16:
            return t.view(torch.int16).numpy().view(ml_dtypes.bfloat16)
        return t.numpy()
    return np.asarray(x)


def _check_options(fmt: FloatFormat, rounding: str, overflow: str, nan: str, sr_bits: int) -> str:
    if rounding not in ROUNDINGS:
        raise ValueError(f"rounding: must be one of {', '.join(ROUNDINGS)}, got {rounding!r}")
    if overflow not in OVERFLOW_POLICIES:
        raise ValueError(f"overflow: must be one of {', '.join(OVERFLOW_POLICIES)}, got {overflow!r}")
    if overflow == "inf" and not (fmt.has_inf or fmt.has_nan):
        raise ValueError(f"overflow='inf': {fmt.name} has neither Inf nor NaN; "
                         f"use 'saturate' or 'error'")
    if nan not in NAN_POLICIES:
        raise ValueError(f"nan: must be one of {', '.join(NAN_POLICIES)}, got {nan!r}")
    if nan == "nan" and not fmt.has_nan:
        raise ValueError(f"nan='nan': {fmt.name} has no NaN code; use 'zero', 'max', "
                         f"'ml_dtypes' or 'error'")
    if nan == "auto":
        nan = "nan" if fmt.has_nan else "error"
    if rounding == "sr" and (isinstance(sr_bits, bool) or not isinstance(sr_bits, int)
                             or not 1 <= sr_bits <= 32):
        raise ValueError(f"sr_bits: must be an integer in [1, 32], got {sr_bits!r}")
    return nan


def _check_rand(rand, shape, sr_bits: int) -> np.ndarray:
    if rand is None:
        raise ValueError("rand: rounding='sr' needs rand, integers in [0, 2^sr_bits) per element")
    r = np.asarray(rand)
    if r.dtype.kind not in "ui":
        raise ValueError(f"rand: must be an integer array, got dtype {r.dtype}")
    if r.size and (r.min() < 0 or int(r.max()) >= 1 << sr_bits):
        raise ValueError(f"rand: values must be in [0, 2^{sr_bits}), got {r.min()}..{r.max()}")
    try:
        return np.broadcast_to(r, shape).astype(np.uint64)
    except ValueError:
        raise ValueError(f"rand: shape {r.shape} does not broadcast to x's shape {shape}") from None


def _direct(bits, src, fmt, rounding, overflow, nan, rand, sr_bits):
    """Run the core on every element; the 'error' policies are resolved by the caller."""
    overflow = "saturate" if overflow == "error" else overflow
    nan = "zero" if nan == "error" else nan
    flat = bits.reshape(-1)
    codes = np.empty(flat.shape, np.uint8)
    flg = np.empty(flat.shape, np.uint8)
    r = None if rand is None else rand.reshape(-1)
    for i in range(0, flat.size, _CHUNK):
        u = unpack(flat[i:i + _CHUNK], src)
        ri = None if r is None else r[i:i + _CHUNK]
        codes[i:i + _CHUNK], flg[i:i + _CHUNK] = round_pack(u, fmt, rounding, overflow, nan,
                                                            ri, sr_bits)
    return codes.reshape(bits.shape), flg.reshape(bits.shape)


def _table_ok(fmt: FloatFormat, src: str) -> bool:
    if src in ("float16", "bfloat16"):
        return True
    return src == "float32" and fmt.man_w <= 6 and fmt.bias + fmt.man_w <= 133


def _case_bits(src: str) -> np.ndarray:
    """One representative bit pattern per table entry."""
    if src == "float32":
        k = np.arange(1 << 17, dtype=np.uint32)
        return ((k >> 1) << 16) | (k & 1)   # top half, and one low bit standing for the sticky OR
    return np.arange(1 << 16, dtype=np.uint32).astype(np.uint16)


@lru_cache(maxsize=512)
def table(fmt: FloatFormat, src: str, rounding: str, overflow: str, nan: str):
    """(codes, flags, errors) for every case of ``src`` (see the module docstring).

    ``errors`` marks the cases an 'error' policy refuses. For formats under 8 bits those cases
    also carry the code 0xFF, outside the format, so one max() over the result finds them.
    """
    bits = _case_bits(src)
    codes, flg = _direct(bits, SOURCES[src], fmt, rounding, overflow, nan, None, 8)
    errors = np.zeros(codes.shape, bool)
    if nan == "error":
        errors |= unpack(bits, SOURCES[src]).kind == NAN
    if overflow == "error":
        errors |= (flg & Flag.OVERFLOW) != 0
    if fmt.bits < 8:
        codes[errors] = 0xFF
    for a in (codes, flg, errors):
        a.flags.writeable = False
    return codes, flg, errors


def _gather(bits, src, fmt, rounding, overflow, nan, want_flags):
    """Table lookup for every element: (codes, flags or None, whether an error case was hit)."""
    codes_t, flags_t, errors_t = table(fmt, src, rounding, overflow, nan)
    can_fail = bool(errors_t.any())
    use_err_table = can_fail and fmt.bits == 8
    flat = bits.reshape(-1)
    codes = np.empty(flat.shape, np.uint8)
    flg = np.empty(flat.shape, np.uint8) if want_flags else None
    hit = False
    if src == "float32":
        idx = np.empty(min(_CHUNK, flat.size), np.uint32)
        low = np.empty_like(idx)
        for i in range(0, flat.size, _CHUNK):
            b = flat[i:i + _CHUNK]
            n = b.size
            # idx = (top16 << 1) | (low16 != 0); (low16 + 0xFFFF) >> 16 is that OR, branch-free
            np.right_shift(b, 15, out=idx[:n])
            np.bitwise_and(idx[:n], 0x1FFFE, out=idx[:n])
            np.bitwise_and(b, 0xFFFF, out=low[:n])
            np.add(low[:n], 0xFFFF, out=low[:n])
            np.right_shift(low[:n], 16, out=low[:n])
            np.bitwise_or(idx[:n], low[:n], out=idx[:n])
            np.take(codes_t, idx[:n], out=codes[i:i + n])
            if want_flags:
                np.take(flags_t, idx[:n], out=flg[i:i + n])
            if use_err_table and not hit:
                hit = bool(errors_t[idx[:n]].any())
    else:
        idx = flat
        np.take(codes_t, flat, out=codes)
        if want_flags:
            np.take(flags_t, flat, out=flg)
        if use_err_table:
            hit = bool(errors_t[flat].any())
    if can_fail and not use_err_table and codes.size:
        hit = int(codes.max()) == 0xFF
    codes = codes.reshape(bits.shape)
    return codes, (flg.reshape(bits.shape) if want_flags else None), hit
