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
    function signed [5:0] imap(input [3:0] code);   // I(code) = 2 x value
        reg [4:0] mag;
        begin
            case (code[2:0])
                3'd0: mag = 5'd0;  3'd1: mag = 5'd1;  3'd2: mag = 5'd2;  3'd3: mag = 5'd3;
                3'd4: mag = 5'd4;  3'd5: mag = 5'd6;  3'd6: mag = 5'd8;  default: mag = 5'd12;
            endcase
            imap = code[3] ? -$signed({1'b0, mag}) : $signed({1'b0, mag});
        end
    endfunction
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
