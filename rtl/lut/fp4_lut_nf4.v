`resetall
`timescale 1ns / 1ps
`default_nettype none

// fp4_lut_nf4: 4-bit lookup decoder, bitsandbytes NF4, code = ascending index (formats.md §4.1);
// no integer mapping. Port contract: docs/rtl_contract.md "fp4_lut_<name>". Combinational; one
// case arm per code (the 4-bit code), written from the spec table with the value as a comment.
// f32_o is the IEEE binary32 bit pattern; int_o is the two's complement integer mapping I, value =
// I * unit with unit = none (int_o = 0); valid_o = 0 marks an unused code (then f32_o and int_o
// are 0).
module fp4_lut_nf4 (
    input  wire [3:0]  code_i,
    output reg  [31:0] f32_o,    // the value as an IEEE binary32 bit pattern
    output reg  [15:0] int_o,    // two's complement integer mapping I (value = I * unit), 0 if none
    output reg         valid_o   // 0 for a code the format does not use
);

    always @* begin : lut
        case (code_i)
            4'b0000: begin f32_o = 32'hBF80_0000; int_o = 16'h0000; valid_o = 1'b1; end  // -1.0
            4'b0001: begin f32_o = 32'hBF32_39B1; int_o = 16'h0000; valid_o = 1'b1; end  // -0.6961928009986877
            4'b0010: begin f32_o = 32'hBF06_6B30; int_o = 16'h0000; valid_o = 1'b1; end  // -0.5250730514526367
            4'b0011: begin f32_o = 32'hBECA_32A0; int_o = 16'h0000; valid_o = 1'b1; end  // -0.39491748809814453
            4'b0100: begin f32_o = 32'hBE91_A24D; int_o = 16'h0000; valid_o = 1'b1; end  // -0.28444138169288635
            4'b0101: begin f32_o = 32'hBE3D_353F; int_o = 16'h0000; valid_o = 1'b1; end  // -0.18477343022823334
            4'b0110: begin f32_o = 32'hBDBA_7871; int_o = 16'h0000; valid_o = 1'b1; end  // -0.09105003625154495
            4'b0111: begin f32_o = 32'h0000_0000; int_o = 16'h0000; valid_o = 1'b1; end  // 0.0
            4'b1000: begin f32_o = 32'h3DA2_FAFF; int_o = 16'h0000; valid_o = 1'b1; end  // 0.07958029955625534
            4'b1001: begin f32_o = 32'h3E24_CAE3; int_o = 16'h0000; valid_o = 1'b1; end  // 0.16093020141124725
            4'b1010: begin f32_o = 32'h3E7C_04DD; int_o = 16'h0000; valid_o = 1'b1; end  // 0.24611230194568634
            4'b1011: begin f32_o = 32'h3EAD_033A; int_o = 16'h0000; valid_o = 1'b1; end  // 0.33791524171829224
            4'b1100: begin f32_o = 32'h3EE1_A4B8; int_o = 16'h0000; valid_o = 1'b1; end  // 0.44070982933044434
            4'b1101: begin f32_o = 32'h3F10_07AB; int_o = 16'h0000; valid_o = 1'b1; end  // 0.5626170039176941
            4'b1110: begin f32_o = 32'h3F39_13B3; int_o = 16'h0000; valid_o = 1'b1; end  // 0.7229568362236023
            4'b1111: begin f32_o = 32'h3F80_0000; int_o = 16'h0000; valid_o = 1'b1; end  // 1.0
        endcase
    end

endmodule

`resetall
