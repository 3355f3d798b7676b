`resetall
`timescale 1ns / 1ps
`default_nettype none

// cost_mul_nf4: one NF4 x NF4 lane: each code through a 16-entry LUT to its
// int8 fixed point I = RNE(value * 127) (unit 1/127, emu.lookup mul_ints()), then a signed
// 8x8 multiplier; the product (-16129..16129) is exact for those integers.
// Cost model only (fp4ref cost, docs/cost.md); self-contained (the LUT is a function here).
module cost_mul_nf4 (
    input  wire [3:0]         a_i,
    input  wire [3:0]         b_i,
    output wire signed [15:0] prod_o    // Ia * Ib
);

    function automatic signed [7:0] lut;
        input [3:0] code;
        case (code)
            4'd0 : lut = -8'sd127;  // -1.0
            4'd1 : lut = -8'sd88;   // -0.6961928009986877
            4'd2 : lut = -8'sd67;   // -0.5250730514526367
            4'd3 : lut = -8'sd50;   // -0.39491748809814453
            4'd4 : lut = -8'sd36;   // -0.28444138169288635
            4'd5 : lut = -8'sd23;   // -0.18477343022823334
            4'd6 : lut = -8'sd12;   // -0.09105003625154495
            4'd7 : lut =  8'sd0;    // 0.0
            4'd8 : lut =  8'sd10;   // 0.07958029955625534
            4'd9 : lut =  8'sd20;   // 0.16093020141124725
            4'd10: lut =  8'sd31;   // 0.24611230194568634
            4'd11: lut =  8'sd43;   // 0.33791524171829224
            4'd12: lut =  8'sd56;   // 0.44070982933044434
            4'd13: lut =  8'sd71;   // 0.5626170039176941
            4'd14: lut =  8'sd92;   // 0.7229568362236023
            4'd15: lut =  8'sd127;  // 1.0
            default: lut = 8'sd0;
        endcase
    endfunction

    wire signed [7:0] int_a = lut(a_i);
    wire signed [7:0] int_b = lut(b_i);

    assign prod_o = int_a * int_b;

endmodule

`resetall
