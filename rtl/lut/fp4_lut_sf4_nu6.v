`resetall
`timescale 1ns / 1ps
`default_nettype none

// fp4_lut_sf4_nu6: 4-bit lookup decoder, llm-datatypes SF4_6 (Student-t, nu = 6; formats.md §5.1,
// §5.5), code c = the c-th value of the ascending list; the stored constants rounded to the
// nearest float32; no integer mapping. Port contract: docs/rtl_contract.md "fp4_lut_<name>".
// Combinational; one case arm per code (the 4-bit code), written from the spec table with the
// value as a comment. f32_o is the IEEE binary32 bit pattern; int_o is the two's complement
// integer mapping I, value = I * unit with unit = none (int_o = 0); valid_o = 0 marks an unused
// code (then f32_o and int_o are 0).
module fp4_lut_sf4_nu6 (
    input  wire [3:0]  code_i,
    output reg  [31:0] f32_o,    // the value as an IEEE binary32 bit pattern
    output reg  [15:0] int_o,    // two's complement integer mapping I (value = I * unit), 0 if none
    output reg         valid_o   // 0 for a code the format does not use
);

    always @* begin : lut
        case (code_i)
            4'b0000: begin f32_o = 32'hBF80_0000; int_o = 16'h0000; valid_o = 1'b1; end  // -1.0
            4'b0001: begin f32_o = 32'hBF23_DDA9; int_o = 16'h0000; valid_o = 1'b1; end  // -0.640101
            4'b0010: begin f32_o = 32'hBEEF_2841; int_o = 16'h0000; valid_o = 1'b1; end  // -0.467104
            4'b0011: begin f32_o = 32'hBEB0_8E9B; int_o = 16'h0000; valid_o = 1'b1; end  // -0.344838
            4'b0100: begin f32_o = 32'hBE7B_68CF; int_o = 16'h0000; valid_o = 1'b1; end  // -0.245517
            4'b0101: begin f32_o = 32'hBE22_2681; int_o = 16'h0000; valid_o = 1'b1; end  // -0.15835
            4'b0110: begin f32_o = 32'hBD9F_2CB6; int_o = 16'h0000; valid_o = 1'b1; end  // -0.077722
            4'b0111: begin f32_o = 32'h0000_0000; int_o = 16'h0000; valid_o = 1'b1; end  // 0.0
            4'b1000: begin f32_o = 32'h3D8B_14EC; int_o = 16'h0000; valid_o = 1'b1; end  // 0.067911
            4'b1001: begin f32_o = 32'h3E0D_0C3D; int_o = 16'h0000; valid_o = 1'b1; end  // 0.137742
            4'b1010: begin f32_o = 32'h3E58_DA7F; int_o = 16'h0000; valid_o = 1'b1; end  // 0.211771
            4'b1011: begin f32_o = 32'h3E96_1A3F; int_o = 16'h0000; valid_o = 1'b1; end  // 0.293169
            4'b1100: begin f32_o = 32'h3EC6_336A; int_o = 16'h0000; valid_o = 1'b1; end  // 0.387111
            4'b1101: begin f32_o = 32'h3F00_F367; int_o = 16'h0000; valid_o = 1'b1; end  // 0.503714
            4'b1110: begin f32_o = 32'h3F2B_3333; int_o = 16'h0000; valid_o = 1'b1; end  // 0.66875
            4'b1111: begin f32_o = 32'h3F80_0000; int_o = 16'h0000; valid_o = 1'b1; end  // 1.0
        endcase
    end

endmodule

`resetall
