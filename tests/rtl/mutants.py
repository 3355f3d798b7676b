"""DATA ONLY: deliberately broken variants of the reference RTL, one plausible bug each.

A mutant replaces `find` (an exact substring that occurs exactly once in `file`) by `replace`.
Each one gives wrong outputs on the exhaustive bfloat16 -> e2m1 encode set in at least one
rounding mode, so a bench that passes a mutant is not checking what it claims to check.
"""
from __future__ import annotations

MUTANTS: list[dict[str, str]] = [
    {
        "name": "rne_ties_away",
        "file": "rtl/fp4_round.v",
        "find": "`FP4_MODE_RNE: up_o = round_i & (sticky_i | lsb_i);",
        "replace": "`FP4_MODE_RNE: up_o = round_i;",
        "why": "rne breaks ties away from zero (rna) instead of to the even integer significand",
    },
    {
        "name": "sticky_drops_shifted_out_bits",
        "file": "rtl/fp4_encode.v",
        "find": "= (|y[GRS_W-2:0]) | (|(x_al & lost_mask));",
        "replace": "= (|y[GRS_W-2:0]);",
        "why": "sticky forgets the bits shifted out of the aligner, so tiny inputs look exact",
    },
    {
        "name": "no_saturation_code_wraps",
        "file": "rtl/fp4_encode.v",
        "find": "wire        overflow = (mag_code > MAX_MAG);",
        "replace": "wire        overflow = (mag_code[MAG_W-1:0] > MAX_MAG[MAG_W-1:0]);",
        "why": "overflow compares the truncated code, so finite values past max wrap instead of saturating",
    },
    {
        "name": "zero_loses_sign",
        "file": "rtl/fp4_encode.v",
        "find": "zero_code = {sign & (IS_FNUZ == 0), {MAG_W{1'b0}}};",
        "replace": "zero_code = {1'b0, {MAG_W{1'b0}}};",
        "why": "every zero result is +0: -0 inputs and negative values rounding to zero lose their sign",
    },
    {
        "name": "bias_off_by_one",
        "file": "rtl/fp4_encode.v",
        "find": "tiny ? 32'd0 : e_norm + BIAS - 1;",
        "replace": "tiny ? 32'd0 : e_norm + BIAS;",
        "why": "the exponent field forgets that q carries the hidden bit (bias off by one)",
    },
    {
        "name": "sr_rounds_up_on_equal_minus_one",
        "file": "rtl/fp4_round.v",
        "find": "{1'b0, sr_bits_i} + {1'b0, rand_i};",
        "replace": "{1'b0, sr_bits_i} + {1'b0, rand_i} + 1'b1;",
        "why": "sr adds a stray carry-in (F + rand + 1 >= 2^SR_W): biased up, and rand = 2^SR_W - 1 moves exact values",
    },
    {
        "name": "underflow_without_inexact",
        "file": "rtl/fp4_encode.v",
        "find": "((inexact & tiny) ? `FP4_FLAG_UNDERFLOW",
        "replace": "(tiny ? `FP4_FLAG_UNDERFLOW",
        "why": "underflow is raised on exact subnormal results (tininess alone, without inexact)",
    },
    {
        "name": "rup_sign_inverted",
        "file": "rtl/fp4_round.v",
        "find": "`FP4_MODE_RUP: up_o = ~sign_i & (round_i | sticky_i);",
        "replace": "`FP4_MODE_RUP: up_o = sign_i & (round_i | sticky_i);",
        "why": "rup rounds the magnitude up for negative values (toward -inf for v < 0, i.e. rdn)",
    },
]
