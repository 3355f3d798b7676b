`resetall
`timescale 1ns / 1ps
`default_nettype none

// cost_mul_int4_full: one INT4 x INT4 lane, the exact product of two two's complement codes
// (-56..64). Datapath: a signed 4x4 multiplier (the codes are the integers).
// Cost model only (fp4ref cost, docs/cost.md); self-contained (no submodules).
module cost_mul_int4_full (
    input  wire [3:0]         a_i,
    input  wire [3:0]         b_i,
    output wire signed [15:0] prod_o    // Ia * Ib
);

    wire signed [3:0] int_a = a_i;
    wire signed [3:0] int_b = b_i;
    wire signed [7:0] prod  = int_a * int_b;

    assign prod_o = {{8{prod[7]}}, prod};

endmodule

`resetall
