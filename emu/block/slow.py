"""Exact-rational references for the block quantizers (docs/block.md §3-§5, §10).

Written from the documents alone, independent of ``emu/block/quant.py``, ``mxfp4.py``,
``nvfp4.py``, ``fp4ref.emu.encode`` and ``fp4ref.emu.decode``: it takes only the six fields of a format from
``fp4ref.emu.spec`` and computes with Python ints and ``fractions.Fraction``, one vector at a time.
It also holds the exact helpers that ``mac/slow_block.py`` shares:

    ieee_value(bits, src)                  -> ("nan" | "inf" | "fin", sign, Fraction |v|)
    round_f32(v, rounding="rne", ftz=False) -> (fp32 bits, flags)     (docs/block.md §7)
    f32_value(bits)                         -> Fraction (finite FP32 bits only)
    decode_code(code, fmt)                  -> ("nan" | "inf" | "fin", sign, Fraction |v|)
    encode_exact(kind, sign, mag, fmt, rounding, overflow, nan, rand, sr_bits) -> (code, flags)
                                            (docs/encoding.md §3, the grid of §3.4)

Unit references (one block per call):

    slow_mx_quant(x_bits, src="float32", rule="floor", rounding="rne", rand=None)
        -> (E8M0 scale, 32 E2M1 codes)
    slow_nvfp4_quant(x_bits, ts_bits, src="float32", rounding="rne", rand=None)
        -> (UE4M3 scale, 16 E2M1 codes)

``x_bits`` are bit patterns of ``src`` (float32, float16, bfloat16); ``rand`` is one integer in
0..255 per element (``rounding="sr"`` only, 8 bits, docs/encoding.md §3.5).
"""
from __future__ import annotations

from fractions import Fraction

from fp4ref.emu.spec import FloatFormat

INEXACT, UNDERFLOW, OVERFLOW, INVALID = 1, 2, 4, 8      # docs/block.md §7, docs/encoding.md §3.4
ROUNDINGS = ("rne", "rna", "rtz", "rup", "rdn", "sr")
MX_RULES = ("floor", "ceil", "even", "rceil")
SR_BITS = 8
#: source type -> (exponent width, mantissa width) of the IEEE-style binary format
SOURCES = {"float32": (8, 23), "float16": (5, 10), "bfloat16": (8, 7)}
F32_NAN = 0x7FC00000
F32_INF = 0x7F800000
F32_MAX = 0x7F7FFFFF

# E2M1 (docs/encoding.md §1): exp_w 2, man_w 1, bias 1, subnormals, no specials
E2M1 = FloatFormat("e2m1_slow", 2, 1, 1, True, "fn")
# E4M3 (OCP "E4M3FN"): the NVFP4 block scale is its positive half (docs/block.md §5)
E4M3 = FloatFormat("e4m3_slow", 4, 3, 7, True, "fn_nan")


def pow2(k: int) -> Fraction:
    return Fraction(1 << k) if k >= 0 else Fraction(1, 1 << -k)


def floor_log2(v: Fraction) -> int:
    """floor(log2 v) for a Fraction v > 0, by integer comparison."""
    n, d = v.numerator, v.denominator
    k = n.bit_length() - d.bit_length()
    # now 2^(k-1) < v < 2^(k+1); decide whether v >= 2^k
    if (n << -k if k < 0 else n) < (d << k if k > 0 else d):
        k -= 1
    return k


def is_pow2(v: Fraction) -> bool:
    n, d = v.numerator, v.denominator
    return n & (n - 1) == 0 and d & (d - 1) == 0


