`resetall
`timescale 1ns / 1ps
`default_nettype none

// cost_mul_e2m1: one E2M1 x E2M1 lane, the exact product of the integer mappings (units of 0.5,
// ±{0, 1, 2, 3, 4, 6, 8, 12}; product -144..144). Datapath: sign xor; each operand's magnitude
// is a 2-bit mantissa {e != 0, f} and a shift max(e - 1, 0); a 2x2 unsigned mantissa multiplier,
// a 2-bit shift adder, a barrel shift, one conditional negation.
// Cost model only (fp4ref cost, docs/cost.md); self-contained (no submodules).
module cost_mul_e2m1 (
    input  wire [3:0]         a_i,
    input  wire [3:0]         b_i,
    output wire signed [15:0] prod_o    // Ia * Ib
);

    wire [1:0] a_e   = a_i[2:1];
    wire [1:0] b_e   = b_i[2:1];
    wire [1:0] a_man = {|a_e, a_i[0]};
    wire [1:0] b_man = {|b_e, b_i[0]};
    wire [1:0] a_sh  = {a_e[1] & a_e[0], a_e[1] & ~a_e[0]};
    wire [1:0] b_sh  = {b_e[1] & b_e[0], b_e[1] & ~b_e[0]};

    wire       sign  = a_i[3] ^ b_i[3];
    wire [3:0] man_p = {2'd0, a_man} * {2'd0, b_man};          // 0..9
    wire [2:0] sh_p  = {1'b0, a_sh} + {1'b0, b_sh};            // 0..4
    wire [8:0] mag   = {5'd0, man_p} << sh_p;                  // 0..144
    wire [8:0] prod  = sign ? 9'd0 - mag : mag;

    assign prod_o = {{7{prod[8]}}, prod};

endmodule

`resetall
