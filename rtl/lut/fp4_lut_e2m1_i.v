`resetall
`timescale 1ns / 1ps
`default_nettype none

// fp4_lut_e2m1_i: 4-bit lookup decoder, E2M1-I, Intel neural-compressor FP4 (llm-datatypes
// fp4_e2m1): sign-magnitude in the FP4_E2M1_BIT layout, magnitudes {0, 0.0625, 1, 1.5, 2, 3, 4, 6}
// (the odd "subnormal" 0.0625), code 0b1000 unused (formats.md §5.4, §5.6). Port contract:
// docs/rtl_contract.md "fp4_lut_<name>". Combinational; one case arm per code (sign | exponent
// field (2) | fraction field (1)), written from the spec table with the value as a comment. f32_o
// is the IEEE binary32 bit pattern; int_o is the two's complement integer mapping I, value = I *
// unit with unit = 1/16; valid_o = 0 marks an unused code (then f32_o and int_o are 0).
module fp4_lut_e2m1_i (
    input  wire [3:0]  code_i,
    output reg  [31:0] f32_o,    // the value as an IEEE binary32 bit pattern
    output reg  [15:0] int_o,    // two's complement integer mapping I (value = I * unit), 0 if none
    output reg         valid_o   // 0 for a code the format does not use
);

    always @* begin : lut
        case (code_i)
            4'b0_00_0: begin f32_o = 32'h0000_0000; int_o = 16'h0000; valid_o = 1'b1; end  // 0, I = 0
            4'b0_00_1: begin f32_o = 32'h3D80_0000; int_o = 16'h0001; valid_o = 1'b1; end  // +0.0625, I = +1
            4'b0_01_0: begin f32_o = 32'h3F80_0000; int_o = 16'h0010; valid_o = 1'b1; end  // +1, I = +16
            4'b0_01_1: begin f32_o = 32'h3FC0_0000; int_o = 16'h0018; valid_o = 1'b1; end  // +1.5, I = +24
            4'b0_10_0: begin f32_o = 32'h4000_0000; int_o = 16'h0020; valid_o = 1'b1; end  // +2, I = +32
            4'b0_10_1: begin f32_o = 32'h4040_0000; int_o = 16'h0030; valid_o = 1'b1; end  // +3, I = +48
            4'b0_11_0: begin f32_o = 32'h4080_0000; int_o = 16'h0040; valid_o = 1'b1; end  // +4, I = +64
            4'b0_11_1: begin f32_o = 32'h40C0_0000; int_o = 16'h0060; valid_o = 1'b1; end  // +6, I = +96
            4'b1_00_0: begin f32_o = 32'h0000_0000; int_o = 16'h0000; valid_o = 1'b0; end  // unused (the -0 pattern of FP4_E2M1_BIT)
            4'b1_00_1: begin f32_o = 32'hBD80_0000; int_o = 16'hFFFF; valid_o = 1'b1; end  // -0.0625, I = -1
            4'b1_01_0: begin f32_o = 32'hBF80_0000; int_o = 16'hFFF0; valid_o = 1'b1; end  // -1, I = -16
            4'b1_01_1: begin f32_o = 32'hBFC0_0000; int_o = 16'hFFE8; valid_o = 1'b1; end  // -1.5, I = -24
            4'b1_10_0: begin f32_o = 32'hC000_0000; int_o = 16'hFFE0; valid_o = 1'b1; end  // -2, I = -32
            4'b1_10_1: begin f32_o = 32'hC040_0000; int_o = 16'hFFD0; valid_o = 1'b1; end  // -3, I = -48
            4'b1_11_0: begin f32_o = 32'hC080_0000; int_o = 16'hFFC0; valid_o = 1'b1; end  // -4, I = -64
            4'b1_11_1: begin f32_o = 32'hC0C0_0000; int_o = 16'hFFA0; valid_o = 1'b1; end  // -6, I = -96
        endcase
    end

endmodule

`resetall
