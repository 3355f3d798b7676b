`resetall
`timescale 1ns / 1ps
`default_nettype none

// cost_dec_e1m2: an E1M2 code (bias 0 with subnormals, {0, 0.5 .. 3.5}, llm-fp4.md §1.3 /
// formats.md §6) to its integer mapping in units of 0.5: the magnitude field e|mm read as one
// 3-bit integer 0..7 (E1M2 is a uniform grid), sign-magnitude to two's complement; the -0 code
// gives 0. Cost model only (fp4ref cost, docs/cost.md).
module cost_dec_e1m2 (
    input  wire [3:0]        code_i,    // sign | exp | frac
    output wire signed [3:0] int_o      // -7..7
);

    // E = 0: I = M (0..3); E = 1: I = 4 + M (4..7): together code_i[2:0]
    wire [3:0] mag = {1'b0, code_i[2:0]};

    assign int_o = code_i[3] ? 4'd0 - mag : mag;

endmodule

`resetall
