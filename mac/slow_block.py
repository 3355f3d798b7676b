"""Exact-rational references for the block dot units, the MAC stream and fp_mul.

Written from docs/block.md §7-§9, §11, §12, docs/encoding.md §2-§3 and docs/mac.md §1-§2 alone,
independent of ``mac/block_dot.py``, ``mac/stream.py`` and ``mac/fp_mul.py``: Python ints and
``fractions.Fraction``, one vector at a time, formats read from the ``fp4ref.emu.spec`` fields only
(the exact helpers live in ``emu/block/slow.py``).

    slow_mx_dot(a, b, xa, xb, acc=None, semantics="exact", rounding="rne", ftz=False)
        -> (res_bits, flags, blocks)          a, b: 32*K E2M1 codes; xa, xb: K E8M0 bytes
    slow_nvfp4_dot(a, b, sa, sb, ta=None, tb=None, acc=None, semantics="exact",
                   rounding="rne", ftz=False) -> (res_bits, flags, blocks)
                                              a, b: 16*K E2M1 codes; sa, sb: K UE4M3 bytes;
                                              ta, tb: FP32 bit patterns (None: 1.0)
    slow_mac_stream(clr, en, x, w, fx, fw, acc_w, policy) -> (acc list (signed), ovf list)
    slow_fp_mul(a, b, fa, fb, fo, rounding="rne", overflow="saturate", rand=0, sr_bits=8)
        -> (code, flags)

``acc`` is an FP32 bit pattern (None: +0); results and ``blocks`` (b_k, one per block) are FP32
bit patterns; flags are bit 0 inexact, 1 underflow, 2 overflow, 3 invalid.
"""
from __future__ import annotations

from fractions import Fraction

from fp4ref.emu.block.slow import (E2M1, F32_NAN, INVALID, decode_code, encode_exact, ieee_value,
                            int_of, pow2, round_f32)
from fp4ref.emu.registry import get_format      # the preset table only
from fp4ref.emu.spec import FloatFormat

SEMANTICS = ("exact", "per_block")
POLICIES = ("wrap", "saturate")

_E2M1_INT = [int_of(c, E2M1) for c in range(16)]


def _format(fmt) -> FloatFormat:
    return fmt if isinstance(fmt, FloatFormat) else get_format(fmt)


def _check_common(semantics: str, rounding: str) -> None:
    if semantics not in SEMANTICS:
        raise ValueError(f"semantics: must be exact or per_block, got {semantics!r}")
    if rounding not in ("rne", "rtz"):
        raise ValueError(f"rounding: must be rne or rtz, got {rounding!r}")


def _f32(bits):
    """(kind, sign, |v|) of an FP32 bit pattern; None reads as +0."""
    return ("fin", 0, Fraction(0)) if bits is None else ieee_value(int(bits), "float32")


def _block_sums(a, b, n: int, k: int) -> list[int]:
    if len(a) != n * k or len(b) != n * k:
        raise ValueError(f"a, b: expected {n * k} E2M1 codes each, got {len(a)} and {len(b)}")
    return [sum(_E2M1_INT[int(a[n * i + j])] * _E2M1_INT[int(b[n * i + j])] for j in range(n))
            for i in range(k)]


def _add_f32(x: int, y: int, rounding: str, ftz: bool):
    """(bits, flags) of the IEEE binary32 addition x + y, rounded once (§7 with ftz)."""
    kx, sx, mx = ieee_value(x, "float32")
    ky, sy, my = ieee_value(y, "float32")
    if kx == "nan" or ky == "nan":
        return F32_NAN, 0
    if kx == "inf" and ky == "inf":
        return (x, 0) if sx == sy else (F32_NAN, INVALID)
    if kx == "inf":
        return x, 0
    if ky == "inf":
        return y, 0
    if mx == 0 and my == 0:
        return (x if sx == sy else 0), 0          # -0 + -0 = -0; +0 + -0 = +0 (rne, rtz)
    v = (-mx if sx else mx) + (-my if sy else my)
    return round_f32(v, rounding, ftz)             # an exact zero sum gives +0


