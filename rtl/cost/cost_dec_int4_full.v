`resetall
`timescale 1ns / 1ps
`default_nettype none

// cost_dec_int4_full: an INT4 code (two's complement, -8..7, formats.md §5.3) to the integer a
// MAC multiplies, which is the code itself: no logic. Cost model only (fp4ref cost, docs/cost.md).
module cost_dec_int4_full (
    input  wire [3:0]        code_i,
    output wire signed [3:0] int_o      // I = code_i, -8..7 (unit 1)
);

    assign int_o = code_i;

endmodule

`resetall
