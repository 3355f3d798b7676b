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
    wire signed [13:0] pair = imap(x[3:0]) * imap(w[3:0]) + imap(x[7:4]) * imap(w[7:4]);
    always @(posedge clk)
        if (rst || clr) acc <= 14'sd0;
        else            acc <= acc + pair;
endmodule
