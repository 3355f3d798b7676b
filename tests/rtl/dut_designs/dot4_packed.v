// A test design for DUT files (tests/rtl/test_dut_features.py): a 4-lane E2M1 dot product whose
// lanes are packed into vectors (xs[4k+3:4k] is lane k), built from a filelist (files.f:
// +incdir+, +define+), with a 12-bit wrapping accumulator whose width comes from an include.
`include "dot4_defs.vh"
module dot4_packed (
    input  wire [15:0]              xs,
    input  wire [15:0]              ws,
    input  wire [`DOT4_ACC_W-1:0]   acc_i,
    input  wire                     unused_mode,
    output wire [`DOT4_ACC_W-1:0]   acc_o
);
    `include "e2m1_imap.vh"         // imap(code) = I(code) = 2 x value, signed
    wire signed [11:0] p0 = imap(xs[3:0])   * imap(ws[3:0]);
    wire signed [11:0] p1 = imap(xs[7:4])   * imap(ws[7:4]);
    wire signed [11:0] p2 = imap(xs[11:8])  * imap(ws[11:8]);
    wire signed [11:0] p3 = imap(xs[15:12]) * imap(ws[15:12]);
`ifdef DOT4_SUM
    assign acc_o = acc_i + p0 + p1 + p2 + p3;
`else
    assign acc_o = acc_i;
`endif
endmodule
