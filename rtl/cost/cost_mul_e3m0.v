`resetall
`timescale 1ns / 1ps
`default_nettype none

// cost_mul_e3m0: one E3M0 x E3M0 lane (integer mappings ±{0, 1, 2, 4 .. 64} in units of 0.25),
// the exact product (-4096..4096). Datapath: sign xor, a 3-bit exponent adder, a one-hot decode
// of the sum (the product of two powers of two is a shift), zero detect, conditional negation.
// Cost model only (fp4ref cost, docs/cost.md); self-contained (no submodules).
module cost_mul_e3m0 (
    input  wire [3:0]         a_i,
    input  wire [3:0]         b_i,
    output wire signed [15:0] prod_o    // Ia * Ib
);

    wire [2:0]  a_e  = a_i[2:0];
    wire [2:0]  b_e  = b_i[2:0];
    wire        nz   = (|a_e) & (|b_e);
    wire        sign = a_i[3] ^ b_i[3];
    wire [3:0]  sh   = {1'b0, a_e} + {1'b0, b_e} - 4'd2;       // (ea - 1) + (eb - 1): 0..12
    wire [12:0] mag  = nz ? 13'd1 << sh : 13'd0;                // 0, 1 .. 4096
    wire [13:0] prod = sign ? 14'd0 - {1'b0, mag} : {1'b0, mag};

    assign prod_o = {{2{prod[13]}}, prod};

endmodule

`resetall
