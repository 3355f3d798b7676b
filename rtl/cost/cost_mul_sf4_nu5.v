`resetall
`timescale 1ns / 1ps
`default_nettype none

// cost_mul_sf4_nu5: one SF4 nu=5 x SF4 nu=5 lane: each code through a 16-entry LUT to its
// int8 fixed point I = RNE(value * 127) (unit 1/127, emu.lookup mul_ints()), then a signed
// 8x8 multiplier; the product (-16129..16129) is exact for those integers.
// Cost model only (fp4ref cost, docs/cost.md); self-contained (the LUT is a function here).
module cost_mul_sf4_nu5 (
    input  wire [3:0]         a_i,
    input  wire [3:0]         b_i,
    output wire signed [15:0] prod_o    // Ia * Ib
);

    function automatic signed [7:0] lut;
        input [3:0] code;
        case (code)
            4'd0 : lut = -8'sd127;  // -1.0
            4'd1 : lut = -8'sd80;   // -0.6277809739112854
            4'd2 : lut = -8'sd58;   // -0.45473599433898926
            4'd3 : lut = -8'sd42;   // -0.3343310058116913
            4'd4 : lut = -8'sd30;   // -0.2374339997768402
            4'd5 : lut = -8'sd19;   // -0.15289899706840515
            4'd6 : lut = -8'sd10;   // -0.07498200237751007
            4'd7 : lut =  8'sd0;    // 0.0
            4'd8 : lut =  8'sd8;    // 0.0655129998922348
            4'd9 : lut =  8'sd17;   // 0.13296499848365784
            4'd10: lut =  8'sd26;   // 0.20466099679470062
            4'd11: lut =  8'sd36;   // 0.2838349938392639
            4'd12: lut =  8'sd48;   // 0.37580499053001404
            4'd13: lut =  8'sd62;   // 0.4910759925842285
            4'd14: lut =  8'sd83;   // 0.656781017780304
            4'd15: lut =  8'sd127;  // 1.0
            default: lut = 8'sd0;
        endcase
    endfunction

    wire signed [7:0] int_a = lut(a_i);
    wire signed [7:0] int_b = lut(b_i);

    assign prod_o = int_a * int_b;

endmodule

`resetall
