`resetall
`timescale 1ns / 1ps
`default_nettype none

// cost_dec_e2m1_sr: E2M1 with super-range support (formats.md §5.7): codes other than 4'b1000
// decode as OCP E2M1; the -0 code 4'b1000 decodes to +8. Integer mapping in units of 0.5:
// ±{0, 1, 2, 3, 4, 6, 8, 12} and +16. Magnitude = mantissa << shift, the extra value being
// mantissa 2'b10 with shift 3 (exponent 3, one past E2M1's largest).
// Cost model only (fp4ref cost, docs/cost.md).
module cost_dec_e2m1_sr (
    input  wire [3:0]        code_i,    // sign | exp[1:0] | frac; 4'b1000 = +8
    output wire signed [5:0] int_o      // -12..16
);

    wire [1:0] e     = code_i[2:1];
    wire       extra = (code_i == 4'b1000);
    wire [1:0] man   = {(|e) | extra, code_i[0]};
    wire [1:0] sh    = {(e[1] & e[0]) | extra, (e[1] & ~e[0]) | extra};
    wire [5:0] mag   = {4'd0, man} << sh;                  // 0..16
    wire       neg   = code_i[3] & ~extra;

    assign int_o = neg ? 6'd0 - mag : mag;

endmodule

`resetall
