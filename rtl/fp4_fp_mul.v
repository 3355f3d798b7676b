`resetall
`timescale 1ns / 1ps
`default_nettype none

`include "fp4_defs.vh"

// fp4_fp_mul: the product of two ExMy codes (formats A and B) rounded to format O
// (docs/block.md §12, ports docs/rtl_contract.md "Units of block-scaled hardware").
// The exact product of the two decoded values is formed as a float with a wide exponent
// and a significand that holds every product exactly ("the source": SRC_EXP_W, SRC_MAN_W
// below), and fp4_encode rounds it to O exactly as docs/encoding.md §3 says: every mode
// (sr with SR_W explicit bits rand_i), overflow saturate (sat_i = 1) or inf (sat_i = 0),
// NaN policy "nan" when O has a NaN and "zero" when it has none, the 4 flags.
//   NaN operand, or Inf x 0     -> NaN source (the encoder sets invalid)
//   Inf x non-zero              -> +-Inf source (sign: XOR of the operand signs)
//   zero operand (x finite)     -> zero source with the XOR of the signs
//   finite non-zero x non-zero  -> the exact product (never rounded before the encoder)
// A NaN product carries the XOR of the operand signs too (docs/block.md §12 does not name
// the sign of a NaN product; it shows in O's NaN code and, for O without NaN, in the sign
// of the zero the "zero" policy gives). Combinational.
module fp4_fp_mul #(
    // format A: exponent field width E (>= 1); 1 + E + M is 2..8
    parameter integer A_EXP_W = 2,
    // format A: fraction field width M (>= 0)
    parameter integer A_MAN_W = 1,
    // format A: exponent bias
    parameter integer A_BIAS = 1,
    // format A: 1 exponent field 0 holds subnormals; 0 it holds zero only
    parameter integer A_SUBNORMALS = 1,
    // format A: special-value policy `FP4_SPECIALS_*: 0 fn, 1 fn_nan, 2 ieee, 3 fnuz
    parameter integer A_SPECIALS = 0,
    // format B: as format A
    parameter integer B_EXP_W = 2,
    parameter integer B_MAN_W = 1,
    parameter integer B_BIAS = 1,
    parameter integer B_SUBNORMALS = 1,
    parameter integer B_SPECIALS = 0,
    // format O (the result): as format A
    parameter integer O_EXP_W = 2,
    parameter integer O_MAN_W = 1,
    parameter integer O_BIAS = 1,
    parameter integer O_SUBNORMALS = 1,
    parameter integer O_SPECIALS = 0,
    // random bits for stochastic rounding (docs/encoding.md §3.5), >= 1
    parameter integer SR_W = 8
) (
    input  wire [A_EXP_W+A_MAN_W:0] a_i,      // sign | exponent field | fraction field
    input  wire [B_EXP_W+B_MAN_W:0] b_i,
    input  wire [2:0]               mode_i,   // rounding mode `FP4_MODE_*
    input  wire [SR_W-1:0]          rand_i,   // stochastic rounding draw (mode sr only)
    input  wire                     sat_i,    // 1 overflow saturate, 0 inf
    output wire [O_EXP_W+O_MAN_W:0] code_o,
    output wire [3:0]               flags_o   // `FP4_FLAG_* masks
);

    // ---------------------------------------------------------------------------------
    // Widths and the source format. An operand's magnitude is sig * 2^(e_eff - BIAS - M)
    // with sig < 2^(M+1) (docs/encoding.md §1), so:
    //   PW        the product of the significands: sig_a * sig_b < 2^(A_MAN_W + B_MAN_W + 2)
    //   SRC_MAN_W normalized to its leading one, PW - 1 fraction bits hold it exactly
    //   P_EMAX    exponent of the product's leading one, at most: each operand is below
    //             2^(2^E - BIAS) (top exponent field 2^E - 1, significand < 2), so the
    //             product is below 2^(A_TOP + B_TOP + 2) and its leading one at most + 1
    //   P_EMIN    at least: the smallest significand bit of each operand, 2^(1 - BIAS - M)
    //   SRC_EXP_W the smallest source exponent width whose normal range [1 - SRC_BIAS,
    //             SRC_BIAS] (SRC_BIAS = 2^(SRC_EXP_W-1) - 1) holds both: every finite
    //             non-zero product is a source normal, exponent field 1 .. 2^SRC_EXP_W - 2
    // ---------------------------------------------------------------------------------
    localparam integer PW        = A_MAN_W + B_MAN_W + 2;
    localparam integer SRC_MAN_W = PW - 1;
    localparam integer A_TOP     = (1 << A_EXP_W) - 1 - A_BIAS;
    localparam integer B_TOP     = (1 << B_EXP_W) - 1 - B_BIAS;
    localparam integer P_EMAX    = A_TOP + B_TOP + 1;
    localparam integer P_EMIN    = (1 - A_BIAS - A_MAN_W) + (1 - B_BIAS - B_MAN_W);
    localparam integer NEED_HI   = (P_EMAX > 1) ? P_EMAX : 1;
    localparam integer NEED      = ((1 - P_EMIN) > NEED_HI) ? (1 - P_EMIN) : NEED_HI;
    localparam integer SRC_EXP_W = $clog2(NEED + 1) + 1;
    localparam integer SRC_BIAS  = (1 << (SRC_EXP_W - 1)) - 1;
    localparam integer SRC_W     = 1 + SRC_EXP_W + SRC_MAN_W;
    // fraction masks and hidden bits 2^M as 32-bit words (M + 1 low bits used)
    localparam [31:0] A_FRAC_MASK = (32'd1 << A_MAN_W) - 32'd1;
    localparam [31:0] A_HIDDEN    = 32'd1 << A_MAN_W;
    localparam [31:0] B_FRAC_MASK = (32'd1 << B_MAN_W) - 32'd1;
    localparam [31:0] B_HIDDEN    = 32'd1 << B_MAN_W;
    // source exponent field all ones (Inf, NaN) and the quiet NaN fraction (MSB set)
    localparam [SRC_EXP_W-1:0] SRC_EONES = {SRC_EXP_W{1'b1}};
    localparam [31:0]          SRC_QNAN  = 32'd1 << (SRC_MAN_W - 1);   // SRC_MAN_W <= 13 (M <= 6 each)

    // ---------------------------------------------------------------------------------
    // Stage 1: decode both operands (docs/encoding.md §1): class, |value| = sig * 2^lsb
    // ---------------------------------------------------------------------------------
    // A: sign, exponent field, and the fraction as A_MAN_W + 1 bits (code bits A_MAN_W .. 0,
    // the exponent field's LSB masked off; M = 0 leaves a 1-bit zero)
    wire                       a_sign  = a_i[A_EXP_W+A_MAN_W];
    wire [A_EXP_W+A_MAN_W-1:0] a_mag   = a_i[A_EXP_W+A_MAN_W-1:0];
    wire [A_EXP_W-1:0]         a_exp   = a_mag[A_EXP_W+A_MAN_W-1 -: A_EXP_W];
    wire                       a_ez    = ~|a_exp;
    wire                       a_eones = &a_exp;
    wire [A_MAN_W:0]           a_frac  = a_i[A_MAN_W:0] & A_FRAC_MASK[A_MAN_W:0];
    wire                       a_fnz   = |a_frac;
    //   NaN: fn_nan S.1..1.1..1, ieee e all ones and f != 0, fnuz 1.0..0; Inf: ieee f == 0
    wire a_nan = ((A_SPECIALS == `FP4_SPECIALS_FN_NAN) & (&a_mag))
                | ((A_SPECIALS == `FP4_SPECIALS_IEEE) & a_eones & a_fnz)
                | ((A_SPECIALS == `FP4_SPECIALS_FNUZ) & a_sign & ~(|a_mag));
    wire a_inf = (A_SPECIALS == `FP4_SPECIALS_IEEE) & a_eones & ~a_fnz;
    //   sig = 2^M + f (e >= 1), f (e == 0 with subnormals), 0 (e == 0 without: non-canonical
    //   codes are zero); lsb = e_eff - BIAS - M with e_eff = max(e, 1)
    wire [A_MAN_W:0]           a_sig   = a_ez ? ((A_SUBNORMALS != 0) ? a_frac : {(A_MAN_W+1){1'b0}})
                                         : (a_frac | A_HIDDEN[A_MAN_W:0]);
    wire signed [31:0]         a_eeff  = a_ez ? 32'sd1 : $signed({{(32-A_EXP_W){1'b0}}, a_exp});
    wire signed [31:0]         a_lsb   = a_eeff - A_BIAS - A_MAN_W;

    // B: sign, exponent field, and the fraction as B_MAN_W + 1 bits (code bits B_MAN_W .. 0,
    // the exponent field's LSB masked off; M = 0 leaves a 1-bit zero)
    wire                       b_sign  = b_i[B_EXP_W+B_MAN_W];
    wire [B_EXP_W+B_MAN_W-1:0] b_mag   = b_i[B_EXP_W+B_MAN_W-1:0];
    wire [B_EXP_W-1:0]         b_exp   = b_mag[B_EXP_W+B_MAN_W-1 -: B_EXP_W];
    wire                       b_ez    = ~|b_exp;
    wire                       b_eones = &b_exp;
    wire [B_MAN_W:0]           b_frac  = b_i[B_MAN_W:0] & B_FRAC_MASK[B_MAN_W:0];
    wire                       b_fnz   = |b_frac;
    //   NaN: fn_nan S.1..1.1..1, ieee e all ones and f != 0, fnuz 1.0..0; Inf: ieee f == 0
    wire b_nan = ((B_SPECIALS == `FP4_SPECIALS_FN_NAN) & (&b_mag))
                | ((B_SPECIALS == `FP4_SPECIALS_IEEE) & b_eones & b_fnz)
                | ((B_SPECIALS == `FP4_SPECIALS_FNUZ) & b_sign & ~(|b_mag));
    wire b_inf = (B_SPECIALS == `FP4_SPECIALS_IEEE) & b_eones & ~b_fnz;
    //   sig = 2^M + f (e >= 1), f (e == 0 with subnormals), 0 (e == 0 without: non-canonical
    //   codes are zero); lsb = e_eff - BIAS - M with e_eff = max(e, 1)
    wire [B_MAN_W:0]           b_sig   = b_ez ? ((B_SUBNORMALS != 0) ? b_frac : {(B_MAN_W+1){1'b0}})
                                         : (b_frac | B_HIDDEN[B_MAN_W:0]);
    wire signed [31:0]         b_eeff  = b_ez ? 32'sd1 : $signed({{(32-B_EXP_W){1'b0}}, b_exp});
    wire signed [31:0]         b_lsb   = b_eeff - B_BIAS - B_MAN_W;

    // a zero is a finite code with sig = 0 (non-canonical codes included)
    wire a_zero = ~a_nan & ~a_inf & ~(|a_sig);
    wire b_zero = ~b_nan & ~b_inf & ~(|b_sig);

    // ---------------------------------------------------------------------------------
    // Stage 2: the exact product sig_a * sig_b (PW bits) and its value's exponent
    //   |a * b| = p * 2^(a_lsb + b_lsb) = 1.f * 2^(a_lsb + b_lsb + msb_pos)
    // ---------------------------------------------------------------------------------
    wire [PW-1:0] p = {{(PW-A_MAN_W-1){1'b0}}, a_sig} * {{(PW-B_MAN_W-1){1'b0}}, b_sig};

    reg [31:0] msb_pos;
    always @* begin : proc_msb
        integer i;
        msb_pos = 32'd0;
        for (i = 0; i < PW; i = i + 1)
            if (p[i]) msb_pos = i;
    end

    // normalize: the leading one to bit PW-1 (dropped: the source's hidden bit)
    wire [PW-1:0]        p_norm      = p << (PW - 1 - msb_pos);
    wire                 unused_lead = p_norm[PW-1];
    wire [SRC_MAN_W-1:0] src_frac    = p_norm[SRC_MAN_W-1:0];
    // biased source exponent, in 1 .. 2^SRC_EXP_W - 2 by the choice of SRC_EXP_W
    wire signed [31:0]   src_exp_s   = a_lsb + b_lsb + $signed(msb_pos) + SRC_BIAS;
    wire [31:0]          src_exp_u   = src_exp_s;
    wire [SRC_EXP_W-1:0] src_exp     = src_exp_u[SRC_EXP_W-1:0];
    wire                 unused_exp  = |src_exp_u[31:SRC_EXP_W];

    // ---------------------------------------------------------------------------------
    // Stage 3: the source float (IEEE layout, SRC_EXP_W / SRC_MAN_W) of the exact product
    // ---------------------------------------------------------------------------------
    wire p_sign = a_sign ^ b_sign;
    wire p_nan  = a_nan | b_nan | (a_inf & b_zero) | (a_zero & b_inf);
    wire p_inf  = a_inf | b_inf;
    wire p_zero = a_zero | b_zero;

    wire [SRC_W-1:0] src = p_nan  ? {p_sign, SRC_EONES, SRC_QNAN[SRC_MAN_W-1:0]}
                         : p_inf  ? {p_sign, SRC_EONES, {SRC_MAN_W{1'b0}}}
                         : p_zero ? {p_sign, {(SRC_W-1){1'b0}}}
                         : {p_sign, src_exp, src_frac};

    // ---------------------------------------------------------------------------------
    // Stage 4: encode to O (docs/encoding.md §3)
    // ---------------------------------------------------------------------------------
    fp4_encode #(
        .EXP_W     (O_EXP_W),
        .MAN_W     (O_MAN_W),
        .BIAS      (O_BIAS),
        .SUBNORMALS(O_SUBNORMALS),
        .SPECIALS  (O_SPECIALS),
        .SRC_EXP_W (SRC_EXP_W),
        .SRC_MAN_W (SRC_MAN_W),
        .SR_W      (SR_W)
    ) u_encode (
        .x_i    (src),
        .mode_i (mode_i),
        .rand_i (rand_i),
        .sat_i  (sat_i),
        .code_o (code_o),
        .flags_o(flags_o)
    );

endmodule

`resetall