def _dot(values, acc, semantics: str, rounding: str, ftz: bool):
    """values: per block an exact Fraction or None (NaN block). Returns (res, flags, blocks)."""
    blocks, bflags = [], 0
    for v in values:
        if v is None:
            blocks.append(F32_NAN)
        else:
            bits, f = round_f32(v, rounding, ftz)
            blocks.append(bits)
            bflags |= f
    akind, asign, amag = _f32(acc)
    if semantics == "exact":
        if None in values or akind == "nan":
            return F32_NAN, 0, blocks
        if akind == "inf":
            return int(acc), 0, blocks
        total = (-amag if asign else amag) + sum(values)
        res, flags = round_f32(total, rounding, ftz)
        return res, flags, blocks
    r = 0 if acc is None else int(acc)
    flags = bflags
    for bk in blocks:
        r, f = _add_f32(r, bk, rounding, ftz)
        flags |= f
    return r, flags, blocks


def slow_mx_dot(a, b, xa, xb, acc=None, semantics: str = "exact", rounding: str = "rne",
                ftz: bool = False):
    """One MXFP4 dot product (docs/block.md §8).

    B_k = S_k * 2^(xa[k] + xb[k] - 254 - 2), S_k the exact sum of E2M1 integer products;
    "exact": round(acc + sum B_k) once; "per_block": b_k = round(B_k), then FP32 additions
    r = round(r + b_k) from r = acc in block order, flags ORed over every rounding.
    A 0xFF scale makes its block and the result NaN (no flag).
    """
    _check_common(semantics, rounding)
    k = len(xa)
    if len(xb) != k or not 1 <= k:
        raise ValueError(f"xa, xb: expected the same number (>= 1) of scales, got {len(xa)}, {len(xb)}")
    sums = _block_sums(a, b, 32, k)
    values = []
    for s, ea, eb in zip(sums, xa, xb):
        ea, eb = int(ea), int(eb)
        if not (0 <= ea <= 255 and 0 <= eb <= 255):
            raise ValueError(f"E8M0 scales must be bytes, got {ea}, {eb}")
        values.append(None if ea == 0xFF or eb == 0xFF else s * pow2(ea + eb - 254 - 2))
    return _dot(values, acc, semantics, rounding, ftz)


def ue4m3_value(s: int):
    """Exact value of a UE4M3 scale byte, None for NaN (0x7F and every byte >= 0x80, §9)."""
    if not 0 <= s <= 255:
        raise ValueError(f"UE4M3 scale must be a byte, got {s}")
    if s >= 0x7F:
        return None
    e, m = s >> 3, s & 7
    return m * pow2(-9) if e == 0 else (8 + m) * pow2(e - 10)


def slow_nvfp4_dot(a, b, sa, sb, ta=None, tb=None, acc=None, semantics: str = "exact",
                   rounding: str = "rne", ftz: bool = False):
    """One NVFP4 dot product (docs/block.md §9).

    B_k = S_k * ue4m3(sa[k]) * ue4m3(sb[k]) * ta * tb / 4 (ta, tb None = 1.0; the accumulator is
    not scaled). A NaN or infinite ta or tb: result and every block NaN, flag invalid. A NaN
    scale byte (0x7F, >= 0x80) makes its block and the result NaN (no flag). Semantics, rounding,
    ftz, acc and flags as slow_mx_dot.
    """
    _check_common(semantics, rounding)
    k = len(sa)
    if len(sb) != k or not 1 <= k:
        raise ValueError(f"sa, sb: expected the same number (>= 1) of scales, got {len(sa)}, {len(sb)}")
    sums = _block_sums(a, b, 16, k)
    tk = [_f32(t) for t in (ta, tb)]
    tscale = Fraction(1)
    for t, (kind, sign, mag) in zip((ta, tb), tk):
        if t is None:
            continue
        if kind != "fin":
            return F32_NAN, INVALID, [F32_NAN] * k
        tscale *= -mag if sign else mag
    values = []
    for s, ca, cb in zip(sums, sa, sb):
        va, vb = ue4m3_value(int(ca)), ue4m3_value(int(cb))
        values.append(None if va is None or vb is None else s * va * vb * tscale / 4)
    return _dot(values, acc, semantics, rounding, ftz)


