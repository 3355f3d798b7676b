`resetall
`timescale 1ns / 1ps
`default_nettype none

`include "fp4_defs.vh"

// fp4_encode: an IEEE source float (bfloat16, float16 or float32 bit pattern) to an ExMy
// code with every rounding mode, overflow policy and flag of docs/encoding.md §3
// (port contract: docs/rtl_contract.md). Combinational.
module fp4_encode #(
    // exponent field width E of the format (>= 1)
    parameter integer EXP_W = 2,
    // fraction field width M of the format (>= 0); 1 + EXP_W + MAN_W is 2..8
    parameter integer MAN_W = 1,
    // exponent bias of the format (0 for the LLM-FP4 grids)
    parameter integer BIAS = 1,
    // 1: exponent field 0 holds subnormals; 0: it holds zero only
    parameter integer SUBNORMALS = 1,
    // special-value policy `FP4_SPECIALS_*: 0 fn, 1 fn_nan, 2 ieee, 3 fnuz
    parameter integer SPECIALS = 0,
    // source exponent width: 8 bfloat16 and float32, 5 float16
    parameter integer SRC_EXP_W = 8,
    // source fraction width: 7 bfloat16, 10 float16, 23 float32
    parameter integer SRC_MAN_W = 7,
    // random bits for stochastic rounding (docs/encoding.md §3.5), >= 1
    parameter integer SR_W = 8
) (
    input  wire [SRC_EXP_W+SRC_MAN_W:0] x_i,     // IEEE bit pattern of the source value
    input  wire [2:0]                   mode_i,  // rounding mode `FP4_MODE_*
    input  wire [SR_W-1:0]              rand_i,  // stochastic rounding draw (mode sr only)
    input  wire                         sat_i,   // 1: overflow saturate; 0: overflow inf
    output wire [EXP_W+MAN_W:0]         code_o,  // sign | exponent field | fraction field
    output wire [3:0]                   flags_o  // `FP4_FLAG_* masks
);

    // ---------------------------------------------------------------------------------
    // Derived constants (widths, exponents and the special magnitude codes)
    // ---------------------------------------------------------------------------------
    localparam integer SRC_W    = 1 + SRC_EXP_W + SRC_MAN_W;
    localparam integer SRC_BIAS = (1 << (SRC_EXP_W - 1)) - 1;
    localparam integer SIG_W    = SRC_MAN_W + 1;          // source significand, hidden bit
    localparam integer GRS_W    = SR_W + 1;               // discarded bits looked at
    localparam integer X_W      = SIG_W + MAN_W + GRS_W;  // aligned significand
    localparam integer Q_W      = SIG_W + MAN_W;          // kept integer significand q
    localparam integer MAG_W    = EXP_W + MAN_W;          // code without its sign
    localparam integer EMIN     = 1 - BIAS;               // exponent of the smallest normal
    localparam integer IS_FN    = (SPECIALS == `FP4_SPECIALS_FN)     ? 1 : 0;
    localparam integer IS_IEEE  = (SPECIALS == `FP4_SPECIALS_IEEE)   ? 1 : 0;
    localparam integer IS_FNUZ  = (SPECIALS == `FP4_SPECIALS_FNUZ)   ? 1 : 0;
    localparam integer IS_FNNAN = (SPECIALS == `FP4_SPECIALS_FN_NAN) ? 1 : 0;
    // magnitude codes, as 32-bit words (only their MAG_W low bits reach code_o)
    //   ALL1     S.1..1.1..1   largest finite (fn, fnuz); the NaN of fn_nan
    //   INF_MAG  S.1..1.0..0   Inf of ieee
    //   QNAN_MAG S.1..1.10..0  canonical NaN of ieee (fraction MSB set)
    //   MAX_MAG  largest finite: ALL1 (fn, fnuz), ALL1 - 1 (fn_nan), ALL1 - 2^M (ieee)
    localparam [31:0] ALL1     = (32'd1 << MAG_W) - 32'd1;
    localparam [31:0] INF_MAG  = ALL1 ^ ((32'd1 << MAN_W) - 32'd1);
    localparam [31:0] QNAN_MAG = INF_MAG | ((32'd1 << MAN_W) >> 1);
    localparam [31:0] MAX_MAG  = (IS_FNNAN != 0) ? ALL1 - 32'd1
                               : (IS_IEEE != 0)  ? ALL1 - (32'd1 << MAN_W) : ALL1;

    // ---------------------------------------------------------------------------------
    // Stage 1: unpack the source (sign, fields, class)
    // ---------------------------------------------------------------------------------
    wire                 sign     = x_i[SRC_W-1];
    wire [SRC_EXP_W-1:0] src_exp  = x_i[SRC_W-2 -: SRC_EXP_W];
    wire [SRC_MAN_W-1:0] src_frac = x_i[SRC_MAN_W-1:0];
    wire                 exp_ones = &src_exp;
    wire                 exp_zero = ~|src_exp;
    wire                 is_nan   = exp_ones & (|src_frac);
    wire                 is_inf   = exp_ones & ~(|src_frac);
    wire                 is_zero  = exp_zero & ~(|src_frac);
    // |x| = sig_raw * 2^(e_raw - SRC_MAN_W); source subnormals are exact (no flush)
    wire [SIG_W-1:0]     sig_raw  = {~exp_zero, src_frac};
    wire signed [31:0]   e_raw    = (exp_zero ? 32'sd1 : $signed({{(32-SRC_EXP_W){1'b0}}, src_exp}))
                                    - SRC_BIAS;

    // ---------------------------------------------------------------------------------
    // Stage 2: normalize: e_norm = floor(log2 |x|) from the leading one of sig_raw
    // ---------------------------------------------------------------------------------
    reg [31:0] msb_pos;
    always @* begin : proc_msb
        integer i;
        msb_pos = 32'd0;
        for (i = 0; i < SIG_W; i = i + 1)
            if (sig_raw[i]) msb_pos = i;
    end
    wire signed [31:0] e_norm = e_raw - SRC_MAN_W + $signed(msb_pos);
    // tininess before rounding: 0 < |x| < 2^EMIN (the same test without subnormals)
    wire               tiny   = (e_norm < EMIN);

    // ---------------------------------------------------------------------------------
    // Stage 3: align onto the grid step of lo's binade (docs/encoding.md §3.4, "the grid")
    //   normal:                 step 2^(e_norm - M), q in [2^M, 2^(M+1))
    //   tiny, subnormals on:    step 2^(EMIN - M),   q in [0, 2^M)
    //   tiny, subnormals off:   step 2^EMIN,         q = 0 (the grid is 0 and 2^EMIN)
    // y = floor(|x| / step * 2^GRS_W): q above, then F (SR_W bits) and one more bit.
    // ---------------------------------------------------------------------------------
    wire               nosub_tiny = tiny & (SUBNORMALS == 0);
    wire signed [31:0] e_step     = tiny ? EMIN : e_norm;
    wire signed [31:0] shift      = SRC_MAN_W + e_step - e_raw + (nosub_tiny ? MAN_W : 0);
    // past X_W every bit is discarded anyway: clamp so the shifter stays small
    wire [31:0]        shift_c    = (shift > X_W) ? X_W : shift;
    wire [X_W-1:0]     x_al       = {sig_raw, {(MAN_W + GRS_W){1'b0}}};
    wire [X_W-1:0]     y          = x_al >> shift_c;
    wire [X_W-1:0]     lost_mask  = ~({X_W{1'b1}} << shift_c);
    wire [Q_W-1:0]     q          = y[X_W-1:GRS_W];
    wire               round_bit  = y[GRS_W-1];
    wire               sticky     = (|y[GRS_W-2:0]) | (|(x_al & lost_mask));
    wire [SR_W-1:0]    sr_bits    = y[GRS_W-1:1];
    wire               inexact    = round_bit | sticky;

    // ---------------------------------------------------------------------------------
    // Stage 4: round (lo -> hi decision); q's LSB is lo's integer-significand parity
    // (M = 0: every normal q is 1, so normal ties go up; the zero below is even)
    // ---------------------------------------------------------------------------------
    wire round_up;
    fp4_round #(
        .SR_W(SR_W)
    ) u_round (
        .sign_i   (sign),
        .lsb_i    (q[0]),
        .round_i  (round_bit),
        .sticky_i (sticky),
        .mode_i   (mode_i),
        .sr_bits_i(sr_bits),
        .rand_i   (rand_i),
        .up_o     (round_up)
    );

    // ---------------------------------------------------------------------------------
    // Stage 5: pack. With the hidden bit inside q, (e_norm + BIAS - 1) << M plus q is the
    // magnitude code, and a carry out of the fraction bumps the exponent field by itself
    // (as does a subnormal rounding up to the smallest normal). The exponent is unbounded
    // here, so the code keeps counting grid points past the largest finite value.
    // ---------------------------------------------------------------------------------
    wire [31:0] q_hi     = {{(32-Q_W){1'b0}}, q} + {31'd0, round_up};
    wire [31:0] exp_pre  = tiny ? 32'd0 : e_norm + BIAS - 1;
    wire [31:0] mag_code = (exp_pre << MAN_W) + (nosub_tiny ? (q_hi << MAN_W) : q_hi);
    wire        overflow = (mag_code > MAX_MAG);

    // ---------------------------------------------------------------------------------
    // Stage 6: specials, overflow policy (IEEE 754 §7.4) and flags
    // ---------------------------------------------------------------------------------
    // fn has neither Inf nor NaN: overflow="inf" behaves as "saturate" there
    wire sat_eff = sat_i | (IS_FN != 0);
    // does the mode round away from zero for this sign? (rne, rna, sr, reserved: yes)
    wire away = (mode_i == `FP4_MODE_RTZ) ? 1'b0
              : (mode_i == `FP4_MODE_RUP) ? ~sign
              : (mode_i == `FP4_MODE_RDN) ? sign : 1'b1;
    // canonical NaN (sign kept; fnuz has the single NaN 1.0..0) and signed zero (fnuz: +0)
    wire [MAG_W:0] nan_code  = (IS_FNUZ != 0) ? {1'b1, {MAG_W{1'b0}}}
                             : (IS_IEEE != 0) ? {sign, QNAN_MAG[MAG_W-1:0]}
                             : {sign, ALL1[MAG_W-1:0]};
    wire [MAG_W:0] zero_code = {sign & (IS_FNUZ == 0), {MAG_W{1'b0}}};
    wire [MAG_W:0] max_code  = {sign, MAX_MAG[MAG_W-1:0]};
    // result of an overflow that does not saturate: Inf (ieee) or the canonical NaN
    wire [MAG_W:0] big_code  = (IS_IEEE != 0) ? {sign, INF_MAG[MAG_W-1:0]} : nan_code;

    reg [MAG_W:0] code;
    reg [3:0]     flags;
    always @* begin : proc_result
        if (is_nan) begin
            // nan policy "nan" where the format has a NaN, else "zero"; invalid alone
            code  = (IS_FN != 0) ? zero_code : nan_code;
            flags = `FP4_FLAG_INVALID;
        end else if (is_inf) begin
            if (sat_eff) begin
                code  = max_code;
                flags = `FP4_FLAG_OVERFLOW | `FP4_FLAG_INEXACT;
            end else begin
                code  = big_code;
                flags = (IS_IEEE != 0) ? 4'b0000 : `FP4_FLAG_INVALID;
            end
        end else if (is_zero) begin
            code  = zero_code;
            flags = 4'b0000;
        end else if (overflow) begin
            code  = (sat_eff | ~away) ? max_code : big_code;
            flags = `FP4_FLAG_OVERFLOW | `FP4_FLAG_INEXACT;
        end else begin
            code  = (mag_code == 32'd0) ? zero_code : {sign, mag_code[MAG_W-1:0]};
            flags = (inexact ? `FP4_FLAG_INEXACT : 4'b0000)
                  | ((inexact & tiny) ? `FP4_FLAG_UNDERFLOW : 4'b0000);
        end
    end

    assign code_o  = code;
    assign flags_o = flags;

endmodule

`resetall
