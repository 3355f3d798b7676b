`resetall
`timescale 1ns / 1ps
`default_nettype none

// cost_mul_e2m1_sr: one E2M1-SR x E2M1-SR lane (formats.md §5.7: the -0 code 4'b1000 is +8),
// the exact product of the integer mappings (units of 0.5, ±{0, 1, 2, 3, 4, 6, 8, 12} and +16;
// product -192..256). Datapath: the E2M1 lane (sign xor, 2x2 mantissa multiplier, shift adder,
// barrel shift, conditional negation) with the extra code forced to mantissa 2'b10, shift 3,
// sign +: the shift field and the shifted magnitude grow by one bit.
// Cost model only (fp4ref cost, docs/cost.md); self-contained (no submodules).
module cost_mul_e2m1_sr (
    input  wire [3:0]         a_i,
    input  wire [3:0]         b_i,
    output wire signed [15:0] prod_o    // Ia * Ib
);

    wire [1:0] a_e   = a_i[2:1];
    wire [1:0] b_e   = b_i[2:1];
    wire       a_x   = (a_i == 4'b1000);
    wire       b_x   = (b_i == 4'b1000);
    wire [1:0] a_man = {(|a_e) | a_x, a_i[0]};
    wire [1:0] b_man = {(|b_e) | b_x, b_i[0]};
    wire [1:0] a_sh  = {(a_e[1] & a_e[0]) | a_x, (a_e[1] & ~a_e[0]) | a_x};
    wire [1:0] b_sh  = {(b_e[1] & b_e[0]) | b_x, (b_e[1] & ~b_e[0]) | b_x};

    wire       sign  = (a_i[3] & ~a_x) ^ (b_i[3] & ~b_x);
    wire [3:0] man_p = {2'd0, a_man} * {2'd0, b_man};          // 0..9
    wire [2:0] sh_p  = {1'b0, a_sh} + {1'b0, b_sh};            // 0..6
    // reachable products are <= 256 (16 * 16), so 9 bits hold the magnitude
    wire [8:0] mag   = {5'd0, man_p} << sh_p;
    wire [9:0] prod  = sign ? 10'd0 - {1'b0, mag} : {1'b0, mag};

    assign prod_o = {{6{prod[9]}}, prod};

endmodule

`resetall
