`resetall
`timescale 1ns / 1ps
`default_nettype none
// Toolchain smoke test: a registered WIDTH-bit adder, so a bench proves that cocotb, the
// simulator and the clocked read-back all work before any real unit is simulated.
module smoke_adder #(
    // operand width in bits
    parameter integer WIDTH = 8
) (
    input  wire             clk_i,
    input  wire [WIDTH-1:0] a_i,
    input  wire [WIDTH-1:0] b_i,
    output reg  [WIDTH:0]   sum_o
);
    always @(posedge clk_i) sum_o <= a_i + b_i;
endmodule
`resetall
