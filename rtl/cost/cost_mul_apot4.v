`resetall
`timescale 1ns / 1ps
`default_nettype none

// cost_mul_apot4: one APoT4 x APoT4 lane (integer mappings ±{0, 1, 2, 3, 4, 6, 8, 10} in units
// of 0.1), the exact product (-100..100); the unused code 4'b1000 is a don't-care (gives 0).
// Datapath: sign xor; each magnitude is the sum of <= 2 powers of two, 2^hi + 2^lo (an OR: the
// terms never overlap); a 4x4 unsigned multiplier of the two magnitudes, whose partial products
// are the shifted copies of a selected by b's <= 2 set bits (the APoT shift-add, written as a
// multiply: ABC maps this form smaller than explicit shifters plus an adder, docs/cost.md);
// then a conditional negation. Cost model only (fp4ref cost, docs/cost.md); self-contained.
module cost_mul_apot4 (
    input  wire [3:0]         a_i,
    input  wire [3:0]         b_i,
    output wire signed [15:0] prod_o    // Ia * Ib
);

    wire [2:0] a_m   = a_i[2:0];
    wire [2:0] b_m   = b_i[2:0];
    // term hi = 2^m[2:1], present when m != 0; term lo = 2^m[2], present for m = 3, 5, 7
    wire [3:0] a_hi  = (|a_m) ? 4'd1 << a_m[2:1] : 4'd0;
    wire [3:0] a_lo  = (a_m[0] & (a_m[2] | a_m[1])) ? 4'd1 << a_m[2] : 4'd0;
    wire [3:0] b_hi  = (|b_m) ? 4'd1 << b_m[2:1] : 4'd0;
    wire [3:0] b_lo  = (b_m[0] & (b_m[2] | b_m[1])) ? 4'd1 << b_m[2] : 4'd0;
    wire [3:0] a_mag = a_hi | a_lo;                                       // 0..10
    wire [3:0] b_mag = b_hi | b_lo;
    wire [6:0] mag   = {3'd0, a_mag} * {3'd0, b_mag};                     // <= 100
    wire       sign  = a_i[3] ^ b_i[3];
    wire [7:0] prod  = sign ? 8'd0 - {1'b0, mag} : {1'b0, mag};

    assign prod_o = {{8{prod[7]}}, prod};

endmodule

`resetall