# ---- IEEE-style source formats and FP32 -----------------------------------------------------------
def ieee_value(bits: int, src: str = "float32"):
    """(kind, sign, |v|) of an IEEE binary bit pattern: kind "nan", "inf" or "fin"."""
    if src not in SOURCES:
        raise ValueError(f"src: must be one of {', '.join(SOURCES)}, got {src!r}")
    ew, mw = SOURCES[src]
    width = 1 + ew + mw
    if isinstance(bits, bool) or not isinstance(bits, int) or not 0 <= bits < 1 << width:
        raise ValueError(f"{src} bit pattern must be an int in 0..2^{width} - 1, got {bits!r}")
    sign = bits >> (width - 1)
    e = (bits >> mw) & ((1 << ew) - 1)
    f = bits & ((1 << mw) - 1)
    bias = (1 << (ew - 1)) - 1
    if e == (1 << ew) - 1:
        return ("nan" if f else "inf"), sign, Fraction(0)
    sig, exp = (f, 1 - bias - mw) if e == 0 else ((1 << mw) | f, e - bias - mw)
    return "fin", sign, Fraction(sig << exp) if exp >= 0 else Fraction(sig, 1 << -exp)


def f32_value(bits: int) -> Fraction:
    """Exact signed value of a finite FP32 bit pattern."""
    kind, sign, mag = ieee_value(bits, "float32")
    if kind != "fin":
        raise ValueError(f"FP32 {bits:#010x} is not finite")
    return -mag if sign else mag


def round_f32(v: Fraction, rounding: str = "rne", ftz: bool = False):
    """(bits, flags): the exact rational v rounded once to binary32 (docs/block.md §7).

    rounding "rne" or "rtz"; subnormals kept unless ftz (a result subnormal after rounding
    becomes a zero with v's sign, inexact and underflow); overflow: Inf (rne) or FLT_MAX (rtz);
    v == 0 gives +0; a non-zero v that rounds to zero keeps its sign.
    """
    if rounding not in ("rne", "rtz"):
        raise ValueError(f"rounding: must be rne or rtz, got {rounding!r}")
    if v == 0:
        return 0, 0
    sign = 0x80000000 if v < 0 else 0
    m = -v if v < 0 else v
    exp = max(floor_log2(m), -126)
    shift = exp - 23                       # grid step 2^shift in this binade (or subnormals)
    n, d = m.numerator, m.denominator
    num, den = (n, d << shift) if shift >= 0 else (n << -shift, d)
    q, r = divmod(num, den)
    flags = 0
    if r:
        flags |= INEXACT
        if rounding == "rne" and (2 * r > den or (2 * r == den and q & 1)):
            q += 1
        if m < pow2(-126):
            flags |= UNDERFLOW
    if q == 1 << 24:                       # rounded up into the next binade
        q, exp = 1 << 23, exp + 1
    if exp > 127:                          # rounded magnitude >= 2^128
        return sign | (F32_INF if rounding == "rne" else F32_MAX), flags | OVERFLOW | INEXACT
    if q < 1 << 23:                        # subnormal (exp == -126) or zero
        if q and ftz:
            return sign, INEXACT | UNDERFLOW
        return sign | q, flags
    return sign | ((exp + 127) << 23) | (q - (1 << 23)), flags


def fl32(v: Fraction) -> Fraction:
    """One float32 operation's rounding (RNE, subnormals kept); OverflowError past FLT_MAX."""
    bits, _ = round_f32(v, "rne")
    if bits & 0x7F800000 == F32_INF:
        raise OverflowError
    return f32_value(bits)


# ---- narrow formats (docs/encoding.md §1-§3), decoded from the FloatFormat fields -----------------
def _max_mag_code(fmt: FloatFormat) -> int:
    """Magnitude code of the largest finite value, from the specials table of §1."""
    allmag = (1 << (fmt.exp_w + fmt.man_w)) - 1
    if fmt.specials == "fn_nan":
        return allmag - 1
    if fmt.specials == "ieee":
        return (((1 << fmt.exp_w) - 1) << fmt.man_w) - 1
    return allmag


def _mag_value(mag: int, fmt: FloatFormat) -> Fraction:
    e, f = mag >> fmt.man_w, mag & ((1 << fmt.man_w) - 1)
    if e == 0:
        return f * pow2(1 - fmt.bias - fmt.man_w) if fmt.subnormals else Fraction(0)
    return ((1 << fmt.man_w) | f) * pow2(e - fmt.bias - fmt.man_w)


