`resetall
`timescale 1ns / 1ps
`default_nettype none

// fp4_lut_bnb_fp4: 4-bit lookup decoder, bitsandbytes FP4 (get_4bit_type("fp4")): bit 3 = sign,
// low 3 bits index the raw table {0, 0.0625, 8, 12, 4, 6, 2, 3}, normalized by 12 (formats.md
// §4.2); 0b1000 = -0.0. Port contract: docs/rtl_contract.md "fp4_lut_<name>". Combinational; one
// case arm per code (sign | magnitude index (3)), written from the spec table with the value as a
// comment. f32_o is the IEEE binary32 bit pattern; int_o is the two's complement integer mapping
// I, value = I * unit with unit = 1/192 (raw * 16 in units of 1/(16*12)); valid_o = 0 marks an
// unused code (then f32_o and int_o are 0).
module fp4_lut_bnb_fp4 (
    input  wire [3:0]  code_i,
    output reg  [31:0] f32_o,    // the value as an IEEE binary32 bit pattern
    output reg  [15:0] int_o,    // two's complement integer mapping I (value = I * unit), 0 if none
    output reg         valid_o   // 0 for a code the format does not use
);

    always @* begin : lut
        case (code_i)
            4'b0_000: begin f32_o = 32'h0000_0000; int_o = 16'h0000; valid_o = 1'b1; end  // +0.0 = +0/12, I = +0
            4'b0_001: begin f32_o = 32'h3BAA_AAAB; int_o = 16'h0001; valid_o = 1'b1; end  // +0.0052083334885537624 = +0.0625/12, I = +1
            4'b0_010: begin f32_o = 32'h3F2A_AAAB; int_o = 16'h0080; valid_o = 1'b1; end  // +0.6666666865348816 = +8/12, I = +128
            4'b0_011: begin f32_o = 32'h3F80_0000; int_o = 16'h00C0; valid_o = 1'b1; end  // +1.0 = +12/12, I = +192
            4'b0_100: begin f32_o = 32'h3EAA_AAAB; int_o = 16'h0040; valid_o = 1'b1; end  // +0.3333333432674408 = +4/12, I = +64
            4'b0_101: begin f32_o = 32'h3F00_0000; int_o = 16'h0060; valid_o = 1'b1; end  // +0.5 = +6/12, I = +96
            4'b0_110: begin f32_o = 32'h3E2A_AAAB; int_o = 16'h0020; valid_o = 1'b1; end  // +0.1666666716337204 = +2/12, I = +32
            4'b0_111: begin f32_o = 32'h3E80_0000; int_o = 16'h0030; valid_o = 1'b1; end  // +0.25 = +3/12, I = +48
            4'b1_000: begin f32_o = 32'h8000_0000; int_o = 16'h0000; valid_o = 1'b1; end  // -0.0 (bit 3 = sign), I = 0
            4'b1_001: begin f32_o = 32'hBBAA_AAAB; int_o = 16'hFFFF; valid_o = 1'b1; end  // -0.0052083334885537624 = -0.0625/12, I = -1
            4'b1_010: begin f32_o = 32'hBF2A_AAAB; int_o = 16'hFF80; valid_o = 1'b1; end  // -0.6666666865348816 = -8/12, I = -128
            4'b1_011: begin f32_o = 32'hBF80_0000; int_o = 16'hFF40; valid_o = 1'b1; end  // -1.0 = -12/12, I = -192
            4'b1_100: begin f32_o = 32'hBEAA_AAAB; int_o = 16'hFFC0; valid_o = 1'b1; end  // -0.3333333432674408 = -4/12, I = -64
            4'b1_101: begin f32_o = 32'hBF00_0000; int_o = 16'hFFA0; valid_o = 1'b1; end  // -0.5 = -6/12, I = -96
            4'b1_110: begin f32_o = 32'hBE2A_AAAB; int_o = 16'hFFE0; valid_o = 1'b1; end  // -0.1666666716337204 = -2/12, I = -32
            4'b1_111: begin f32_o = 32'hBE80_0000; int_o = 16'hFFD0; valid_o = 1'b1; end  // -0.25 = -3/12, I = -48
        endcase
    end

endmodule

`resetall
