`resetall
`timescale 1ns / 1ps
`default_nettype none

// fp4_mx_dot: MXFP4 dot product of BLOCKS blocks of 32 E2M1 pairs to FP32 (docs/block.md
// §7, §8; ports docs/rtl_contract.md "Units of block-scaled hardware"). Combinational.
//   B_k = S_k * 2^(xa[k] + xb[k] - 254 - 2),  S_k = sum_j Ia * Ib  (E2M1 integer mapping,
//         units of 1/2; |S_k| <= 4,608); xa[k] or xb[k] = 0xFF makes block k NaN
//   SEMANTICS 0 exact:     res_o = round(acc + sum_k B_k), one rounding
//   SEMANTICS 1 per_block: b_k = round(B_k), then r = acc, r = round(r + b_k) in block order
//   blk_o[k] = b_k in both semantics; flags_o: inexact, underflow, overflow, invalid
// Needs rtl/fp4_e2m1_sum.v and rtl/fp4_fp32_round.v (fp4_fp32_round, fp4_fp32_add,
// fp4_fp32_dot_tail).
module fp4_mx_dot #(
    // K, 1..8
    parameter integer BLOCKS = 1,
    // 0 exact, 1 per_block
    parameter integer SEMANTICS = 0,
    // 0 rne, 1 rtz
    parameter integer RTZ = 0,
    // 1: subnormal results flushed to signed zero
    parameter integer FTZ = 0,
    // 0: acc_i ignored, the accumulator input is +0
    parameter integer HAS_ACC = 1
) (
    input  wire [BLOCKS*32*4-1:0] a_i,      // E2M1 codes, block k element j at [4*(32k+j) +: 4]
    input  wire [BLOCKS*32*4-1:0] b_i,
    input  wire [BLOCKS*8-1:0]    xa_i,     // E8M0 scale codes (0xFF NaN), block k at [8k +: 8]
    input  wire [BLOCKS*8-1:0]    xb_i,
    input  wire [31:0]            acc_i,    // FP32 accumulator input
    output wire [31:0]            res_o,    // FP32 result
    output wire [3:0]             flags_o,  // bit 0 inexact, 1 underflow, 2 overflow, 3 invalid
    output wire [BLOCKS*32-1:0]   blk_o     // FP32 value of each block alone, block k at [32k +: 32]
);

    // ---------------------------------------------------------------------------------
    // Widths. Every intermediate is exact; a width is the bound it has to hold:
    //   |I| <= 12 (E2M1 +-6 in units of 1/2)                    4 bits
    //   |Ia * Ib| <= 144                                         8 bits
    //   S_W  |S_k| <= 32 * 144 = 4,608 < 2^13 (partial sums too), plus a sign bit
    //   X_W  x_k = xa + xb in 0..510 (0..508 for non-NaN blocks)  9 bits
    // B_k = S_k * 2^(x_k - 256): the tail's term t_k = S_k, x_k, LSB exponent -256.
    // ---------------------------------------------------------------------------------
    localparam integer E   = 32;
    localparam integer S_W = 14;
    localparam integer X_W = 9;

    // ---------------------------------------------------------------------------------
    // Per block: S_k (exact, fp4_e2m1_sum), x_k, NaN
    // ---------------------------------------------------------------------------------
    wire [BLOCKS*S_W-1:0] s_bus;
    wire [BLOCKS*X_W-1:0] x_bus;
    wire [BLOCKS-1:0]     nan_bus;

    genvar k;
    generate
        for (k = 0; k < BLOCKS; k = k + 1) begin : gen_blk
            wire [7:0] xa = xa_i[8*k +: 8];
            wire [7:0] xb = xb_i[8*k +: 8];
            fp4_e2m1_sum #(
                .N(E), .S_W(S_W)
            ) u_sum (
                .a_i(a_i[4*E*k +: 4*E]), .b_i(b_i[4*E*k +: 4*E]), .s_o(s_bus[S_W*k +: S_W])
            );
            assign x_bus[X_W*k +: X_W] = {1'b0, xa} + {1'b0, xb};
            assign nan_bus[k]          = (&xa) | (&xb);
        end
    endgenerate

    // ---------------------------------------------------------------------------------
    // Rounding, accumulation, specials and flags: docs/block.md §7, §8
    // ---------------------------------------------------------------------------------
    fp4_fp32_dot_tail #(
        .BLOCKS(BLOCKS), .SEMANTICS(SEMANTICS), .RTZ(RTZ), .FTZ(FTZ), .HAS_ACC(HAS_ACC),
        .T_W(S_W), .X_W(X_W), .X_MAX(508), .LSB_EXP(-256)
    ) u_tail (
        .t_i(s_bus), .x_i(x_bus), .nan_i(nan_bus), .invalid_i(1'b0), .acc_i(acc_i),
        .res_o(res_o), .flags_o(flags_o), .blk_o(blk_o)
    );

endmodule

`resetall
