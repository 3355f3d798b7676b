`resetall
`timescale 1ns / 1ps
`default_nettype none

// fp4_lut_sf4_nu7: 4-bit lookup decoder, llm-datatypes SF4_7 (Student-t, nu = 7; formats.md §5.1,
// §5.5), code c = the c-th value of the ascending list; the stored constants rounded to the
// nearest float32; no integer mapping. Port contract: docs/rtl_contract.md "fp4_lut_<name>".
// Combinational; one case arm per code (the 4-bit code), written from the spec table with the
// value as a comment. f32_o is the IEEE binary32 bit pattern; int_o is the two's complement
// integer mapping I, value = I * unit with unit = none (int_o = 0); valid_o = 0 marks an unused
// code (then f32_o and int_o are 0).
module fp4_lut_sf4_nu7 (
    input  wire [3:0]  code_i,
    output reg  [31:0] f32_o,    // the value as an IEEE binary32 bit pattern
    output reg  [15:0] int_o,    // two's complement integer mapping I (value = I * unit), 0 if none
    output reg         valid_o   // 0 for a code the format does not use
);

    always @* begin : lut
        case (code_i)
            4'b0000: begin f32_o = 32'hBF80_0000; int_o = 16'h0000; valid_o = 1'b1; end  // -1.0
            4'b0001: begin f32_o = 32'hBF26_10EB; int_o = 16'h0000; valid_o = 1'b1; end  // -0.648695668605137
            4'b0010: begin f32_o = 32'hBEF3_9CB4; int_o = 16'h0000; valid_o = 1'b1; end  // -0.4758049192191136
            4'b0011: begin f32_o = 32'hBEB4_5C47; int_o = 16'h0000; valid_o = 1'b1; end  // -0.35226650560941064
            4'b0100: begin f32_o = 32'hBE80_A37C; int_o = 16'h0000; valid_o = 1'b1; end  // -0.25124728719118344
            4'b0101: begin f32_o = 32'hBE26_1D76; int_o = 16'h0000; valid_o = 1'b1; end  // -0.16222176644114206
            4'b0110: begin f32_o = 32'hBDA3_2A0B; int_o = 16'h0000; valid_o = 1'b1; end  // -0.07967003587244491
            4'b0111: begin f32_o = 32'h0000_0000; int_o = 16'h0000; valid_o = 1'b1; end  // 0.0
            4'b1000: begin f32_o = 32'h3D8E_92FC; int_o = 16'h0000; valid_o = 1'b1; end  // 0.06961628484673037
            4'b1001: begin f32_o = 32'h3E10_8665; int_o = 16'h0000; valid_o = 1'b1; end  // 0.1411376777420972
            4'b1010: begin f32_o = 32'h3E5E_0540; int_o = 16'h0000; valid_o = 1'b1; end  // 0.21681690757912492
            4'b1011: begin f32_o = 32'h3E99_7C92; int_o = 16'h0000; valid_o = 1'b1; end  // 0.2997785136806453
            4'b1100: begin f32_o = 32'h3ECA_4970; int_o = 16'h0000; valid_o = 1'b1; end  // 0.39509153065438735
            4'b1101: begin f32_o = 32'h3F03_392E; int_o = 16'h0000; valid_o = 1'b1; end  // 0.5125912352606964
            4'b1110: begin f32_o = 32'h3F2D_5597; int_o = 16'h0000; valid_o = 1'b1; end  // 0.6770872505232854
            4'b1111: begin f32_o = 32'h3F80_0000; int_o = 16'h0000; valid_o = 1'b1; end  // 1.0
        endcase
    end

endmodule

`resetall