def decode_code(code: int, fmt: FloatFormat):
    """(kind, sign, |v|) of one code (kind "nan", "inf", "fin"), per the tables of §1."""
    bits = 1 + fmt.exp_w + fmt.man_w
    if isinstance(code, bool) or not isinstance(code, int) or not 0 <= code < 1 << bits:
        raise ValueError(f"{fmt.name} code must be an int in 0..{(1 << bits) - 1}, got {code!r}")
    sign, mag = code >> (bits - 1), code & ((1 << (bits - 1)) - 1)
    allmag = (1 << (bits - 1)) - 1
    ef = mag >> fmt.man_w
    if fmt.specials == "fn_nan" and mag == allmag:
        return "nan", sign, Fraction(0)
    if fmt.specials == "fnuz" and code == 1 << (bits - 1):
        return "nan", 1, Fraction(0)
    if fmt.specials == "ieee" and ef == (1 << fmt.exp_w) - 1:
        return ("nan" if mag & ((1 << fmt.man_w) - 1) else "inf"), sign, Fraction(0)
    return "fin", sign, _mag_value(mag, fmt)


def int_of(code: int, fmt: FloatFormat) -> int:
    """Integer mapping I (docs/encoding.md §2): value = I * 2^(1 - man_w - bias)."""
    kind, sign, mag = decode_code(code, fmt)
    if kind != "fin":
        raise ValueError(f"{fmt.name} code {code:#x} is NaN or Inf: no integer mapping")
    i = mag / pow2(1 - fmt.man_w - fmt.bias)
    assert i.denominator == 1
    return -int(i) if sign else int(i)


def _nan_code(fmt: FloatFormat, sign: int) -> int:
    bits = 1 + fmt.exp_w + fmt.man_w
    s = sign << (bits - 1)
    if fmt.specials == "ieee":
        return s | (((1 << fmt.exp_w) - 1) << fmt.man_w) | (1 << (fmt.man_w - 1))
    if fmt.specials == "fn_nan":
        return s | ((1 << (bits - 1)) - 1)
    if fmt.specials == "fnuz":
        return 1 << (bits - 1)
    raise ValueError(f"{fmt.name} has no NaN")


def _zero_code(fmt: FloatFormat, sign: int) -> int:
    return 0 if fmt.specials == "fnuz" else sign << (fmt.exp_w + fmt.man_w)