def slow_mac_stream(clr, en, x, w, fx, fw, acc_w: int, policy: str):
    """Registered (acc, ovf) after each rising edge of a MAC stream (docs/block.md §11).

    Per cycle P = sum over lanes of Ix * Iw (exact); clr=1,en=0: 0, 0; clr=1,en=1: op(P), P out
    of range; clr=0,en=1: op(acc + P), ovf or out of range; clr=0,en=0: held. op is wrap (mod
    2^W) or saturate; the state before the first cycle is acc 0, ovf 0 (the reset state).
    """
    fx, fw = _format(fx), _format(fw)
    if policy not in POLICIES:
        raise ValueError(f"policy: must be wrap or saturate, got {policy!r}")
    if isinstance(acc_w, bool) or not isinstance(acc_w, int) or acc_w < 2:
        raise ValueError(f"acc_w: must be an integer >= 2, got {acc_w!r}")
    n = len(clr)
    if not (len(en) == len(x) == len(w) == n):
        raise ValueError("clr, en, x, w: must have one entry per cycle")
    lo, hi = -(1 << (acc_w - 1)), (1 << (acc_w - 1)) - 1
    acc, ovf = 0, 0
    accs, ovfs = [], []
    for c, e, xs, ws in zip(clr, en, x, w):
        if len(xs) != len(ws):
            raise ValueError("x, w: every cycle needs the same number of lanes")
        if e:
            p = sum(int_of(int(cx), fx) * int_of(int(cw), fw) for cx, cw in zip(xs, ws))
            t = (0 if c else acc) + p
            out = not lo <= t <= hi
            ovf = int(out) if c else int(ovf or out)
            acc = ((t - lo) % (1 << acc_w)) + lo if policy == "wrap" else min(max(t, lo), hi)
        elif c:
            acc, ovf = 0, 0
        accs.append(acc)
        ovfs.append(ovf)
    return accs, ovfs


def slow_fp_mul(a: int, b: int, fa, fb, fo, rounding: str = "rne", overflow: str = "saturate",
                rand: int = 0, sr_bits: int = 8):
    """(code, flags) of the product of code a (format fa) and code b (format fb) in format fo
    (docs/block.md §12): exact product, encoded per docs/encoding.md §3 with NaN policy "nan"
    (fo has NaN) or "zero" (it has none). A NaN operand or Inf x 0 is NaN (flag invalid);
    Inf x non-zero is +-Inf; every sign, NaN's included, is the XOR of the operands' sign bits.
    """
    fa, fb, fo = _format(fa), _format(fb), _format(fo)
    ka, sa, ma = decode_code(int(a), fa)
    kb, sb, mb = decode_code(int(b), fb)
    sign = sa ^ sb
    if ka == "nan" or kb == "nan" or (ka == "inf" and kb == "fin" and mb == 0) \
            or (kb == "inf" and ka == "fin" and ma == 0):
        kind, mag = "nan", Fraction(0)
    elif ka == "inf" or kb == "inf":
        kind, mag = "inf", Fraction(0)
    else:
        kind, mag = "fin", ma * mb
    nan = "zero" if fo.specials == "fn" else "nan"
    return encode_exact(kind, sign, mag, fo, rounding, overflow, nan, rand, sr_bits)


__all__ = ["slow_mx_dot", "slow_nvfp4_dot", "slow_mac_stream", "slow_fp_mul", "ue4m3_value"]
