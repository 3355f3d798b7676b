`resetall
`timescale 1ns / 1ps
`default_nettype none

// fp4_lut_e1m2_ld: 4-bit lookup decoder, E1M2 without subnormals (llm-datatypes fp4_e1m2, paper
// "E1M2"): sign-magnitude in the FP4_E2M1_BIT layout, magnitudes {0, 1.25, 1.5, 1.75, 2, 2.5, 3,
// 3.5} (bias 0, exponent field 0 decoded as the binade 1.x with 1.0 replaced by 0), code 0b1000
// unused (formats.md §5.4, §5.6). Port contract: docs/rtl_contract.md "fp4_lut_<name>".
// Combinational; one case arm per code (sign | exponent field (1) | fraction field (2)), written
// from the spec table with the value as a comment. f32_o is the IEEE binary32 bit pattern; int_o
// is the two's complement integer mapping I, value = I * unit with unit = 1/4; valid_o = 0 marks
// an unused code (then f32_o and int_o are 0).
module fp4_lut_e1m2_ld (
    input  wire [3:0]  code_i,
    output reg  [31:0] f32_o,    // the value as an IEEE binary32 bit pattern
    output reg  [15:0] int_o,    // two's complement integer mapping I (value = I * unit), 0 if none
    output reg         valid_o   // 0 for a code the format does not use
);

    always @* begin : lut
        case (code_i)
            4'b0_0_00: begin f32_o = 32'h0000_0000; int_o = 16'h0000; valid_o = 1'b1; end  // 0, I = 0
            4'b0_0_01: begin f32_o = 32'h3FA0_0000; int_o = 16'h0005; valid_o = 1'b1; end  // +1.25, I = +5
            4'b0_0_10: begin f32_o = 32'h3FC0_0000; int_o = 16'h0006; valid_o = 1'b1; end  // +1.5, I = +6
            4'b0_0_11: begin f32_o = 32'h3FE0_0000; int_o = 16'h0007; valid_o = 1'b1; end  // +1.75, I = +7
            4'b0_1_00: begin f32_o = 32'h4000_0000; int_o = 16'h0008; valid_o = 1'b1; end  // +2, I = +8
            4'b0_1_01: begin f32_o = 32'h4020_0000; int_o = 16'h000A; valid_o = 1'b1; end  // +2.5, I = +10
            4'b0_1_10: begin f32_o = 32'h4040_0000; int_o = 16'h000C; valid_o = 1'b1; end  // +3, I = +12
            4'b0_1_11: begin f32_o = 32'h4060_0000; int_o = 16'h000E; valid_o = 1'b1; end  // +3.5, I = +14
            4'b1_0_00: begin f32_o = 32'h0000_0000; int_o = 16'h0000; valid_o = 1'b0; end  // unused (the -0 pattern of FP4_E2M1_BIT)
            4'b1_0_01: begin f32_o = 32'hBFA0_0000; int_o = 16'hFFFB; valid_o = 1'b1; end  // -1.25, I = -5
            4'b1_0_10: begin f32_o = 32'hBFC0_0000; int_o = 16'hFFFA; valid_o = 1'b1; end  // -1.5, I = -6
            4'b1_0_11: begin f32_o = 32'hBFE0_0000; int_o = 16'hFFF9; valid_o = 1'b1; end  // -1.75, I = -7
            4'b1_1_00: begin f32_o = 32'hC000_0000; int_o = 16'hFFF8; valid_o = 1'b1; end  // -2, I = -8
            4'b1_1_01: begin f32_o = 32'hC020_0000; int_o = 16'hFFF6; valid_o = 1'b1; end  // -2.5, I = -10
            4'b1_1_10: begin f32_o = 32'hC040_0000; int_o = 16'hFFF4; valid_o = 1'b1; end  // -3, I = -12
            4'b1_1_11: begin f32_o = 32'hC060_0000; int_o = 16'hFFF2; valid_o = 1'b1; end  // -3.5, I = -14
        endcase
    end

endmodule

`resetall
