"""DATA ONLY: deliberately broken variants of rtl/fp4_mac.v, one plausible bug each.

A mutant replaces `find` (an exact substring that occurs exactly once in `file`) by `replace`.
Each one gives wrong outputs (acc_o or ovf_o) for E2M1 x E2M1, LANES=16, SHIFT_W=2,
SHIFT_MAX=3, ACC_W=13 and 16, on seeded random vectors plus corner cases (docs/mac.md §1, §2),
in the SATURATE x TREE configurations named in the comment above it; a bench that passes a
mutant is not checking what it claims to check. Some bugs show in ovf_o only: check both ports.
"""
from __future__ import annotations

MAC_MUTANTS: list[dict[str, str]] = [
    # kills: every SATURATE x TREE through ovf_o; acc_o only when SATURATE=1
    {
        "name": "narrower_accumulator",
        "file": "rtl/fp4_mac.v",
        "find": "wire [T_W-ACC_W:0] t_hi = t[T_W-1:ACC_W-1];",
        "replace": "wire [T_W-ACC_W+1:0] t_hi = t[T_W-1:ACC_W-2];",
        "why": "the range check tests ACC_W-1 bits: t past +-2^(W-2) flags overflow and saturates early",
    },
    # kills: every SATURATE x TREE through ovf_o; acc_o only when SATURATE=1 (wrap is mod 2^W)
    {
        "name": "missing_sign_extension",
        "file": "rtl/fp4_mac.v",
        "find": "{{(T_W-ACC_W){acc_c[k][ACC_W-1]}}, acc_c[k]}",
        "replace": "{{(T_W-ACC_W){1'b0}}, acc_c[k]}",
        "why": "the accumulator is zero-extended into the step adder: a negative acc reads as acc + 2^W",
    },
    # kills: every SATURATE x TREE
    {
        "name": "wrong_shift",
        "file": "rtl/fp4_mac.v",
        "find": "= SHIFT_MAX_U - s_cl;",
        "replace": "= s_cl;",
        "why": "the product is shifted by s_j instead of B - s_j (the pre-shift runs the wrong way)",
    },
    # kills: every SATURATE x TREE
    {
        "name": "shift_off_by_one",
        "file": "rtl/fp4_mac.v",
        "find": "= SHIFT_MAX_U - s_cl;",
        "replace": "= SHIFT_MAX_U - s_cl + 32'd1;",
        "why": "every product is shifted left by B - s_j + 1: all products doubled",
    },
    # kills: every SATURATE x TREE
    {
        "name": "product_sign_ignores_weight",
        "file": "rtl/fp4_mac.v",
        "find": "xc[XB-1] ^ wc[WB-1];",
        "replace": "xc[XB-1];",
        "why": "the product takes the activation's sign only; negative weights add instead of subtract",
    },
    # kills: every SATURATE x TREE
    {
        "name": "subnormals_read_as_zero",
        "file": "rtl/fp4_mac.v",
        "find": "x_ez ? (X_SUB ? x_f :",
        "replace": "x_ez ? (1'b0 ? x_f :",
        "why": "activation codes with e == 0 and f != 0 (E2M1 +-0.5, I = +-1) map to 0",
    },
    # kills: every SATURATE x TREE
    {
        "name": "exponent_off_by_one",
        "file": "rtl/fp4_mac.v",
        "find": "(w_sx << (w_e - 1'b1))",
        "replace": "(w_sx << w_e)",
        "why": "the weight's integer mapping uses 2^e instead of 2^(e - 1) for normals",
    },
    # kills: TREE=1 (both SATURATE)
    {
        "name": "tree_not_wide_enough",
        "file": "rtl/fp4_mac.v",
        "find": "localparam integer SUM_W  = P_W + LG_L;",
        "replace": "localparam integer SUM_W  = P_W;",
        "why": "the adder tree keeps the width of one product: sums of LANES products wrap inside the tree",
    },
    # kills: SATURATE=1 (both TREE), acc_o only
    {
        "name": "saturate_direction_swapped",
        "file": "rtl/fp4_mac.v",
        "find": "t[T_W-1] ? ACC_MIN : ACC_MAX;",
        "replace": "t[T_W-1] ? ACC_MAX : ACC_MIN;",
        "why": "positive overflow clamps to -2^(W-1) and negative overflow to 2^(W-1) - 1",
    },
    # kills: TREE=0 (both SATURATE), ovf_o only
    {
        "name": "overflow_of_last_step_only",
        "file": "rtl/fp4_mac.v",
        "find": "assign ovf_o = |step_ovf;",
        "replace": "assign ovf_o = step_ovf[NSTEP-1];",
        "why": "sequential order reports the last step's overflow only, not any step's",
    },
    # kills: TREE=0 through ovf_o (both SATURATE); acc_o only when SATURATE=1
    {
        "name": "sequential_order_reversed",
        "file": "rtl/fp4_mac.v",
        "find": "assign term[n] = prod[n];",
        "replace": "assign term[n] = prod[LANES-1-n];",
        "why": "the sequential chain starts at the last lane; saturation and the flag depend on the order",
    },
]
