`resetall
`timescale 1ns / 1ps
`default_nettype none

`include "fp4_defs.vh"

// fp4_nvfp4_quant: one NVFP4 block quantizer, 16 source floats and an FP32 tensor scale to
// one UE4M3 scale and 16 E2M1 codes by the two-level recipe (docs/block.md §5, §10; ports
// docs/rtl_contract.md "Units of block-scaled hardware"). Combinational; uses
// fp4_quant_elem.v and fp4_round.v, and includes fp4_quant_common.vh. Every step is one
// float32 operation rounded to nearest even (subnormal results kept), as exact integer
// arithmetic:
//
//   amax  = max |x_j| (sources read exactly, as their float32 values)
//   s_b   = E4M3_RNE(clamp(fl32(fl32(amax / 6) / ts), 2^-6, 448))   -> scale_o (0x08 .. 0x7E)
//   total = fl32(ts * s_b)
//   P_j   = E2M1(clamp(fl32(x_j / total), -6, 6)) by mode_i (docs/encoding.md §3.4; sr §3.5
//           with rand_i[j*SR_W +: SR_W]); a zero result keeps x_j's sign
//
//   0/0 reads as 0 (the numerator's sign); a non-zero value over 0 is +-Inf, then clamped
//   (ts = 0 gives s_b = 448 unless amax = 0, and total = 0: every non-zero x_j gives +-6).
//   ts = -0.0 reads as 0. A NaN or +-Inf input, or a tensor scale that is NaN, infinite or
//   negative (sign set, non-zero): scale 0x7F (E4M3 NaN) and every code 0.
module fp4_nvfp4_quant #(
    // source exponent width: 8 float32 and bfloat16, 5 float16
    parameter integer SRC_EXP_W = 8,
    // source fraction width: 23 float32, 10 float16, 7 bfloat16 (1..23)
    parameter integer SRC_MAN_W = 23,
    // random bits per element for stochastic rounding (1..32)
    parameter integer SR_W = 8
) (
    input  wire [16*(1+SRC_EXP_W+SRC_MAN_W)-1:0] x_i,      // element j at [j*XW +: XW]
    input  wire [31:0]                           ts_i,     // FP32 tensor scale
    input  wire [2:0]                            mode_i,   // rounding mode `FP4_MODE_* (elements)
    input  wire [16*SR_W-1:0]                    rand_i,   // element j's draw at [j*SR_W +: SR_W]
    output wire [7:0]                            scale_o,  // UE4M3
    output wire [16*4-1:0]                       code_o    // E2M1, element j at [4j +: 4]
);

    `include "fp4_quant_common.vh"

    // ---------------------------------------------------------------------------------
    // Widths: XW a source float, MAG_W its magnitude bits (as unsigned integers they
    // compare like the finite values), SIG_W its significand with the hidden bit, PAD the
    // zero bits that left-align it in fp4_quant_common.vh's 32-bit container (>= 8).
    // A source value is {sig, PAD zeros} * 2^(e_field - LSB_OFF) (e_field 1 for subnormals).
    // A binary32 magnitude is {hidden, fraction, 8 zeros} * 2^(e_field - 158) the same way.
    // ---------------------------------------------------------------------------------
    localparam integer N        = 16;
    localparam integer XW       = 1 + SRC_EXP_W + SRC_MAN_W;
    localparam integer MAG_W    = XW - 1;
    localparam integer SIG_W    = SRC_MAN_W + 1;
    localparam integer PAD      = 32 - SIG_W;
    localparam integer SRC_BIAS = (1 << (SRC_EXP_W - 1)) - 1;
    localparam integer LSB_OFF  = SRC_BIAS + SRC_MAN_W + PAD;

    // a source magnitude (exponent field | fraction) as {hidden, fraction, PAD zeros}, and
    // the weight of that container's LSB from the exponent field
    function [31:0] src_sig;
        input [MAG_W-1:0] m;
        src_sig = {|m[MAG_W-1:SRC_MAN_W], m[SRC_MAN_W-1:0], {PAD{1'b0}}};
    endfunction

    function signed [31:0] src_lsb;
        input [SRC_EXP_W-1:0] e;
        src_lsb = ((|e) ? $signed({{(32-SRC_EXP_W){1'b0}}, e}) : 32'sd1) - LSB_OFF;
    endfunction

    // ---------------------------------------------------------------------------------
    // The datapath, stage by stage, in one combinational block (it evaluates once per input
    // change). split holds, per element, fp4q_e2m1_split's {big, lo code, round, sticky, F}
    // for the rounding decision below.
    // ---------------------------------------------------------------------------------
    localparam integer SP_W = SR_W + 6;

    reg [MAG_W-1:0]   amax;          // largest magnitude (NaN/Inf excluded by `bad`)
    reg               any_special;   // a NaN or +-Inf input
    reg [30:0]        s1;            // fl32(amax / 6)
    reg [30:0]        s2;            // fl32(s1 / ts); Inf for ts = 0 (amax != 0) or on overflow
    reg signed [12:0] w;             // s2's E4M3 code before rounding (see stage 3)
    reg               sb_up;         // s2 rounds up on the E4M3 grid
    reg [6:0]         sb;            // s_b, UE4M3
    reg [35:0]        prod;          // ts's significand times s_b's (24 x 4 bits)
    reg [30:0]        total;         // fl32(ts * s_b), finite
    reg [30:0]        q;             // fl32(x_j / total), one element at a time
    reg [N*SP_W-1:0]  split;

    always @* begin : proc_quant
        integer j;
        // -----------------------------------------------------------------------------
        // Stage 1: amax over the magnitudes, and whether any element is NaN or Inf
        // (exponent field all ones). As unsigned integers the magnitudes compare like the
        // finite values.
        // -----------------------------------------------------------------------------
        amax        = {MAG_W{1'b0}};
        any_special = 1'b0;
        for (j = 0; j < N; j = j + 1) begin
            if (&x_i[j*XW + SRC_MAN_W +: SRC_EXP_W]) any_special = 1'b1;
            if (x_i[j*XW +: MAG_W] > amax) amax = x_i[j*XW +: MAG_W];
        end

        // -----------------------------------------------------------------------------
        // Stage 2: s1 = fl32(amax / 6) (6 = {2'b11, 30 zeros} * 2^-29), finite;
        // s2 = fl32(s1 / ts), ts read by its magnitude (-0.0 is 0; negative ones are bad)
        // -----------------------------------------------------------------------------
        s1 = fp4q_div32(src_sig(amax), src_lsb(amax[MAG_W-1:SRC_MAN_W]), {2'b11, 30'd0}, -32'sd29);
        s2 = fp4q_div32(fp4q_f32_sig(s1), fp4q_f32_lsb(s1[30:23]),
                        fp4q_f32_sig(ts_i[30:0]), fp4q_f32_lsb(ts_i[30:23]));

        // -----------------------------------------------------------------------------
        // Stage 3: s_b = E4M3_RNE(clamp(s2, 2^-6, 448)). In range, s2 is normal with
        // exponent -6 .. 8, so its E4M3 code before rounding is w = (e_field - 120) * 8 +
        // frac[22:20] (13-bit two's complement of the 11 bits e_field | frac[22:20], minus
        // 960). The clamps read on w: s2 < 2^-6 is w < 8 (code 0x08); s2 >= 448 (Inf
        // included) is w >= 0x7E, as 448 = 0x7E exactly; in between w + up <= 0x7E.
        // -----------------------------------------------------------------------------
        w     = $signed({2'b00, s2[30:20]}) - 13'sd960;
        sb_up = s2[19] & ((|s2[18:0]) | s2[20]);                 // nearest, ties to even
        if (w < 13'sd8)
            sb = 7'h08;
        else if (w >= 13'sd126)
            sb = 7'h7E;
        else
            sb = w[6:0] + {6'd0, sb_up};

        // -----------------------------------------------------------------------------
        // Stage 4: total = fl32(ts * s_b): s_b = {1, m} * 2^(e4 - 10), so the exact product
        // is ts's container times {1, m} (36 bits) at weight 2^(ts_lsb + e4 - 10). It is
        // finite: s_b <= 448 only exceeds s2 by rounding, and s2 * ts ~ amax / 6.
        // -----------------------------------------------------------------------------
        prod  = {4'd0, fp4q_f32_sig(ts_i[30:0])} * {32'd0, 1'b1, sb[2:0]};
        total = fp4q_round32({28'd0, prod},
                             fp4q_f32_lsb(ts_i[30:23]) + $signed({28'd0, sb[6:3]}) - 32'sd10, 1'b0);

        // -----------------------------------------------------------------------------
        // Stage 5: per element q = fl32(x_j / total) (x_j / 0 = Inf reads as 2^128 below,
        // beyond every grid point: it saturates to 6, as clamp(+-Inf, -6, 6) does), then
        // its E2M1 neighbours on the exact value q
        // -----------------------------------------------------------------------------
        for (j = 0; j < N; j = j + 1) begin
            q = fp4q_div32(src_sig(x_i[j*XW +: MAG_W]), src_lsb(x_i[j*XW + SRC_MAN_W +: SRC_EXP_W]),
                           fp4q_f32_sig(total), fp4q_f32_lsb(total[30:23]));
            split[j*SP_W +: SP_W] = fp4q_e2m1_split(fp4q_f32_sig(q), fp4q_f32_lsb(q[30:23]));
        end
    end

    // ts NaN or +-Inf, or negative non-zero: the block is NaN, as with a NaN/Inf input
    wire bad = any_special | (&ts_i[30:23]) | (ts_i[31] & (|ts_i[30:0]));

    assign scale_o = bad ? 8'h7F : {1'b0, sb};

    // ---------------------------------------------------------------------------------
    // Stage 6: one E2M1 rounding per element (fp4_round decides lo or hi; the sign is
    // x_j's, total being positive), saturating at 6; a bad block zeroes every code
    // ---------------------------------------------------------------------------------
    genvar k;
    generate
        for (k = 0; k < N; k = k + 1) begin : gen_elem
            fp4_quant_elem #(
                .SR_W(SR_W)
            ) u_elem (
                .split_i(split[k*SP_W +: SP_W]),
                .sign_i (x_i[k*XW + XW - 1]),
                .mode_i (mode_i),
                .rand_i (rand_i[k*SR_W +: SR_W]),
                .nan_i  (bad),
                .code_o (code_o[4*k +: 4])
            );
        end
    endgenerate

endmodule

`resetall
