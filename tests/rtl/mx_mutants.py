"""DATA ONLY: deliberately broken variants of rtl/fp4_mx_block.v, one plausible bug each.

A mutant replaces `find` (an exact substring that occurs exactly once in `file`) by `replace`.
Each one gives wrong outputs (sum_o, exp_o or nan_o) on the default mx_block pack (corners and
seeded random blocks, golden/mx_pack.py); a bench that passes a mutant is not checking what it
claims to check.
"""
from __future__ import annotations

MX_MUTANTS: list[dict[str, str]] = [
    {
        "name": "lane_sign_lost",
        "file": "rtl/fp4_mx_block.v",
        "find": "assign prod[j]  = (a_i[4*j+3] ^ b_i[4*j+3])",
        "replace": "assign prod[j]  = (a_i[4*j+3] ^ (b_i[4*j+3] & (j != 5)))",
        "why": "element 5 drops b's sign bit: a negative b in that lane flips the product's sign",
    },
    {
        "name": "exp_off_by_one",
        "file": "rtl/fp4_mx_block.v",
        "find": "localparam [9:0] EXP_OFFSET = 10'd256;",
        "replace": "localparam [9:0] EXP_OFFSET = 10'd255;",
        "why": "exp_o = xa + xb - 255: every block's value doubled",
    },
    {
        "name": "nan_only_on_xa",
        "file": "rtl/fp4_mx_block.v",
        "find": "assign nan_o = (&xa_i) | (&xb_i);",
        "replace": "assign nan_o = (&xa_i);",
        "why": "a NaN scale on the b operand is not flagged",
    },
    {
        "name": "accumulator_one_bit_narrower",
        "file": "rtl/fp4_mx_block.v",
        "find": "localparam integer SUM_W = 14;",
        "replace": "localparam integer SUM_W = 13;",
        "why": "the tree holds |S| < 4,096 only: sums past it (up to 4,608) wrap",
    },
    {
        "name": "wrong_magnitude_code_7",
        "file": "rtl/fp4_mx_block.v",
        "find": "MAG_TABLE = {4'd12, 4'd8,",
        "replace": "MAG_TABLE = {4'd8, 4'd8,",
        "why": "code 0b?111 (+-6) maps to I = 8 (+-4): the top binade loses its mantissa bit",
    },
    {
        "name": "sum_not_sign_extended",
        "file": "rtl/fp4_mx_block.v",
        "find": "assign sum_o = {{(16-SUM_W){node[0][SUM_W-1]}}, node[0]};",
        "replace": "assign sum_o = {{(16-SUM_W){1'b0}}, node[0]};",
        "why": "the 14-bit sum is zero-extended to 16 bits: every negative S reads as S + 2^14",
    },
]
