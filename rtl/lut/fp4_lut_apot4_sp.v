`resetall
`timescale 1ns / 1ps
`default_nettype none

// fp4_lut_apot4_sp: 4-bit lookup decoder, APoT4-SP (llm-datatypes apot4-sp): APoT4 with the -0
// code 0b1000 decoding to +0.5 = 5/10 (formats.md §5.4, §5.7). Port contract: docs/rtl_contract.md
// "fp4_lut_<name>". Combinational; one case arm per code (sign | magnitude index (3)), written
// from the spec table with the value as a comment. f32_o is the IEEE binary32 bit pattern; int_o
// is the two's complement integer mapping I, value = I * unit with unit = 1/10; valid_o = 0 marks
// an unused code (then f32_o and int_o are 0).
module fp4_lut_apot4_sp (
    input  wire [3:0]  code_i,
    output reg  [31:0] f32_o,    // the value as an IEEE binary32 bit pattern
    output reg  [15:0] int_o,    // two's complement integer mapping I (value = I * unit), 0 if none
    output reg         valid_o   // 0 for a code the format does not use
);

    always @* begin : lut
        case (code_i)
            4'b0_000: begin f32_o = 32'h0000_0000; int_o = 16'h0000; valid_o = 1'b1; end  // +0, I = 0
            4'b0_001: begin f32_o = 32'h3DCC_CCCD; int_o = 16'h0001; valid_o = 1'b1; end  // +0.1 = +1/10, I = +1
            4'b0_010: begin f32_o = 32'h3E4C_CCCD; int_o = 16'h0002; valid_o = 1'b1; end  // +0.2 = +2/10, I = +2
            4'b0_011: begin f32_o = 32'h3E99_999A; int_o = 16'h0003; valid_o = 1'b1; end  // +0.3 = +3/10, I = +3
            4'b0_100: begin f32_o = 32'h3ECC_CCCD; int_o = 16'h0004; valid_o = 1'b1; end  // +0.4 = +4/10, I = +4
            4'b0_101: begin f32_o = 32'h3F19_999A; int_o = 16'h0006; valid_o = 1'b1; end  // +0.6 = +6/10, I = +6
            4'b0_110: begin f32_o = 32'h3F4C_CCCD; int_o = 16'h0008; valid_o = 1'b1; end  // +0.8 = +8/10, I = +8
            4'b0_111: begin f32_o = 32'h3F80_0000; int_o = 16'h000A; valid_o = 1'b1; end  // +1 = +10/10, I = +10
            4'b1_000: begin f32_o = 32'h3F00_0000; int_o = 16'h0005; valid_o = 1'b1; end  // +0.5 = 5/10 (supernormal: the -0 code), I = +5
            4'b1_001: begin f32_o = 32'hBDCC_CCCD; int_o = 16'hFFFF; valid_o = 1'b1; end  // -0.1 = -1/10, I = -1
            4'b1_010: begin f32_o = 32'hBE4C_CCCD; int_o = 16'hFFFE; valid_o = 1'b1; end  // -0.2 = -2/10, I = -2
            4'b1_011: begin f32_o = 32'hBE99_999A; int_o = 16'hFFFD; valid_o = 1'b1; end  // -0.3 = -3/10, I = -3
            4'b1_100: begin f32_o = 32'hBECC_CCCD; int_o = 16'hFFFC; valid_o = 1'b1; end  // -0.4 = -4/10, I = -4
            4'b1_101: begin f32_o = 32'hBF19_999A; int_o = 16'hFFFA; valid_o = 1'b1; end  // -0.6 = -6/10, I = -6
            4'b1_110: begin f32_o = 32'hBF4C_CCCD; int_o = 16'hFFF8; valid_o = 1'b1; end  // -0.8 = -8/10, I = -8
            4'b1_111: begin f32_o = 32'hBF80_0000; int_o = 16'hFFF6; valid_o = 1'b1; end  // -1 = -10/10, I = -10
        endcase
    end

endmodule

`resetall