def encode_exact(kind: str, sign: int, mag: Fraction, fmt: FloatFormat, rounding: str = "rne",
                 overflow: str = "saturate", nan: str = "nan", rand: int = 0, sr_bits: int = SR_BITS):
    """(code, flags) of one value per docs/encoding.md §3 (nan policy "nan" or "zero")."""
    if rounding not in ROUNDINGS:
        raise ValueError(f"rounding: must be one of {', '.join(ROUNDINGS)}, got {rounding!r}")
    if overflow not in ("saturate", "inf"):
        raise ValueError(f"overflow: must be saturate or inf, got {overflow!r}")
    if overflow == "inf" and fmt.specials == "fn":
        raise ValueError(f"overflow='inf' needs a format with Inf or NaN, {fmt.name} has neither")
    bits = 1 + fmt.exp_w + fmt.man_w
    sbit = sign << (bits - 1)
    maxmag = _max_mag_code(fmt)
    if kind == "nan":                                   # §3.1
        if nan == "nan":
            return _nan_code(fmt, sign), INVALID
        return _zero_code(fmt, sign), INVALID
    if kind == "inf":                                   # §3.2
        if overflow == "saturate":
            return sbit | maxmag, OVERFLOW | INEXACT
        if fmt.specials == "ieee":
            return sbit | (((1 << fmt.exp_w) - 1) << fmt.man_w), 0
        return _nan_code(fmt, sign), INVALID
    if mag == 0:                                        # §3.3
        return _zero_code(fmt, sign), 0
    # §3.4: lo <= |v| <= hi on the grid extended upward, in units of the grid step 2^s
    man_w, emin = fmt.man_w, 1 - fmt.bias
    k = floor_log2(mag)
    if k >= emin:
        s = k - man_w
    else:
        s = emin - man_w if fmt.subnormals else emin
    n, d = mag.numerator, mag.denominator
    num, den = (n, d << s) if s >= 0 else (n << -s, d)
    q, r = divmod(num, den)                             # lo = q * 2^s, hi = (q + 1) * 2^s
    flags = 0
    g = q
    if r:
        flags |= INEXACT
        if k < emin:
            flags |= UNDERFLOW
        if rounding in ("rne", "rna"):
            diff = 2 * r - den                          # (|v| - lo) - (hi - |v|), scaled
            if diff > 0 or (diff == 0 and (rounding == "rna" or q % 2 == 1)):
                g = q + 1
        elif rounding == "rup":
            g = q if sign else q + 1
        elif rounding == "rdn":
            g = q + 1 if sign else q
        elif rounding == "sr":                          # §3.5
            if isinstance(rand, bool) or not isinstance(rand, int) or not 0 <= rand < 1 << sr_bits:
                raise ValueError(f"rand: must be an int in 0..{(1 << sr_bits) - 1}, got {rand!r}")
            F = (r << sr_bits) // den                   # floor((|v| - lo) / (hi - lo) * 2^sr_bits)
            if F + rand >= 1 << sr_bits:
                g = q + 1
    # overflow: g * 2^s above the largest finite magnitude mmax * 2^mexp
    emax_field = maxmag >> man_w
    mmax = (((1 << man_w) | (maxmag & ((1 << man_w) - 1))) if emax_field else maxmag)
    mexp = (emax_field if emax_field else 1) - fmt.bias - man_w
    over = (g << (s - mexp)) > mmax if s >= mexp else g > (mmax << (mexp - s))
    if over:
        flags |= OVERFLOW | INEXACT
        away = rounding in ("rne", "rna", "sr") or (rounding == "rup" and not sign) \
            or (rounding == "rdn" and sign)
        if overflow == "saturate" or not away:
            return sbit | maxmag, flags
        if fmt.specials == "ieee":
            return sbit | (((1 << fmt.exp_w) - 1) << fmt.man_w), flags
        return _nan_code(fmt, sign), flags
    if g == 0:
        return _zero_code(fmt, sign), flags
    if k >= emin:                       # binade k: g in [2^M, 2^(M+1)]; 2^(M+1) carries into k+1
        return sbit | (((k + fmt.bias) << man_w) + g - (1 << man_w)), flags
    if fmt.subnormals:                  # g in [0, 2^M]: the code is g (2^M: the smallest normal)
        return sbit | g, flags
    return sbit | (1 << man_w), flags   # no subnormals: g = 1 is the smallest normal


# ---- mx_quant (§3, §4, §10) ---------------------------------------------------------------------------
def _check_rand(rounding: str, rand, n: int) -> list[int]:
    if rounding not in ROUNDINGS:
        raise ValueError(f"rounding: must be one of {', '.join(ROUNDINGS)}, got {rounding!r}")
    if rounding != "sr":
        return [0] * n
    if rand is None or len(rand) != n:
        raise ValueError(f"rand: rounding='sr' needs {n} integers in 0..255")
    return [int(r) for r in rand]


def _read_block(x_bits, src: str, n: int):
    if len(x_bits) != n:
        raise ValueError(f"x_bits: expected {n} bit patterns, got {len(x_bits)}")
    return [ieee_value(int(b), src) for b in x_bits]


def mx_scale_exponent(amax: Fraction, rule: str = "floor", elem: FloatFormat = E2M1):
    """The shared exponent e of §3 before clamping (None for amax = 0: the scale is 0x00)."""
    if amax == 0:
        return None
    emax_elem = floor_log2(_mag_value(_max_mag_code(elem), elem))
    if rule == "floor":
        return floor_log2(amax) - emax_elem
    if rule == "ceil":
        return floor_log2(amax) + (0 if is_pow2(amax) else 1) - emax_elem
    if rule == "even":                  # amax rounded half up to 1 + man_w significant bits
        step = pow2(floor_log2(amax) - elem.man_w)
        r = ((amax / step) + Fraction(1, 2)).__floor__() * step
        return floor_log2(r) - emax_elem
    if rule == "rceil":                 # ceil(log2 fl32(amax / max_elem))
        q = fl32(amax / _mag_value(_max_mag_code(elem), elem))
        if q == 0:
            return None                 # log2(0) = -inf: clamps to -127
        return floor_log2(q) + (0 if is_pow2(q) else 1)
    raise ValueError(f"rule: must be one of {', '.join(MX_RULES)}, got {rule!r}")


