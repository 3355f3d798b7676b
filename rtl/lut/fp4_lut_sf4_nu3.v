`resetall
`timescale 1ns / 1ps
`default_nettype none

// fp4_lut_sf4_nu3: 4-bit lookup decoder, llm-datatypes SF4_3 (Student-t, nu = 3; formats.md §5.1,
// §5.5), code c = the c-th value of the ascending list; the stored constants rounded to the
// nearest float32; no integer mapping. Port contract: docs/rtl_contract.md "fp4_lut_<name>".
// Combinational; one case arm per code (the 4-bit code), written from the spec table with the
// value as a comment. f32_o is the IEEE binary32 bit pattern; int_o is the two's complement
// integer mapping I, value = I * unit with unit = none (int_o = 0); valid_o = 0 marks an unused
// code (then f32_o and int_o are 0).
module fp4_lut_sf4_nu3 (
    input  wire [3:0]  code_i,
    output reg  [31:0] f32_o,    // the value as an IEEE binary32 bit pattern
    output reg  [15:0] int_o,    // two's complement integer mapping I (value = I * unit), 0 if none
    output reg         valid_o   // 0 for a code the format does not use
);

    always @* begin : lut
        case (code_i)
            4'b0000: begin f32_o = 32'hBF80_0000; int_o = 16'h0000; valid_o = 1'b1; end  // -1.0
            4'b0001: begin f32_o = 32'hBF13_62B7; int_o = 16'h0000; valid_o = 1'b1; end  // -0.575725
            4'b0010: begin f32_o = 32'hBECE_B8FA; int_o = 16'h0000; valid_o = 1'b1; end  // -0.403755
            4'b0011: begin f32_o = 32'hBE95_4F37; int_o = 16'h0000; valid_o = 1'b1; end  // -0.29162
            4'b0100: begin f32_o = 32'hBE51_C8EB; int_o = 16'h0000; valid_o = 1'b1; end  // -0.204868
            4'b0101: begin f32_o = 32'hBE06_3305; int_o = 16'h0000; valid_o = 1'b1; end  // -0.131054
            4'b0110: begin f32_o = 32'hBD83_254E; int_o = 16'h0000; valid_o = 1'b1; end  // -0.064036
            4'b0111: begin f32_o = 32'h0000_0000; int_o = 16'h0000; valid_o = 1'b1; end  // 0.0
            4'b1000: begin f32_o = 32'h3D65_1B0D; int_o = 16'h0000; valid_o = 1'b1; end  // 0.055934
            4'b1001: begin f32_o = 32'h3DE9_2253; int_o = 16'h0000; valid_o = 1'b1; end  // 0.113835
            4'b1010: begin f32_o = 32'h3E34_4DCB; int_o = 16'h0000; valid_o = 1'b1; end  // 0.176078
            4'b1011: begin f32_o = 32'h3E7B_FBDF; int_o = 16'h0000; valid_o = 1'b1; end  // 0.246078
            4'b1100: begin f32_o = 32'h3EA8_C6D6; int_o = 16'h0000; valid_o = 1'b1; end  // 0.329642
            4'b1101: begin f32_o = 32'h3EE0_A0D3; int_o = 16'h0000; valid_o = 1'b1; end  // 0.438727
            4'b1110: begin f32_o = 32'h3F1B_2181; int_o = 16'h0000; valid_o = 1'b1; end  // 0.60598
            4'b1111: begin f32_o = 32'h3F80_0000; int_o = 16'h0000; valid_o = 1'b1; end  // 1.0
        endcase
    end

endmodule

`resetall
