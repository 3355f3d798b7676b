`resetall
`timescale 1ns / 1ps
`default_nettype none

// fp4_lut_int4_sym: 4-bit lookup decoder, INT4 symmetric: two's complement codes, -7..7, code
// 0b1000 (-8) unused (formats.md §5.3). Port contract: docs/rtl_contract.md "fp4_lut_<name>".
// Combinational; one case arm per code (the 4-bit code), written from the spec table with the
// value as a comment. f32_o is the IEEE binary32 bit pattern; int_o is the two's complement
// integer mapping I, value = I * unit with unit = 1; valid_o = 0 marks an unused code (then f32_o
// and int_o are 0).
module fp4_lut_int4_sym (
    input  wire [3:0]  code_i,
    output reg  [31:0] f32_o,    // the value as an IEEE binary32 bit pattern
    output reg  [15:0] int_o,    // two's complement integer mapping I (value = I * unit), 0 if none
    output reg         valid_o   // 0 for a code the format does not use
);

    always @* begin : lut
        case (code_i)
            4'b0000: begin f32_o = 32'h0000_0000; int_o = 16'h0000; valid_o = 1'b1; end  // 0
            4'b0001: begin f32_o = 32'h3F80_0000; int_o = 16'h0001; valid_o = 1'b1; end  // +1
            4'b0010: begin f32_o = 32'h4000_0000; int_o = 16'h0002; valid_o = 1'b1; end  // +2
            4'b0011: begin f32_o = 32'h4040_0000; int_o = 16'h0003; valid_o = 1'b1; end  // +3
            4'b0100: begin f32_o = 32'h4080_0000; int_o = 16'h0004; valid_o = 1'b1; end  // +4
            4'b0101: begin f32_o = 32'h40A0_0000; int_o = 16'h0005; valid_o = 1'b1; end  // +5
            4'b0110: begin f32_o = 32'h40C0_0000; int_o = 16'h0006; valid_o = 1'b1; end  // +6
            4'b0111: begin f32_o = 32'h40E0_0000; int_o = 16'h0007; valid_o = 1'b1; end  // +7
            4'b1000: begin f32_o = 32'h0000_0000; int_o = 16'h0000; valid_o = 1'b0; end  // unused (-8 is outside the symmetric range -7..7)
            4'b1001: begin f32_o = 32'hC0E0_0000; int_o = 16'hFFF9; valid_o = 1'b1; end  // -7
            4'b1010: begin f32_o = 32'hC0C0_0000; int_o = 16'hFFFA; valid_o = 1'b1; end  // -6
            4'b1011: begin f32_o = 32'hC0A0_0000; int_o = 16'hFFFB; valid_o = 1'b1; end  // -5
            4'b1100: begin f32_o = 32'hC080_0000; int_o = 16'hFFFC; valid_o = 1'b1; end  // -4
            4'b1101: begin f32_o = 32'hC040_0000; int_o = 16'hFFFD; valid_o = 1'b1; end  // -3
            4'b1110: begin f32_o = 32'hC000_0000; int_o = 16'hFFFE; valid_o = 1'b1; end  // -2
            4'b1111: begin f32_o = 32'hBF80_0000; int_o = 16'hFFFF; valid_o = 1'b1; end  // -1
        endcase
    end

endmodule

`resetall