def slow_mx_quant(x_bits, src: str = "float32", rule: str = "floor", rounding: str = "rne",
                  rand=None):
    """(E8M0 scale, 32 E2M1 codes) of one MX block (docs/block.md §3, §4, §10).

    Scale: e by `rule` from the exact amax, clamped below at -127 (code 0x00), NaN (0xFF) above
    127. Elements: the exact x_i / 2^e encoded to E2M1 by `rounding`, saturating at +-6.
    A NaN or +-Inf input: scale 0xFF and 32 codes 0.
    """
    vals = _read_block(x_bits, src, 32)
    rands = _check_rand(rounding, rand, 32)
    if rule not in MX_RULES:
        raise ValueError(f"rule: must be one of {', '.join(MX_RULES)}, got {rule!r}")
    if any(kind != "fin" for kind, _, _ in vals):
        return 0xFF, [0] * 32
    amax = max(mag for _, _, mag in vals)
    e = mx_scale_exponent(amax, rule)
    e = -127 if e is None or e < -127 else e
    if e > 127:
        return 0xFF, [0] * 32
    X = pow2(e)
    codes = [encode_exact("fin", s, mag / X, E2M1, rounding, "saturate", "zero", r)[0]
             for (_, s, mag), r in zip(vals, rands)]
    return e + 127, codes


# ---- nvfp4_quant (§5, §10) ----------------------------------------------------------------------------
def _f32_div(x: Fraction, y: Fraction):
    """fl32(x / y) for magnitudes x, y >= 0: a Fraction, or "inf" (x / 0 with x != 0, or an
    overflow); 0 / 0 reads as 0 (§5)."""
    if y == 0:
        if x == 0:
            return Fraction(0)
        return "inf"
    q = x / y
    bits, _ = round_f32(q, "rne")
    if bits & 0x7FFFFFFF == F32_INF:
        return "inf"
    return f32_value(bits)


def slow_nvfp4_quant(x_bits, ts_bits: int, src: str = "float32", rounding: str = "rne",
                     rand=None):
    """(UE4M3 scale, 16 E2M1 codes) of one NVFP4 block, two-level recipe (docs/block.md §5, §10).

    s_b = E4M3_RNE(clamp(fl32(fl32(amax / 6) / ts), 2^-6, 448)), total = fl32(ts * s_b),
    P_i = E2M1_rounding(clamp(fl32(x_i / total), -6, 6)); every fl32 is RNE with subnormals,
    0/0 reads as 0 and x/0 (x != 0) is Inf. A NaN/Inf input, or a NaN, infinite or negative
    (non-zero) tensor scale: scale 0x7F and 16 codes 0. ts = -0.0 reads as 0.
    """
    vals = _read_block(x_bits, src, 16)
    rands = _check_rand(rounding, rand, 16)
    tkind, tsign, ts = ieee_value(int(ts_bits), "float32")
    if any(kind != "fin" for kind, _, _ in vals) or tkind != "fin" or (tsign and ts != 0):
        return 0x7F, [0] * 16
    amax = max(mag for _, _, mag in vals)
    q1 = fl32(amax / 6)
    q2 = _f32_div(q1, ts)
    if q2 == "inf" or q2 > 448:
        clamped = Fraction(448)
    else:
        clamped = max(q2, pow2(-6))
    scale, _ = encode_exact("fin", 0, clamped, E4M3, "rne", "saturate", "nan")
    s_b = _mag_value(scale, E4M3)
    total_bits, _ = round_f32(ts * s_b, "rne")
    total = "inf" if total_bits & 0x7FFFFFFF == F32_INF else f32_value(total_bits)
    codes = []
    for (_, s, mag), r in zip(vals, rands):
        if total == "inf":
            p = Fraction(0)                         # finite / Inf = 0
        else:
            p = _f32_div(mag, total)
        if p == "inf" or p > 6:
            p = Fraction(6)
        code, _ = encode_exact("fin", s, p, E2M1, rounding, "saturate", "zero", r)
        codes.append(code)
    return scale, codes
