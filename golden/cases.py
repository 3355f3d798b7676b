"""DATA + small generators: which inputs a pack holds (TestFloat's method, peers.md §5.1).

- every code (decode), every 16-bit pattern (encode from float16 or bfloat16): exhaustive;
- float32 (2^32 inputs, too many for a pack): an exponent table crossed with significand
  patterns, at level 1 and level 2, plus seeded random patterns.
"""
from __future__ import annotations

import numpy as np

from fp4ref.emu.spec import FloatFormat

#: cases per level: (significand pattern families, seeded random inputs)
LEVELS = {
    1: (("basic",), 10_000),
    2: (("basic", "walking", "ties"), 100_000),
}
#: seeded random vectors per pack at most (a pack is built in memory; 2^20 keeps it to a few 100 MB)
MAX_RANDOM = 1 << 20
F32_MAN_W, F32_BIAS = 23, 127
ONES = (1 << F32_MAN_W) - 1


def every_code(fmt: FloatFormat) -> np.ndarray:
    return np.arange(fmt.n_codes, dtype=np.uint64)


def every_16bit() -> np.ndarray:
    return np.arange(1 << 16, dtype=np.uint64)


def exponent_table(fmt: FloatFormat) -> list[int]:
    """Unbiased float32 exponents: every one that reaches the format (from half its smallest
    step to one past its largest binade), plus and minus two, and 0 (the value 1.0)."""
    lo = fmt.emin - fmt.man_w - 1 - 2
    hi = fmt.emax + 1 + 2
    exps = set(range(max(lo, 1 - F32_BIAS), min(hi, F32_BIAS) + 1)) | {0}
    return sorted(exps)


def tie_fractions(fmt: FloatFormat, e: int) -> list[int]:
    """float32 fraction fields (at unbiased exponent e) of every tie point of the format, and
    one ulp either side; at most 64 ties per binade."""
    kept_exp = max(e, fmt.emin)
    quantum = fmt.emin if (e < fmt.emin and not fmt.subnormals) else kept_exp - fmt.man_w
    p = quantum - 1 - e + F32_MAN_W          # bit of the fraction field that is the round bit
    if not 0 <= p < F32_MAN_W:
        return []
    out = []
    for j in range(min(1 << (F32_MAN_W - 1 - p), 64)):
        tie = (j << (p + 1)) | (1 << p)
        out += [tie, tie - 1, tie + 1]
    return [f for f in out if 0 <= f <= ONES]


def significands(family: str, fmt: FloatFormat, e: int) -> list[int]:
    if family == "basic":        # TestFloat level 1: 0, 1, all ones, all ones minus one
        return [0, 1, ONES, ONES - 1]
    if family == "walking":      # walking ones and walking zeros
        return [1 << k for k in range(F32_MAN_W)] + [ONES ^ (1 << k) for k in range(F32_MAN_W)]
    if family == "ties":
        return tie_fractions(fmt, e)
    raise ValueError(f"unknown significand family {family!r}")


def float32_cases(fmt: FloatFormat, level: int, n_random: int | None, seed: int) -> np.ndarray:
    """float32 bit patterns: specials, exponent table x patterns x both signs, then random."""
    if level not in LEVELS:
        raise ValueError(f"level: must be one of {', '.join(map(str, LEVELS))}, got {level}")
    families, default_random = LEVELS[level]
    n_random = default_random if n_random is None else n_random
    if not 0 <= n_random <= MAX_RANDOM:
        raise ValueError(f"random: must be 0..{MAX_RANDOM:,} (2^20), got {n_random:,}")
    pats = [0x00000000, 0x00000001, 0x007FFFFF, 0x00400000,     # zero and float32 subnormals
            0x7F800000, 0x7FC00000, 0x7F800001, 0x7FFFFFFF,     # Inf, quiet and signalling NaNs
            0x7F7FFFFF, 0x00800000]                              # float32 max and min normal
    for e in exponent_table(fmt):
        biased = e + F32_BIAS
        for family in families:
            pats += [(biased << F32_MAN_W) | f for f in significands(family, fmt, e)]
    pats += [p | 0x80000000 for p in pats]
    rng = np.random.default_rng(seed)
    uniform = rng.integers(0, 1 << 32, size=n_random // 2, dtype=np.uint64)
    # the other half lands in the format's range: random exponent from the table, random fraction
    exps = np.array([e + F32_BIAS for e in exponent_table(fmt)], np.uint64)
    in_range = ((rng.integers(0, 2, size=n_random - n_random // 2, dtype=np.uint64) << np.uint64(31))
                | (rng.choice(exps, size=n_random - n_random // 2) << np.uint64(F32_MAN_W))
                | rng.integers(0, 1 << F32_MAN_W, size=n_random - n_random // 2, dtype=np.uint64))
    structured = np.array(list(dict.fromkeys(pats)), np.uint64)   # dedupe, keep order
    return np.concatenate([structured, uniform, in_range])


def sr_rand(count: int, seed: int, sr_bits: int) -> np.ndarray:
    """Seeded random bits for stochastic rounding, one per vector."""
    return np.random.default_rng([seed, 0x5352]).integers(0, 1 << sr_bits, size=count, dtype=np.uint64)
