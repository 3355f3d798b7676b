`resetall
`timescale 1ns / 1ps
`default_nettype none

// cost_dec_e2m1: an OCP E2M1 code (±{0, 0.5, 1, 1.5, 2, 3, 4, 6}, formats.md §5.4) to its integer
// mapping in units of 0.5 (±{0, 1, 2, 3, 4, 6, 8, 12}); the -0 code gives 0.
// Magnitude = {e != 0, f} << max(e - 1, 0) for exponent field e = code[2:1], fraction f = code[0].
// Cost model only (fp4ref cost, docs/cost.md).
module cost_dec_e2m1 (
    input  wire [3:0]        code_i,    // sign | exp[1:0] | frac
    output wire signed [4:0] int_o      // -12..12
);

    wire [1:0] e   = code_i[2:1];
    wire [1:0] man = {|e, code_i[0]};
    wire [1:0] sh  = {e[1] & e[0], e[1] & ~e[0]};      // e 0,1 -> 0; 2 -> 1; 3 -> 2
    wire [4:0] mag = {3'd0, man} << sh;                // 0..12

    assign int_o = code_i[3] ? 5'd0 - mag : mag;

endmodule

`resetall
