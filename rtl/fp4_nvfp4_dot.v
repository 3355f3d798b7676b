`resetall
`timescale 1ns / 1ps
`default_nettype none

// fp4_nvfp4_dot: NVFP4 dot product of BLOCKS blocks of 16 E2M1 pairs to FP32 (docs/block.md
// §7, §9; ports docs/rtl_contract.md "Units of block-scaled hardware"). Combinational.
//   B_k = S_k * ue4m3(sa[k]) * ue4m3(sb[k]) * ta * tb / 4,  S_k = sum_j Ia * Ib (E2M1 integer
//         mapping, units of 1/2; |S_k| <= 2,304); without HAS_TSCALE ta = tb = 1
//   ue4m3(s): s[7] set or s = 0x7F is NaN (block k and the result NaN, no flag); else
//         bits 6..0 are an E4M3 magnitude (bias 7, exponent field 0 subnormal, 0x7E = 448)
//   ta, tb: FP32 with a real sign; NaN or Inf makes every block and the result NaN, invalid
//   SEMANTICS 0 exact:     res_o = round(acc + sum_k B_k), one rounding (acc not scaled)
//   SEMANTICS 1 per_block: b_k = round(B_k), then r = acc, r = round(r + b_k) in block order
//   blk_o[k] = b_k in both semantics; flags_o: inexact, underflow, overflow, invalid
// Needs rtl/fp4_e2m1_sum.v and rtl/fp4_fp32_round.v (fp4_fp32_round, fp4_fp32_add,
// fp4_fp32_dot_tail).
module fp4_nvfp4_dot #(
    // K, 1..8
    parameter integer BLOCKS = 1,
    // 0 exact, 1 per_block
    parameter integer SEMANTICS = 0,
    // 0 rne, 1 rtz
    parameter integer RTZ = 0,
    // 1: subnormal results flushed to signed zero
    parameter integer FTZ = 0,
    // 0: acc_i ignored, the accumulator input is +0
    parameter integer HAS_ACC = 1,
    // 0: ta_i, tb_i ignored (both 1.0)
    parameter integer HAS_TSCALE = 1
) (
    input  wire [BLOCKS*16*4-1:0] a_i,      // E2M1 codes, block k element j at [4*(16k+j) +: 4]
    input  wire [BLOCKS*16*4-1:0] b_i,
    input  wire [BLOCKS*8-1:0]    sa_i,     // UE4M3 scale codes (0x7F and >= 0x80: NaN)
    input  wire [BLOCKS*8-1:0]    sb_i,
    input  wire [31:0]            ta_i,     // FP32 per-tensor scales
    input  wire [31:0]            tb_i,
    input  wire [31:0]            acc_i,    // FP32 accumulator input
    output wire [31:0]            res_o,    // FP32 result
    output wire [3:0]             flags_o,  // bit 0 inexact, 1 underflow, 2 overflow, 3 invalid
    output wire [BLOCKS*32-1:0]   blk_o     // FP32 value of each block alone, block k at [32k +: 32]
);

    // ---------------------------------------------------------------------------------
    // Every factor as an integer significand times a power of two:
    //   ue4m3: sig = {e != 0, m} (< 2^4), value = sig * 2^(sh - 9),   sh = max(e, 1) - 1 <= 14
    //   fp32:  sig = {E != 0, f} (< 2^24), value = sig * 2^(sh - 149), sh = max(E, 1) - 1 <= 253
    // so B_k = t_k * 2^(x_k - 318) with
    //   t_k = +-|S_k| * sig_sa * sig_sb * sig_ta * sig_tb,  x_k = sh_sa + sh_sb + sh_ta + sh_tb
    //   (-318 = -9 - 9 - 149 - 149 - 2, the 2 for the units of 1/4 of S_k).
    // Widths. Every intermediate is exact; a width is the bound it has to hold:
    //   |I| <= 12, |Ia * Ib| <= 144                               4, 8 bits
    //   S_W  |S_k| <= 16 * 144 = 2,304 < 2^12 (partial sums too), plus a sign bit
    //   SS   sig_sa * sig_sb <= 15 * 15 = 225                      8 bits
    //   TT   sig_ta * sig_tb < 2^48                                48 bits
    //   T_W  |t_k| <= 2,304 * 225 * (2^24 - 1)^2 < 2^19 * 2^48 = 2^67, plus a sign bit
    //   X_W  x_k <= 14 + 14 + 253 + 253 = 534 (non-NaN; 536 at most) < 2^10
    // ---------------------------------------------------------------------------------
    localparam integer E   = 16;
    localparam integer S_W = 13;
    localparam integer T_W = 68;
    localparam integer X_W = 10;

    // ---------------------------------------------------------------------------------
    // Tensor scales (shared by every block), then per block: S_k (exact), t_k, x_k, NaN.
    // One always block for all of it: its outputs change together, once per input change.
    // ---------------------------------------------------------------------------------
    localparam [31:0] ONE = 32'h3F800000;
    wire [31:0] ta = (HAS_TSCALE != 0) ? ta_i : ONE;
    wire [31:0] tb = (HAS_TSCALE != 0) ? tb_i : ONE;

    reg [BLOCKS*T_W-1:0] t_bus;
    reg [BLOCKS*X_W-1:0] x_bus;
    reg [BLOCKS-1:0]     nan_bus;
    reg                  t_bad;                  // ta or tb NaN or Inf: invalid

    wire [BLOCKS*S_W-1:0] s_bus;                 // S_k (exact, fp4_e2m1_sum), block k at [S_W*k +: S_W]

    genvar g;
    generate
        for (g = 0; g < BLOCKS; g = g + 1) begin : gen_sum
            fp4_e2m1_sum #(
                .N(E), .S_W(S_W)
            ) u_sum (
                .a_i(a_i[4*E*g +: 4*E]), .b_i(b_i[4*E*g +: 4*E]), .s_o(s_bus[S_W*g +: S_W])
            );
        end
    endgenerate

    always @* begin : proc_blocks
        integer k;
        reg           t_sign, s_neg, sa_nan, sb_nan;
        reg [7:0]     ta_sh, tb_sh, sa, sb, ss;
        reg [47:0]    tt;
        reg [S_W-1:0] s, s_mag;
        reg [3:0]     sa_sh, sb_sh;
        reg [T_W-1:0] t_mag;
        t_bad  = (&ta[30:23]) | (&tb[30:23]);
        t_sign = ta[31] ^ tb[31];
        ta_sh  = (ta[30:23] == 8'd0) ? 8'd0 : ta[30:23] - 8'd1;
        tb_sh  = (tb[30:23] == 8'd0) ? 8'd0 : tb[30:23] - 8'd1;
        tt     = {24'd0, |ta[30:23], ta[22:0]} * {24'd0, |tb[30:23], tb[22:0]};
        for (k = 0; k < BLOCKS; k = k + 1) begin
            s      = s_bus[S_W*k +: S_W];
            sa     = sa_i[8*k +: 8];
            sb     = sb_i[8*k +: 8];
            // UE4M3: bit 7 set or 0x7F is NaN
            sa_nan = sa[7] | (&sa[6:0]);
            sb_nan = sb[7] | (&sb[6:0]);
            sa_sh  = (sa[6:3] == 4'd0) ? 4'd0 : sa[6:3] - 4'd1;
            sb_sh  = (sb[6:3] == 4'd0) ? 4'd0 : sb[6:3] - 4'd1;
            ss     = {4'd0, |sa[6:3], sa[2:0]} * {4'd0, |sb[6:3], sb[2:0]};
            s_neg  = s[S_W-1];
            s_mag  = s_neg ? -s : s;
            t_mag  = {{(T_W - S_W){1'b0}}, s_mag} * {{(T_W - 8){1'b0}}, ss}
                   * {{(T_W - 48){1'b0}}, tt};
            t_bus[T_W*k +: T_W] = (s_neg ^ t_sign) ? -t_mag : t_mag;
            x_bus[X_W*k +: X_W] = {6'd0, sa_sh} + {6'd0, sb_sh} + {2'd0, ta_sh} + {2'd0, tb_sh};
            nan_bus[k]          = sa_nan | sb_nan | t_bad;
        end
    end

    // ---------------------------------------------------------------------------------
    // Rounding, accumulation, specials and flags: docs/block.md §7, §8, §9
    // ---------------------------------------------------------------------------------
    fp4_fp32_dot_tail #(
        .BLOCKS(BLOCKS), .SEMANTICS(SEMANTICS), .RTZ(RTZ), .FTZ(FTZ), .HAS_ACC(HAS_ACC),
        .T_W(T_W), .X_W(X_W), .X_MAX(534), .LSB_EXP(-318)
    ) u_tail (
        .t_i(t_bus), .x_i(x_bus), .nan_i(nan_bus), .invalid_i(t_bad), .acc_i(acc_i),
        .res_o(res_o), .flags_o(flags_o), .blk_o(blk_o)
    );

endmodule

`resetall
