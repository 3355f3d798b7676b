"""Exact values to IEEE binary32, once (docs/block.md §7): the rounding every dot unit ends in.

An exact value is a pair (S, E) of Python ints meaning S * 2^E. ``round_f32`` rounds it to a
binary32 bit pattern in ``rne`` or ``rtz`` with subnormals kept (or flushed after rounding with
``ftz``), overflow to Inf (rne) or FLT_MAX (rtz), and the four flags of ``fp4ref.emu.Flag``.
``add_f32`` is one IEEE binary32 addition built on it. Python ints: the exact sums of block
units span more than 500 bits.
"""
from __future__ import annotations

from fp4ref.emu.flags import Flag

F32_MODES = ("rne", "rtz")
NAN = 0x7FC00000                    #: the canonical quiet NaN every unit returns
INF = 0x7F800000
MAX = 0x7F7FFFFF
SIGN = 0x80000000
_INEXACT, _UNDERFLOW, _OVERFLOW, _INVALID = (int(Flag.INEXACT), int(Flag.UNDERFLOW),
                                            int(Flag.OVERFLOW), int(Flag.INVALID))


def check_mode(rounding: str) -> None:
    if rounding not in F32_MODES:
        raise ValueError(f"rounding: the FP32 result rounds {' or '.join(F32_MODES)}, got {rounding!r}")


def round_f32(s: int, e: int, rounding: str = "rne", ftz: bool = False,
              guard: int | None = None) -> tuple[int, int]:
    """(bits, flags) of S * 2^E rounded once to binary32. An exact zero is +0; a non-zero value
    that rounds to zero keeps its sign. Underflow: tiny before rounding (0 < |V| < 2^-126) and
    inexact. ``ftz``: a result subnormal after rounding becomes zero with V's sign (inexact,
    underflow). ``guard``: not the contract; a datapath that keeps only ``guard`` bits below
    the result's last place and no sticky bit (its magnitude truncated there before rounding),
    the fault that the mismatch diagnosis calls "sticky bits lost" (None: exact)."""
    if s == 0:
        return 0, 0
    sign = SIGN if s < 0 else 0
    m = -s if s < 0 else s
    lead = e + m.bit_length() - 1                   # V in [2^lead, 2^(lead + 1))
    lsb = max(lead - 23, -149)                      # the binary32 grid step at V
    shift = lsb - e
    if guard is not None and shift > guard:         # the bits below the window are lost
        m = (m >> (shift - guard)) << (shift - guard)
    if shift <= 0:
        q, rem, half = m << -shift, 0, 1
    else:
        q, rem, half = m >> shift, m & ((1 << shift) - 1), 1 << (shift - 1)
    if rem and rounding == "rne" and (rem > half or (rem == half and q & 1)):
        q += 1
    flags = _INEXACT if rem else 0
    if lead < -126 and rem:
        flags |= _UNDERFLOW
    if q >> 24:                                     # the carry made a new binade
        q, lsb = q >> 1, lsb + 1
    if q >> 23:                                     # normal
        biased = lsb + 23 + 127
        if biased >= 255:
            return sign | (INF if rounding == "rne" else MAX), _OVERFLOW | _INEXACT
        return sign | (biased << 23) | (q - (1 << 23)), flags
    if ftz and q:                                   # subnormal after rounding
        return sign, _INEXACT | _UNDERFLOW
    return sign | q, flags                          # subnormal or a signed zero


def is_nan(bits: int) -> bool:
    return (bits & 0x7FFFFFFF) > INF


def is_inf(bits: int) -> bool:
    return (bits & 0x7FFFFFFF) == INF


def exact(bits: int) -> tuple[int, int]:
    """(S, E) of a finite binary32 pattern: its exact value S * 2^E (±0 gives S = 0)."""
    biased, man = (bits >> 23) & 0xFF, bits & 0x7FFFFF
    if biased == 0xFF:
        raise ValueError(f"exact: {bits:#010x} is not finite")
    s, e = (man, -149) if biased == 0 else (man | (1 << 23), biased - 150)
    return (-s if bits & SIGN else s), e


def add_exact(terms: list[tuple[int, int]]) -> tuple[int, int]:
    """The exact sum of values S * 2^E as one (S, E)."""
    terms = [(s, e) for s, e in terms if s]
    if not terms:
        return 0, 0
    low = min(e for _, e in terms)
    return sum(s << (e - low) for s, e in terms), low


def add_f32(x: int, y: int, rounding: str = "rne", ftz: bool = False,
            guard: int | None = None) -> tuple[int, int]:
    """(bits, flags) of the binary32 sum x + y (IEEE 754: NaN operands give the canonical NaN
    with no flag; +Inf + -Inf is NaN, invalid; -0 + -0 is -0; an exact zero sum of other
    operands is +0)."""
    if is_nan(x) or is_nan(y):
        return NAN, 0
    if is_inf(x) or is_inf(y):
        if is_inf(x) and is_inf(y) and (x ^ y) & SIGN:
            return NAN, _INVALID
        return (x if is_inf(x) else y), 0
    s, e = add_exact([exact(x), exact(y)])
    if s == 0:
        return (SIGN if x & y & SIGN else 0), 0
    return round_f32(s, e, rounding, ftz, guard)
