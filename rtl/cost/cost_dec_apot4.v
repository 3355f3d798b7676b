`resetall
`timescale 1ns / 1ps
`default_nettype none

// cost_dec_apot4: an APoT4 code (sign-magnitude, ±{0, .1, .2, .3, .4, .6, .8, 1.0}, llm-datatypes
// apot4, formats.md §5.4) to its integer mapping in units of 0.1: ±{0, 1, 2, 3, 4, 6, 8, 10}.
// The -0 code 4'b1000 is unused (decodes to 0). Each magnitude is a sum of <= 2 powers of two:
// 2^hi (hi = code[2:1], present when the magnitude index m != 0) + 2^lo (lo = code[2], present
// for m = 3, 5, 7). Cost model only (fp4ref cost, docs/cost.md).
module cost_dec_apot4 (
    input  wire [3:0]        code_i,    // sign | magnitude index m[2:0]
    output wire signed [4:0] int_o      // -10..10
);

    wire [2:0] m     = code_i[2:0];
    wire       hi_en = |m;
    wire       lo_en = m[0] & (m[2] | m[1]);
    wire [4:0] hi    = hi_en ? 5'd1 << m[2:1] : 5'd0;    // 1, 2, 2, 4, 4, 8, 8
    wire [4:0] lo    = lo_en ? 5'd1 << m[2]   : 5'd0;    // m = 3: 1; m = 5, 7: 2
    wire [4:0] mag   = hi | lo;                          // the two powers never overlap

    assign int_o = code_i[3] ? 5'd0 - mag : mag;

endmodule

`resetall
