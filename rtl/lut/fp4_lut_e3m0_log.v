`resetall
`timescale 1ns / 1ps
`default_nettype none

// fp4_lut_e3m0_log: 4-bit lookup decoder, E3M0 log grid (llm-datatypes fp4_log, paper "E3M0"):
// sign-magnitude in the FP4_E2M1_BIT layout, magnitudes {0, 0.25, 0.5, 1, 2, 4, 8, 16} (bias 3,
// exponent field 0 = zero), code 0b1000 unused (formats.md §5.4, §5.6). Port contract:
// docs/rtl_contract.md "fp4_lut_<name>". Combinational; one case arm per code (sign | exponent
// field (3)), written from the spec table with the value as a comment. f32_o is the IEEE binary32
// bit pattern; int_o is the two's complement integer mapping I, value = I * unit with unit = 1/4;
// valid_o = 0 marks an unused code (then f32_o and int_o are 0).
module fp4_lut_e3m0_log (
    input  wire [3:0]  code_i,
    output reg  [31:0] f32_o,    // the value as an IEEE binary32 bit pattern
    output reg  [15:0] int_o,    // two's complement integer mapping I (value = I * unit), 0 if none
    output reg         valid_o   // 0 for a code the format does not use
);

    always @* begin : lut
        case (code_i)
            4'b0_000: begin f32_o = 32'h0000_0000; int_o = 16'h0000; valid_o = 1'b1; end  // 0, I = 0
            4'b0_001: begin f32_o = 32'h3E80_0000; int_o = 16'h0001; valid_o = 1'b1; end  // +0.25, I = +1
            4'b0_010: begin f32_o = 32'h3F00_0000; int_o = 16'h0002; valid_o = 1'b1; end  // +0.5, I = +2
            4'b0_011: begin f32_o = 32'h3F80_0000; int_o = 16'h0004; valid_o = 1'b1; end  // +1, I = +4
            4'b0_100: begin f32_o = 32'h4000_0000; int_o = 16'h0008; valid_o = 1'b1; end  // +2, I = +8
            4'b0_101: begin f32_o = 32'h4080_0000; int_o = 16'h0010; valid_o = 1'b1; end  // +4, I = +16
            4'b0_110: begin f32_o = 32'h4100_0000; int_o = 16'h0020; valid_o = 1'b1; end  // +8, I = +32
            4'b0_111: begin f32_o = 32'h4180_0000; int_o = 16'h0040; valid_o = 1'b1; end  // +16, I = +64
            4'b1_000: begin f32_o = 32'h0000_0000; int_o = 16'h0000; valid_o = 1'b0; end  // unused (the -0 pattern of FP4_E2M1_BIT)
            4'b1_001: begin f32_o = 32'hBE80_0000; int_o = 16'hFFFF; valid_o = 1'b1; end  // -0.25, I = -1
            4'b1_010: begin f32_o = 32'hBF00_0000; int_o = 16'hFFFE; valid_o = 1'b1; end  // -0.5, I = -2
            4'b1_011: begin f32_o = 32'hBF80_0000; int_o = 16'hFFFC; valid_o = 1'b1; end  // -1, I = -4
            4'b1_100: begin f32_o = 32'hC000_0000; int_o = 16'hFFF8; valid_o = 1'b1; end  // -2, I = -8
            4'b1_101: begin f32_o = 32'hC080_0000; int_o = 16'hFFF0; valid_o = 1'b1; end  // -4, I = -16
            4'b1_110: begin f32_o = 32'hC100_0000; int_o = 16'hFFE0; valid_o = 1'b1; end  // -8, I = -32
            4'b1_111: begin f32_o = 32'hC180_0000; int_o = 16'hFFC0; valid_o = 1'b1; end  // -16, I = -64
        endcase
    end

endmodule

`resetall
