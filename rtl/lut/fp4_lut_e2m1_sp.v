`resetall
`timescale 1ns / 1ps
`default_nettype none

// fp4_lut_e2m1_sp: 4-bit lookup decoder, E2M1 with super-precision support (E2M1-SP, llm-datatypes
// fp4_prec2): OCP E2M1 with the -0 code 0b1000 decoding to +5.0 (formats.md §5.4, §5.7). Port
// contract: docs/rtl_contract.md "fp4_lut_<name>". Combinational; one case arm per code (sign |
// exponent field (2) | fraction field (1)), written from the spec table with the value as a
// comment. f32_o is the IEEE binary32 bit pattern; int_o is the two's complement integer mapping
// I, value = I * unit with unit = 0.5; valid_o = 0 marks an unused code (then f32_o and int_o are
// 0).
module fp4_lut_e2m1_sp (
    input  wire [3:0]  code_i,
    output reg  [31:0] f32_o,    // the value as an IEEE binary32 bit pattern
    output reg  [15:0] int_o,    // two's complement integer mapping I (value = I * unit), 0 if none
    output reg         valid_o   // 0 for a code the format does not use
);

    always @* begin : lut
        case (code_i)
            4'b0_00_0: begin f32_o = 32'h0000_0000; int_o = 16'h0000; valid_o = 1'b1; end  // +0, I = +0
            4'b0_00_1: begin f32_o = 32'h3F00_0000; int_o = 16'h0001; valid_o = 1'b1; end  // +0.5, I = +1
            4'b0_01_0: begin f32_o = 32'h3F80_0000; int_o = 16'h0002; valid_o = 1'b1; end  // +1, I = +2
            4'b0_01_1: begin f32_o = 32'h3FC0_0000; int_o = 16'h0003; valid_o = 1'b1; end  // +1.5, I = +3
            4'b0_10_0: begin f32_o = 32'h4000_0000; int_o = 16'h0004; valid_o = 1'b1; end  // +2, I = +4
            4'b0_10_1: begin f32_o = 32'h4040_0000; int_o = 16'h0006; valid_o = 1'b1; end  // +3, I = +6
            4'b0_11_0: begin f32_o = 32'h4080_0000; int_o = 16'h0008; valid_o = 1'b1; end  // +4, I = +8
            4'b0_11_1: begin f32_o = 32'h40C0_0000; int_o = 16'h000C; valid_o = 1'b1; end  // +6, I = +12
            4'b1_00_0: begin f32_o = 32'h40A0_0000; int_o = 16'h000A; valid_o = 1'b1; end  // +5 (supernormal: the -0 code), I = +10
            4'b1_00_1: begin f32_o = 32'hBF00_0000; int_o = 16'hFFFF; valid_o = 1'b1; end  // -0.5, I = -1
            4'b1_01_0: begin f32_o = 32'hBF80_0000; int_o = 16'hFFFE; valid_o = 1'b1; end  // -1, I = -2
            4'b1_01_1: begin f32_o = 32'hBFC0_0000; int_o = 16'hFFFD; valid_o = 1'b1; end  // -1.5, I = -3
            4'b1_10_0: begin f32_o = 32'hC000_0000; int_o = 16'hFFFC; valid_o = 1'b1; end  // -2, I = -4
            4'b1_10_1: begin f32_o = 32'hC040_0000; int_o = 16'hFFFA; valid_o = 1'b1; end  // -3, I = -6
            4'b1_11_0: begin f32_o = 32'hC080_0000; int_o = 16'hFFF8; valid_o = 1'b1; end  // -4, I = -8
            4'b1_11_1: begin f32_o = 32'hC0C0_0000; int_o = 16'hFFF4; valid_o = 1'b1; end  // -6, I = -12
        endcase
    end

endmodule

`resetall
