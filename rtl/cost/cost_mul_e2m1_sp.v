`resetall
`timescale 1ns / 1ps
`default_nettype none

// cost_mul_e2m1_sp: one E2M1-SP x E2M1-SP lane (formats.md §5.7: the -0 code 4'b1000 is +5),
// the exact product of the integer mappings (units of 0.5, ±{0, 1, 2, 3, 4, 6, 8, 12} and +10;
// product -144..144). Datapath: the E2M1 lane with a 3-bit mantissa (the extra value is
// 3'b101 = 1.25 with shift 1): sign xor, 3x3 unsigned mantissa multiplier, shift adder, barrel
// shift, conditional negation. Cost model only (fp4ref cost, docs/cost.md); self-contained.
module cost_mul_e2m1_sp (
    input  wire [3:0]         a_i,
    input  wire [3:0]         b_i,
    output wire signed [15:0] prod_o    // Ia * Ib
);

    wire [1:0] a_e   = a_i[2:1];
    wire [1:0] b_e   = b_i[2:1];
    wire       a_x   = (a_i == 4'b1000);
    wire       b_x   = (b_i == 4'b1000);
    wire [2:0] a_man = a_x ? 3'b101 : {1'b0, |a_e, a_i[0]};
    wire [2:0] b_man = b_x ? 3'b101 : {1'b0, |b_e, b_i[0]};
    wire [1:0] a_sh  = {a_e[1] & a_e[0], (a_e[1] & ~a_e[0]) | a_x};
    wire [1:0] b_sh  = {b_e[1] & b_e[0], (b_e[1] & ~b_e[0]) | b_x};

    wire       sign  = (a_i[3] & ~a_x) ^ (b_i[3] & ~b_x);
    wire [4:0] man_p = {2'd0, a_man} * {2'd0, b_man};          // 0..25
    wire [2:0] sh_p  = {1'b0, a_sh} + {1'b0, b_sh};            // 0..4
    // reachable products are <= 144 (12 * 12), so 8 bits hold the magnitude
    wire [7:0] mag   = {3'd0, man_p} << sh_p;
    wire [8:0] prod  = sign ? 9'd0 - {1'b0, mag} : {1'b0, mag};

    assign prod_o = {{7{prod[8]}}, prod};

endmodule

`resetall
