`resetall
`timescale 1ns / 1ps
`default_nettype none

// cost_dec_nf4: a NF4 (bitsandbytes, code = ascending index, formats.md §4.1) code to its int8 fixed point
// I = RNE(value * 127), unit 1/127 (emu.lookup mul_ints(): the float32 constants are no integer
// grid, so a MAC multiplies these approximations). A 16-entry LUT; the comment on each arm is
// the format's float32 constant. Cost model only (fp4ref cost, docs/cost.md).
module cost_dec_nf4 (
    input  wire [3:0]        code_i,
    output reg  signed [7:0] int_o      // -127..127
);

    always @(*) begin
        case (code_i)
            4'd0 : int_o = -8'sd127;  // -1.0
            4'd1 : int_o = -8'sd88;   // -0.6961928009986877
            4'd2 : int_o = -8'sd67;   // -0.5250730514526367
            4'd3 : int_o = -8'sd50;   // -0.39491748809814453
            4'd4 : int_o = -8'sd36;   // -0.28444138169288635
            4'd5 : int_o = -8'sd23;   // -0.18477343022823334
            4'd6 : int_o = -8'sd12;   // -0.09105003625154495
            4'd7 : int_o =  8'sd0;    // 0.0
            4'd8 : int_o =  8'sd10;   // 0.07958029955625534
            4'd9 : int_o =  8'sd20;   // 0.16093020141124725
            4'd10: int_o =  8'sd31;   // 0.24611230194568634
            4'd11: int_o =  8'sd43;   // 0.33791524171829224
            4'd12: int_o =  8'sd56;   // 0.44070982933044434
            4'd13: int_o =  8'sd71;   // 0.5626170039176941
            4'd14: int_o =  8'sd92;   // 0.7229568362236023
            4'd15: int_o =  8'sd127;  // 1.0
            default: int_o = 8'sd0;
        endcase
    end

endmodule

`resetall
