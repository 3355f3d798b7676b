`resetall
`timescale 1ns / 1ps
`default_nettype none

// cost_dec_e2m1_sp: E2M1 with super-precision support (formats.md §5.7): codes other than
// 4'b1000 decode as OCP E2M1; the -0 code 4'b1000 decodes to +5. Integer mapping in units of
// 0.5: ±{0, 1, 2, 3, 4, 6, 8, 12} and +10. Magnitude = mantissa << shift with a 3-bit mantissa,
// the extra value being 3'b101 (1.25) with shift 1 (exponent 2).
// Cost model only (fp4ref cost, docs/cost.md).
module cost_dec_e2m1_sp (
    input  wire [3:0]        code_i,    // sign | exp[1:0] | frac; 4'b1000 = +5
    output wire signed [4:0] int_o      // -12..12
);

    wire [1:0] e     = code_i[2:1];
    wire       extra = (code_i == 4'b1000);
    wire [2:0] man   = extra ? 3'b101 : {1'b0, |e, code_i[0]};
    wire [1:0] sh    = {e[1] & e[0], (e[1] & ~e[0]) | extra};
    wire [4:0] mag   = {2'd0, man} << sh;                  // 0..12
    wire       neg   = code_i[3] & ~extra;

    assign int_o = neg ? 5'd0 - mag : mag;

endmodule

`resetall
