`resetall
`timescale 1ns / 1ps
`default_nettype none

// cost_mul_e1m2: one E1M2 x E1M2 lane ({0, 0.5 .. 3.5}, integer mapping 0..7 in units of 0.5),
// the exact product of the integer mappings (-49..49). Datapath: sign xor, a 3x3 unsigned
// magnitude multiplier, one conditional negation. Cost model only (fp4ref cost, docs/cost.md).
module cost_mul_e1m2 (
    input  wire [3:0]         a_i,
    input  wire [3:0]         b_i,
    output wire signed [15:0] prod_o    // Ia * Ib
);

    wire       sign = a_i[3] ^ b_i[3];
    wire [6:0] mag  = {4'd0, a_i[2:0]} * {4'd0, b_i[2:0]};   // <= 49
    wire [6:0] prod = sign ? 7'd0 - mag : mag;               // -0 * x: mag = 0

    assign prod_o = {{9{prod[6]}}, prod};

endmodule

`resetall
