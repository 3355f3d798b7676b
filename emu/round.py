"""One integer rounding decision per mode: does the kept significand get +1?

Inputs describe the exact magnitude by ``lo_odd`` (whether the truncated integer significand is
odd: ties to even is ties to an even significand, as llm-fp4.md §1.5; for man_w >= 1 that is the
code's parity, for man_w = 0 every normal significand is 1), ``round_bit`` (the first discarded
bit) and ``sticky`` (OR of every later discarded bit).
The modes are the table of docs/encoding.md §3.4; stochastic rounding is §3.5.
"""
from __future__ import annotations

import numpy as np

DETERMINISTIC = ("rne", "rna", "rtz", "rup", "rdn")
#: the rounding modes of the hardware contract (docs/rtl_contract.md: mode_i is the index here)
MODES = DETERMINISTIC + ("sr",)
#: nearest with the other tie rules found in the wild (formats.md §10; docs/encoding.md §3.4):
#: ties toward zero (the smaller magnitude), toward -infinity (the lower neighbour), toward
#: +infinity. The model's, for conventions and mismatch diagnosis; no mode_i code.
TIE_VARIANTS = ("rnz", "rnm", "rnp")
#: every deterministic rounding the model computes
NEAREST = ("rne", "rna") + TIE_VARIANTS
ROUNDINGS = MODES + TIE_VARIANTS


def increment(mode: str, sign: np.ndarray, lo_odd: np.ndarray, round_bit: np.ndarray,
              sticky: np.ndarray) -> np.ndarray:
    """The 0/1 increment of a deterministic mode, as a bool array."""
    inexact = round_bit | sticky
    if mode == "rne":   # a tie (round, no sticky) keeps an even significand, bumps an odd one
        return round_bit & (sticky | lo_odd)
    if mode == "rna":   # ties away from zero: the round bit alone decides
        return round_bit.copy()
    if mode == "rnz":   # ties toward zero: a tie keeps lo
        return round_bit & sticky
    if mode == "rnm":   # ties toward -inf: a tie grows a negative magnitude only
        return round_bit & (sticky | (sign == 1))
    if mode == "rnp":   # ties toward +inf: a tie grows a positive magnitude only
        return round_bit & (sticky | (sign == 0))
    if mode == "rtz":
        return np.zeros_like(round_bit)
    if mode == "rup":   # toward +inf: only positive magnitudes grow
        return inexact & (sign == 0)
    if mode == "rdn":   # toward -inf: only negative magnitudes grow
        return inexact & (sign == 1)
    raise ValueError(f"rounding: must be one of {', '.join(ROUNDINGS)}, got {mode!r}")


def increment_sr(first_bits: np.ndarray, rand: np.ndarray, sr_bits: int) -> np.ndarray:
    """Stochastic rounding: +1 when the first ``sr_bits`` discarded bits plus ``rand`` carry out.

    Over all 2^sr_bits values of rand the carry happens ``first_bits`` times, so the expected
    result is exact whenever nothing below those bits was discarded.
    """
    return (first_bits + rand.astype(np.uint64)) >> np.uint64(sr_bits) != 0
