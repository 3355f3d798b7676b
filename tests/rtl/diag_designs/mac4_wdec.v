// mac4_wdec: a user's 4-lane E2M1 dot-product MAC (combinational, 12-bit wrapping accumulator in
// units of 1/4), lanes packed in bytes {w, x}, with a fault in its weight decoder only: the rows
// of codes 5 and 6 (3.0 and 4.0) are swapped. The activation decoder is correct.
`default_nettype none
module mac4_wdec (
    input  wire [31:0] pairs,           // lane k: x at [8k +: 4], w at [8k + 4 +: 4]
    input  wire [11:0] acc_in,
    output wire [11:0] acc_out
);
    function signed [5:0] dec_x;        // I = 2 x value, signed
        input [3:0] c;
        reg [4:0] m;
        begin
            case (c[2:0])
                3'd0: m = 0; 3'd1: m = 1; 3'd2: m = 2; 3'd3: m = 3;
                3'd4: m = 4; 3'd5: m = 6; 3'd6: m = 8; default: m = 12;
            endcase
            dec_x = c[3] ? -$signed({1'b0, m}) : $signed({1'b0, m});
        end
    endfunction
    function signed [5:0] dec_w;        // the same table, rows 5 and 6 swapped
        input [3:0] c;
        reg [4:0] m;
        begin
            case (c[2:0])
                3'd0: m = 0; 3'd1: m = 1; 3'd2: m = 2; 3'd3: m = 3;
                3'd4: m = 4; 3'd5: m = 8; 3'd6: m = 6; default: m = 12;
            endcase
            dec_w = c[3] ? -$signed({1'b0, m}) : $signed({1'b0, m});
        end
    endfunction
    wire signed [11:0] p0 = dec_x(pairs[3:0])   * dec_w(pairs[7:4]);
    wire signed [11:0] p1 = dec_x(pairs[11:8])  * dec_w(pairs[15:12]);
    wire signed [11:0] p2 = dec_x(pairs[19:16]) * dec_w(pairs[23:20]);
    wire signed [11:0] p3 = dec_x(pairs[27:24]) * dec_w(pairs[31:28]);
    assign acc_out = acc_in + p0 + p1 + p2 + p3;
endmodule
`default_nettype wire
