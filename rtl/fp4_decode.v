`resetall
`timescale 1ns / 1ps
`default_nettype none

`include "fp4_defs.vh"

// fp4_decode: an ExMy code to its integer mapping (docs/encoding.md §2, llm-fp4.md §1.3),
// its exact float32 bit pattern and its class (port contract: docs/rtl_contract.md).
// Combinational.
module fp4_decode #(
    // exponent field width E of the format (>= 1)
    parameter integer EXP_W = 2,
    // fraction field width M of the format (>= 0); 1 + EXP_W + MAN_W is 2..8
    parameter integer MAN_W = 1,
    // exponent bias of the format (0 for the LLM-FP4 grids)
    parameter integer BIAS = 1,
    // 1: exponent field 0 holds subnormals; 0: it holds zero only (f != 0 decodes as zero)
    parameter integer SUBNORMALS = 1,
    // special-value policy `FP4_SPECIALS_*: 0 fn, 1 fn_nan, 2 ieee, 3 fnuz
    parameter integer SPECIALS = 0,
    // int_o width: at least the format's integer-mapping width (emu: fmt.int_w)
    parameter integer INT_W = 5
) (
    input  wire [EXP_W+MAN_W:0]    code_i,    // sign | exponent field | fraction field
    output wire signed [INT_W-1:0] int_o,     // value = int_o * 2^(1 - MAN_W - BIAS); 0: NaN, Inf
    output wire [31:0]             f32_o,     // IEEE binary32 of the exact value
    output wire                    is_nan_o,
    output wire                    is_inf_o
);

    // ---------------------------------------------------------------------------------
    // Derived constants
    // ---------------------------------------------------------------------------------
    localparam integer MAG_W    = EXP_W + MAN_W;             // code without its sign
    localparam integer IS_IEEE  = (SPECIALS == `FP4_SPECIALS_IEEE)   ? 1 : 0;
    localparam integer IS_FNUZ  = (SPECIALS == `FP4_SPECIALS_FNUZ)   ? 1 : 0;
    localparam integer IS_FNNAN = (SPECIALS == `FP4_SPECIALS_FN_NAN) ? 1 : 0;
    // as 32-bit words; only their MAG_W low bits are used
    localparam [31:0] FRAC_MASK = (32'd1 << MAN_W) - 32'd1;  // fraction field
    localparam [31:0] HIDDEN    = 32'd1 << MAN_W;            // hidden bit of a normal
    // float32 biased exponent of 2^(e - BIAS - MAN_W) is e + this (mod 2^8)
    localparam [31:0] F32_ADJ   = 127 - BIAS - MAN_W;
    // float32 patterns of the specials (sign bit added below)
    //   0x7F800000  Inf        0x7FC00000  NaN (quiet, payload 0)
    localparam [30:0] F32_INF   = 31'h7F80_0000;
    localparam [30:0] F32_NAN   = 31'h7FC0_0000;

    // ---------------------------------------------------------------------------------
    // Stage 1: fields and class (docs/encoding.md §1, special-value policies)
    // ---------------------------------------------------------------------------------
    wire             sign      = code_i[MAG_W];
    wire [MAG_W-1:0] mag       = code_i[MAG_W-1:0];
    wire [EXP_W-1:0] exp_f     = mag[MAG_W-1 -: EXP_W];
    wire [MAG_W-1:0] frac      = mag & FRAC_MASK[MAG_W-1:0];
    wire             exp_zero  = ~|exp_f;
    wire             exp_ones  = &exp_f;
    wire             frac_zero = ~|frac;
    //   fn_nan: S.1..1.1..1   ieee: e all ones, f != 0   fnuz: 1.0..0 (the "negative zero")
    wire             is_nan    = ((IS_FNNAN != 0) & (&mag))
                               | ((IS_IEEE != 0) & exp_ones & ~frac_zero)
                               | ((IS_FNUZ != 0) & sign & ~(|mag));
    //   ieee: e all ones, f == 0
    wire             is_inf    = (IS_IEEE != 0) & exp_ones & frac_zero;

    // ---------------------------------------------------------------------------------
    // Stage 2: integer significand sig and its exponent: |value| = sig * 2^(e_eff - BIAS - M)
    //   e >= 1:               sig = 2^M + f, e_eff = e
    //   e == 0, subnormals:   sig = f,       e_eff = 1
    //   e == 0, no subnormals: sig = 0 (f != 0 is non-canonical: zero)
    // ---------------------------------------------------------------------------------
    wire [MAG_W-1:0] sig   = exp_zero ? ((SUBNORMALS != 0) ? frac : {MAG_W{1'b0}})
                                      : (frac | HIDDEN[MAG_W-1:0]);
    wire [EXP_W-1:0] e_eff = exp_zero ? {{(EXP_W-1){1'b0}}, 1'b1} : exp_f;

    // ---------------------------------------------------------------------------------
    // Stage 3: integer mapping I = (-1)^s * sig * 2^(e_eff - 1) (0 for NaN and Inf)
    // ---------------------------------------------------------------------------------
    wire [INT_W-1:0] int_mag = {{(INT_W-MAG_W){1'b0}}, sig} << (e_eff - 1'b1);
    assign int_o = (is_nan | is_inf) ? {INT_W{1'b0}} : (sign ? -int_mag : int_mag);

    // ---------------------------------------------------------------------------------
    // Stage 4: float32. Every value is a float32 normal or zero (docs/rtl_contract.md), so
    // normalizing sig to its leading one gives exponent e_eff - BIAS - M + msb_pos and the
    // fraction sig << (23 - msb_pos) without its leading one.
    // ---------------------------------------------------------------------------------
    reg [7:0] msb_pos;
    always @* begin : proc_msb
        integer i;
        msb_pos = 8'd0;
        for (i = 0; i < MAG_W; i = i + 1)
            if (sig[i]) msb_pos = i[7:0];
    end
    wire [7:0]  f32_exp  = {{(8-EXP_W){1'b0}}, e_eff} + msb_pos + F32_ADJ[7:0];
    wire [22:0] f32_frac = {{(23-MAG_W){1'b0}}, sig} << (8'd23 - msb_pos);

    assign f32_o = is_nan        ? {sign, F32_NAN}
                 : is_inf        ? {sign, F32_INF}
                 : (sig == 0)    ? {sign, 31'd0}
                 : {sign, f32_exp, f32_frac};
    assign is_nan_o = is_nan;
    assign is_inf_o = is_inf;

endmodule

`resetall
