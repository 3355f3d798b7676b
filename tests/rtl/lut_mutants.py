"""DATA ONLY: deliberately broken variants of the lookup-format decoders (rtl/lut/), one plausible
bug each.

A mutant replaces `find` (an exact substring that occurs exactly once in `file`) by `replace`.
`format` names the lut_decode pack it must fail: a bench that passes one of these is not
checking the field it claims to check (f32_o bits, int_o sign extension, valid_o, -0.0).
"""
from __future__ import annotations

LUT_MUTANTS: list[dict[str, str]] = [
    {
        "name": "nf4_constant_bit",
        "file": "rtl/lut/fp4_lut_nf4.v",
        "format": "nf4",
        "find": "4'b1001: begin f32_o = 32'h3E24_CAE3;",
        "replace": "4'b1001: begin f32_o = 32'h3E24_CAE2;",
        "why": "one NF4 constant (0.16093020141124725) is off by one float32 ulp (a typed-in bit)",
    },
    {
        "name": "e2m1_sr_supernormal_negative",
        "file": "rtl/lut/fp4_lut_e2m1_sr.v",
        "format": "e2m1_sr",
        "find": "4'b1_00_0: begin f32_o = 32'h4100_0000; int_o = 16'h0010;",
        "replace": "4'b1_00_0: begin f32_o = 32'hC100_0000; int_o = 16'hFFF0;",
        "why": "the super-range value on the -0 code decodes as -8 (sign bit kept) instead of +8",
    },
    {
        "name": "apot4_06_08_swapped",
        "file": "rtl/lut/fp4_lut_apot4.v",
        "format": "apot4",
        "find": ("4'b0_101: begin f32_o = 32'h3F19_999A; int_o = 16'h0006; valid_o = 1'b1; end  // +0.6 = +6/10, I = +6\n"
                 "            4'b0_110: begin f32_o = 32'h3F4C_CCCD; int_o = 16'h0008;"),
        "replace": ("4'b0_101: begin f32_o = 32'h3F4C_CCCD; int_o = 16'h0008; valid_o = 1'b1; end  // +0.6 = +6/10, I = +6\n"
                    "            4'b0_110: begin f32_o = 32'h3F19_999A; int_o = 16'h0006;"),
        "why": "APoT4 magnitudes 0.6 and 0.8 swapped (codes 0_101 and 0_110)",
    },
    {
        "name": "int4_sym_valid_stuck_1",
        "file": "rtl/lut/fp4_lut_int4_sym.v",
        "format": "int4_sym",
        "find": "        endcase\n    end\n",
        "replace": "        endcase\n        valid_o = 1'b1;\n    end\n",
        "why": "valid_o is stuck at 1: the unused code 0b1000 (-8) is reported as a valid zero",
    },
    {
        "name": "int4_full_int_not_sign_extended",
        "file": "rtl/lut/fp4_lut_int4_full.v",
        "format": "int4_full",
        "find": "        endcase\n    end\n",
        "replace": "        endcase\n        int_o = {12'd0, int_o[3:0]};\n    end\n",
        "why": "int_o is the 4-bit integer zero-extended: negative codes read as 8..15",
    },
    {
        "name": "bnb_fp4_negative_zero_positive",
        "file": "rtl/lut/fp4_lut_bnb_fp4.v",
        "format": "bnb_fp4",
        "find": "4'b1_000: begin f32_o = 32'h8000_0000;",
        "replace": "4'b1_000: begin f32_o = 32'h0000_0000;",
        "why": "bitsandbytes FP4's code 0b1000 decodes to +0.0 instead of -0.0 (the sign of zero lost)",
    },
]
