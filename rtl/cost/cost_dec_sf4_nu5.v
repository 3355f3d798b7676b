`resetall
`timescale 1ns / 1ps
`default_nettype none

// cost_dec_sf4_nu5: a SF4 nu = 5 (llm-datatypes SF4_5, code = ascending index, formats.md §5.1) code to its int8 fixed point
// I = RNE(value * 127), unit 1/127 (emu.lookup mul_ints(): the float32 constants are no integer
// grid, so a MAC multiplies these approximations). A 16-entry LUT; the comment on each arm is
// the format's float32 constant. Cost model only (fp4ref cost, docs/cost.md).
module cost_dec_sf4_nu5 (
    input  wire [3:0]        code_i,
    output reg  signed [7:0] int_o      // -127..127
);

    always @(*) begin
        case (code_i)
            4'd0 : int_o = -8'sd127;  // -1.0
            4'd1 : int_o = -8'sd80;   // -0.6277809739112854
            4'd2 : int_o = -8'sd58;   // -0.45473599433898926
            4'd3 : int_o = -8'sd42;   // -0.3343310058116913
            4'd4 : int_o = -8'sd30;   // -0.2374339997768402
            4'd5 : int_o = -8'sd19;   // -0.15289899706840515
            4'd6 : int_o = -8'sd10;   // -0.07498200237751007
            4'd7 : int_o =  8'sd0;    // 0.0
            4'd8 : int_o =  8'sd8;    // 0.0655129998922348
            4'd9 : int_o =  8'sd17;   // 0.13296499848365784
            4'd10: int_o =  8'sd26;   // 0.20466099679470062
            4'd11: int_o =  8'sd36;   // 0.2838349938392639
            4'd12: int_o =  8'sd48;   // 0.37580499053001404
            4'd13: int_o =  8'sd62;   // 0.4910759925842285
            4'd14: int_o =  8'sd83;   // 0.656781017780304
            4'd15: int_o =  8'sd127;  // 1.0
            default: int_o = 8'sd0;
        endcase
    end

endmodule

`resetall
