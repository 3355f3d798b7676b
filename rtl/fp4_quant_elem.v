`resetall
`timescale 1ns / 1ps
`default_nettype none

`include "fp4_defs.vh"

// fp4_quant_elem: the last step of the block quantizers fp4_mx_quant and fp4_nvfp4_quant
// (docs/block.md §4, §5): one element's E2M1 code from its two neighbours, as
// fp4_quant_common.vh's fp4q_e2m1_split describes them. fp4_round decides lo or hi
// (docs/encoding.md §3.4; sr §3.5 with rand_i), the magnitude saturates at code 7 (6.0),
// the sign is the source element's (a zero result keeps it); a NaN block gives code 0.
// Combinational; needs rtl/fp4_round.v.
module fp4_quant_elem #(
    // random bits for stochastic rounding (1..32)
    parameter integer SR_W = 8
) (
    input  wire [SR_W+5:0] split_i,   // {big, lo code[2:0], round, sticky, F[SR_W-1:0]}
    input  wire            sign_i,    // the source element's sign
    input  wire [2:0]      mode_i,    // rounding mode `FP4_MODE_*
    input  wire [SR_W-1:0] rand_i,    // this element's draw (sr)
    input  wire            nan_i,     // the block is NaN: code 0
    output wire [3:0]      code_o     // E2M1
);

    wire up;
    fp4_round #(
        .SR_W(SR_W)
    ) u_round (
        .sign_i   (sign_i),
        .lsb_i    (split_i[SR_W+2]),
        .round_i  (split_i[SR_W+1]),
        .sticky_i (split_i[SR_W]),
        .mode_i   (mode_i),
        .sr_bits_i(split_i[SR_W-1:0]),
        .rand_i   (rand_i),
        .up_o     (up)
    );

    // lo + up; past code 7 (6.0), or with big set (|v| >= 8), it saturates
    wire [3:0] mag = {1'b0, split_i[SR_W+4:SR_W+2]} + {3'd0, up};
    wire [2:0] sat = (split_i[SR_W+5] | mag[3]) ? 3'b111 : mag[2:0];

    assign code_o = nan_i ? 4'd0 : {sign_i, sat};

endmodule

`resetall
