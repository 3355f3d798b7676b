`resetall
`timescale 1ns / 1ps
`default_nettype none

// cost_mac: one MAC lane for the cost model (fp4ref cost, docs/cost.md): the multiplier named by
// the macro COST_MUL (a cost_mul_<name> module: two 4-bit codes -> signed 16-bit Ia * Ib) and a
// 24-bit accumulator register, acc <= acc + Ia * Ib (wrapping; no reset, no enable).
// Synthesized flattened with its multiplier: `read_verilog -DCOST_MUL=cost_mul_<name> ...`.
`ifndef COST_MUL
`define COST_MUL cost_mul_int4_full
`endif

module cost_mac (
    input  wire               clk_i,
    input  wire [3:0]         a_i,
    input  wire [3:0]         b_i,
    output reg  signed [23:0] acc_o     // running sum of Ia * Ib
);

    wire signed [15:0] prod;

    `COST_MUL u_mul (.a_i(a_i), .b_i(b_i), .prod_o(prod));

    always @(posedge clk_i) begin
        acc_o <= acc_o + {{8{prod[15]}}, prod};
    end

endmodule

`resetall
