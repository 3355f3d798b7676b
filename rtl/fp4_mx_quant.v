`resetall
`timescale 1ns / 1ps
`default_nettype none

`include "fp4_defs.vh"

// fp4_mx_quant: one MX block quantizer, 32 source floats to one E8M0 scale and 32 E2M1
// codes (docs/block.md §3, §4, §10; ports docs/rtl_contract.md "Units of block-scaled
// hardware"). Combinational; uses fp4_quant_elem.v and fp4_round.v, and
// includes fp4_quant_common.vh.
//
//   amax  = max |x_j| (sources read exactly, as their float32 values)
//   e     = by RULE, from amax = m * 2^E (1 <= m < 2), integer arithmetic only:
//             0 floor  E - 2
//             1 ceil   ceil(log2 amax) - 2           (E - 2, plus 1 unless m = 1)
//             2 even   E - 2, plus 1 when m >= 1.75  (amax rounded half up to 2 bits)
//             3 rceil  ceil(log2 fl32(amax / 6))      (fl32: binary32 nearest-even, subnormals kept)
//           amax = 0 or e < -127: -127 (code 0x00); e > 127 (unreachable): the block is NaN
//   scale = e + 127 (E8M0)
//   P_j   = E2M1 code of x_j / 2^e, exact at every magnitude (no intermediate rounding),
//           rounded by mode_i (docs/encoding.md §3.4; sr §3.5 with rand_i[j*SR_W +: SR_W]),
//           saturating at +-6; a zero result keeps x_j's sign
//   a NaN or +-Inf anywhere in the block: scale 0xFF and every code 0
module fp4_mx_quant #(
    // source exponent width: 8 float32 and bfloat16, 5 float16
    parameter integer SRC_EXP_W = 8,
    // source fraction width: 23 float32, 10 float16, 7 bfloat16 (1..23)
    parameter integer SRC_MAN_W = 23,
    // scale rule: 0 floor, 1 ceil, 2 even, 3 rceil (others behave as floor)
    parameter integer RULE = 0,
    // random bits per element for stochastic rounding (1..32)
    parameter integer SR_W = 8
) (
    input  wire [32*(1+SRC_EXP_W+SRC_MAN_W)-1:0] x_i,      // element j at [j*XW +: XW]
    input  wire [2:0]                            mode_i,   // rounding mode `FP4_MODE_*
    input  wire [32*SR_W-1:0]                    rand_i,   // element j's draw at [j*SR_W +: SR_W]
    output wire [7:0]                            scale_o,  // E8M0
    output wire [32*4-1:0]                       code_o    // E2M1, element j at [4j +: 4]
);

    `include "fp4_quant_common.vh"

    // ---------------------------------------------------------------------------------
    // Widths: XW a source float, MAG_W its magnitude bits (IEEE order: as unsigned integers
    // they compare like the finite values), SIG_W its significand with the hidden bit, PAD
    // the zero bits that left-align a significand in fp4_quant_common.vh's 32-bit container
    // (>= 8). A source value is {sig, PAD zeros} * 2^(e_raw - SRC_MAN_W - PAD), with
    // e_raw = 1 - BIAS for subnormals (read exactly, no flush).
    // ---------------------------------------------------------------------------------
    localparam integer N        = 32;
    localparam integer XW       = 1 + SRC_EXP_W + SRC_MAN_W;
    localparam integer MAG_W    = XW - 1;
    localparam integer SIG_W    = SRC_MAN_W + 1;
    localparam integer PAD      = 32 - SIG_W;
    localparam integer SRC_BIAS = (1 << (SRC_EXP_W - 1)) - 1;
    localparam integer LSB_OFF  = SRC_BIAS + SRC_MAN_W + PAD;   // container lsb = e_field - LSB_OFF

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

    reg [MAG_W-1:0]    amax;          // largest magnitude (NaN/Inf excluded by blk_nan)
    reg                any_special;   // a NaN or +-Inf input
    reg [31:0]         a_sig;         // amax = a_sig * 2^a_lsb
    reg signed [31:0]  a_lsb;
    reg [31:0]         a_msb;         // floor(log2 a_sig): E = floor(log2 amax) = a_lsb + a_msb
    reg [30:0]         q;             // rceil: fl32(amax / 6)
    reg [31:0]         q_msb;         // rceil: floor(log2) of q's container
    reg signed [31:0]  e_rule;        // the shared exponent by RULE, before the clamps
    reg signed [31:0]  e_sh;          // the shared exponent: X = 2^e_sh
    reg [N*SP_W-1:0]   split;

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
        // Stage 2: the shared exponent by RULE (E2M1: emax_elem = 2, max_elem = 6), from
        // amax = m * 2^E exactly (a_msb is the position of m's leading one in a_sig)
        //   floor  E - 2
        //   ceil   E - 2, plus 1 unless m = 1 (a_sig a power of two)
        //   even   E - 2, plus 1 when m >= 1.75: 4 * a_sig >= 7 * 2^a_msb (34-bit compare)
        //   rceil  q = fl32(amax / 6) (6 = {2'b11, 30 zeros} * 2^-29); ceil(log2 q) is
        //          floor(log2 q), plus 1 unless q is a power of two; q = 0 gives -128
        // -----------------------------------------------------------------------------
        a_sig = src_sig(amax);
        a_lsb = src_lsb(amax[MAG_W-1:SRC_MAN_W]);
        a_msb = 32'd0;
        q     = 31'd0;
        q_msb = 32'd0;
        if (RULE == 3) begin
            q     = fp4q_div32(a_sig, a_lsb, {2'b11, 30'd0}, -32'sd29);
            q_msb = fp4q_msb({32'd0, fp4q_f32_sig(q)});
            if (~|q)
                e_rule = -32'sd128;
            else
                e_rule = fp4q_f32_lsb(q[30:23]) + $signed(q_msb)
                       + ((fp4q_f32_sig(q) == (32'd1 << q_msb)) ? 32'sd0 : 32'sd1);
        end else begin
            a_msb  = fp4q_msb({32'd0, a_sig});
            e_rule = a_lsb + $signed(a_msb) - 32'sd2;
            if (RULE == 2)
                e_rule = e_rule + ((({a_sig, 2'b00}) >= ({31'd0, 3'b111} << a_msb)) ? 32'sd1 : 32'sd0);
            else if (RULE == 1)
                e_rule = e_rule + ((a_sig == (32'd1 << a_msb)) ? 32'sd0 : 32'sd1);
        end

        // amax = 0 and e < -127: -127 (code 0x00); e > 127 (unreachable here) is NaN below
        e_sh = ((~|amax) | (e_rule < -127)) ? -32'sd127 : e_rule;

        // -----------------------------------------------------------------------------
        // Stage 3: per element the E2M1 neighbours of x_j / 2^e_sh, exact at every
        // magnitude: the same container, its LSB weight lowered by e_sh
        // -----------------------------------------------------------------------------
        for (j = 0; j < N; j = j + 1)
            split[j*SP_W +: SP_W] = fp4q_e2m1_split(src_sig(x_i[j*XW +: MAG_W]),
                                                    src_lsb(x_i[j*XW + SRC_MAN_W +: SRC_EXP_W]) - e_sh);
    end

    wire signed [31:0] scale_w = e_sh + 32'sd127;                   // 0 .. 254, or NaN above
    wire               blk_nan = any_special | (scale_w > 254);

    assign scale_o = blk_nan ? 8'hFF : scale_w[7:0];

    // ---------------------------------------------------------------------------------
    // Stage 4: one E2M1 rounding per element (fp4_round decides lo or hi), saturating at 6;
    // a NaN block zeroes every code
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
                .nan_i  (blk_nan),
                .code_o (code_o[4*k +: 4])
            );
        end
    endgenerate

endmodule

`resetall
