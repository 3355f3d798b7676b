"""Stimulus of the FP multiplier unit `fp_mul` (docs/block.md §12): every ordered code pair of
the two operand formats (NaN and Inf codes included); for sr each pair with 16 random values
spread over 0..255 (0, 255 and 14 seeded)."""
from __future__ import annotations

import numpy as np

from fp4ref.emu import get_format

MAX_PAIRS = 1 << 16


def stimulus(fa: str, fb: str, rounding: str, seed: int):
    """(a [n], b [n], rand [n]) as int64."""
    fa, fb = get_format(fa), get_format(fb)
    a, b = np.meshgrid(np.arange(fa.n_codes), np.arange(fb.n_codes), indexing="ij")
    a, b = a.reshape(-1), b.reshape(-1)
    if len(a) > MAX_PAIRS:
        raise ValueError(f"fp_mul: {fa.name} x {fb.name} has {len(a):,} code pairs; the unit takes "
                         f"formats of at most 8 bits")
    if rounding != "sr":
        return a.astype(np.int64), b.astype(np.int64), np.zeros(len(a), np.int64)
    rng = np.random.default_rng([seed, 14, fa.bits, fb.bits])
    reps = 16 if len(a) <= 4096 else 2
    rand = np.concatenate([np.zeros(len(a), np.int64), np.full(len(a), 255)]
                          + [rng.integers(0, 256, len(a)) for _ in range(reps - 2)])
    return np.tile(a, reps).astype(np.int64), np.tile(b, reps).astype(np.int64), rand
