// enc_ties_away: a user's E2M1 encoder from bfloat16/float16 bit patterns that always rounds to
// nearest with ties away from zero (a microxcaling-style design), whatever mode the contract
// asks for. Built around the reference encoder with its mode port tied off: a design whose
// only fault is its tie rule.
`default_nettype none
module enc_ties_away #(
    parameter integer EXP_W = 2, parameter integer MAN_W = 1, parameter integer BIAS = 1,
    parameter integer SUBNORMALS = 1, parameter integer SPECIALS = 0,
    parameter integer SRC_EXP_W = 8, parameter integer SRC_MAN_W = 7, parameter integer SR_W = 8
) (
    input  wire [SRC_EXP_W+SRC_MAN_W:0] x_i,
    input  wire [2:0]                   mode_i,
    input  wire [SR_W-1:0]              rand_i,
    input  wire                         sat_i,
    output wire [EXP_W+MAN_W:0]         code_o,
    output wire [3:0]                   flags_o
);
    fp4_encode #(.EXP_W(EXP_W), .MAN_W(MAN_W), .BIAS(BIAS), .SUBNORMALS(SUBNORMALS),
                 .SPECIALS(SPECIALS), .SRC_EXP_W(SRC_EXP_W), .SRC_MAN_W(SRC_MAN_W), .SR_W(SR_W))
        u_enc (.x_i(x_i), .mode_i(3'd1), .rand_i(rand_i), .sat_i(sat_i), .code_o(code_o), .flags_o(flags_o));
endmodule
`default_nettype wire
