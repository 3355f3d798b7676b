`resetall
`timescale 1ns / 1ps
`default_nettype none

// fp4_lut_sf4_nu4: 4-bit lookup decoder, llm-datatypes SF4_4 (Student-t, nu = 4; formats.md §5.1,
// §5.5), code c = the c-th value of the ascending list; the stored constants rounded to the
// nearest float32; no integer mapping. Port contract: docs/rtl_contract.md "fp4_lut_<name>".
// Combinational; one case arm per code (the 4-bit code), written from the spec table with the
// value as a comment. f32_o is the IEEE binary32 bit pattern; int_o is the two's complement
// integer mapping I, value = I * unit with unit = none (int_o = 0); valid_o = 0 marks an unused
// code (then f32_o and int_o are 0).
module fp4_lut_sf4_nu4 (
    input  wire [3:0]  code_i,
    output reg  [31:0] f32_o,    // the value as an IEEE binary32 bit pattern
    output reg  [15:0] int_o,    // two's complement integer mapping I (value = I * unit), 0 if none
    output reg         valid_o   // 0 for a code the format does not use
);

    always @* begin : lut
        case (code_i)
            4'b0000: begin f32_o = 32'hBF80_0000; int_o = 16'h0000; valid_o = 1'b1; end  // -1.0
            4'b0001: begin f32_o = 32'hBF1B_D5AA; int_o = 16'h0000; valid_o = 1'b1; end  // -0.608729
            4'b0010: begin f32_o = 32'hBEDF_2713; int_o = 16'h0000; valid_o = 1'b1; end  // -0.435845
            4'b0011: begin f32_o = 32'hBEA3_0468; int_o = 16'h0000; valid_o = 1'b1; end  // -0.318393
            4'b0100: begin f32_o = 32'hBE66_A26E; int_o = 16'h0000; valid_o = 1'b1; end  // -0.225229
            4'b0101: begin f32_o = 32'hBE14_295A; int_o = 16'h0000; valid_o = 1'b1; end  // -0.144689
            4'b0110: begin f32_o = 32'hBD91_209F; int_o = 16'h0000; valid_o = 1'b1; end  // -0.070863
            4'b0111: begin f32_o = 32'h0000_0000; int_o = 16'h0000; valid_o = 1'b1; end  // 0.0
            4'b1000: begin f32_o = 32'h3D7D_933E; int_o = 16'h0000; valid_o = 1'b1; end  // 0.061908
            4'b1001: begin f32_o = 32'h3E00_CAA3; int_o = 16'h0000; valid_o = 1'b1; end  // 0.125773
            4'b1010: begin f32_o = 32'h3E46_9729; int_o = 16'h0000; valid_o = 1'b1; end  // 0.193936
            4'b1011: begin f32_o = 32'h3E8A_178F; int_o = 16'h0000; valid_o = 1'b1; end  // 0.269711
            4'b1100: begin f32_o = 32'h3EB7_9CA6; int_o = 16'h0000; valid_o = 1'b1; end  // 0.358617
            4'b1101: begin f32_o = 32'h3EF1_85CF; int_o = 16'h0000; valid_o = 1'b1; end  // 0.471724
            4'b1110: begin f32_o = 32'h3F23_631B; int_o = 16'h0000; valid_o = 1'b1; end  // 0.638231
            4'b1111: begin f32_o = 32'h3F80_0000; int_o = 16'h0000; valid_o = 1'b1; end  // 1.0
        endcase
    end

endmodule

`resetall
