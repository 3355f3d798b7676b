`resetall
`timescale 1ns / 1ps
`default_nettype none

// fp4_lut_sf4_nu5: 4-bit lookup decoder, llm-datatypes SF4_5 (Student-t, nu = 5; formats.md §5.1,
// §5.5), code c = the c-th value of the ascending list; the stored constants rounded to the
// nearest float32; no integer mapping. Port contract: docs/rtl_contract.md "fp4_lut_<name>".
// Combinational; one case arm per code (the 4-bit code), written from the spec table with the
// value as a comment. f32_o is the IEEE binary32 bit pattern; int_o is the two's complement
// integer mapping I, value = I * unit with unit = none (int_o = 0); valid_o = 0 marks an unused
// code (then f32_o and int_o are 0).
module fp4_lut_sf4_nu5 (
    input  wire [3:0]  code_i,
    output reg  [31:0] f32_o,    // the value as an IEEE binary32 bit pattern
    output reg  [15:0] int_o,    // two's complement integer mapping I (value = I * unit), 0 if none
    output reg         valid_o   // 0 for a code the format does not use
);

    always @* begin : lut
        case (code_i)
            4'b0000: begin f32_o = 32'hBF80_0000; int_o = 16'h0000; valid_o = 1'b1; end  // -1.0
            4'b0001: begin f32_o = 32'hBF20_B641; int_o = 16'h0000; valid_o = 1'b1; end  // -0.627781
            4'b0010: begin f32_o = 32'hBEE8_D328; int_o = 16'h0000; valid_o = 1'b1; end  // -0.454736
            4'b0011: begin f32_o = 32'hBEAB_2D6F; int_o = 16'h0000; valid_o = 1'b1; end  // -0.334331
            4'b0100: begin f32_o = 32'hBE73_21E6; int_o = 16'h0000; valid_o = 1'b1; end  // -0.237434
            4'b0101: begin f32_o = 32'hBE1C_918E; int_o = 16'h0000; valid_o = 1'b1; end  // -0.152899
            4'b0110: begin f32_o = 32'hBD99_902A; int_o = 16'h0000; valid_o = 1'b1; end  // -0.074982
            4'b0111: begin f32_o = 32'h0000_0000; int_o = 16'h0000; valid_o = 1'b1; end  // 0.0
            4'b1000: begin f32_o = 32'h3D86_2BAE; int_o = 16'h0000; valid_o = 1'b1; end  // 0.065513
            4'b1001: begin f32_o = 32'h3E08_27FA; int_o = 16'h0000; valid_o = 1'b1; end  // 0.132965
            4'b1010: begin f32_o = 32'h3E51_92A7; int_o = 16'h0000; valid_o = 1'b1; end  // 0.204661
            4'b1011: begin f32_o = 32'h3E91_52D2; int_o = 16'h0000; valid_o = 1'b1; end  // 0.283835
            4'b1100: begin f32_o = 32'h3EC0_6983; int_o = 16'h0000; valid_o = 1'b1; end  // 0.375805
            4'b1101: begin f32_o = 32'h3EFB_6E50; int_o = 16'h0000; valid_o = 1'b1; end  // 0.491076
            4'b1110: begin f32_o = 32'h3F28_22CD; int_o = 16'h0000; valid_o = 1'b1; end  // 0.656781
            4'b1111: begin f32_o = 32'h3F80_0000; int_o = 16'h0000; valid_o = 1'b1; end  // 1.0
        endcase
    end

endmodule

`resetall
