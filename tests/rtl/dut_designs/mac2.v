// A test design for DUT files (tests/rtl/test_dut_features.py): a sequential E2M1 MAC that
// takes two code pairs per clock (x[3:0]*w[3:0] + x[7:4]*w[7:4]) into a 14-bit wrapping
// accumulator of contract units (1/4), no product register (latency 1), synchronous active-high
// reset and clear, no enable.
module mac2 (
    input  wire               clk,
    input  wire               rst,
    input  wire               clr,
    input  wire [7:0]         x,
    input  wire [7:0]         w,
    output reg  signed [13:0] acc
);
    `include "e2m1_imap.vh"         // imap(code) = I(code) = 2 x value, signed
    wire signed [13:0] pair = imap(x[3:0]) * imap(w[3:0]) + imap(x[7:4]) * imap(w[7:4]);
    always @(posedge clk)
        if (rst || clr) acc <= 14'sd0;
        else            acc <= acc + pair;
endmodule
