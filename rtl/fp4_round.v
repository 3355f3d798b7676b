`resetall
`timescale 1ns / 1ps
`default_nettype none

`include "fp4_defs.vh"

// fp4_round: the rounding decision of docs/encoding.md §3.4 and §3.5 (cvfpu style): given
// the kept integer significand's LSB and the discarded bits, says whether to step from lo
// (the truncated magnitude) to hi (the next grid point). Combinational.
module fp4_round #(
    // random bits for stochastic rounding (>= 1)
    parameter integer SR_W = 8
) (
    input  wire            sign_i,     // sign of the value being rounded
    input  wire            lsb_i,      // LSB of lo's integer significand (its parity)
    input  wire            round_i,    // first discarded bit (weight half a step)
    input  wire            sticky_i,   // OR of every discarded bit below round_i
    input  wire [2:0]      mode_i,     // `FP4_MODE_* (6, 7 behave as rne)
    input  wire [SR_W-1:0] sr_bits_i,  // F: the first SR_W discarded bits (round_i is its MSB)
    input  wire [SR_W-1:0] rand_i,     // stochastic rounding draw
    output reg             up_o        // 1: the magnitude is hi; 0: it is lo
);

    // ---------------------------------------------------------------------------------
    // Stochastic rounding: hi when F + rand >= 2^SR_W, i.e. the carry out of the sum.
    // An exact value has F = 0, and rand < 2^SR_W never carries on its own.
    // ---------------------------------------------------------------------------------
    wire [SR_W:0] sr_sum = {1'b0, sr_bits_i} + {1'b0, rand_i};

    // ---------------------------------------------------------------------------------
    // Decision per mode
    // ---------------------------------------------------------------------------------
    always @* begin : proc_decide
        case (mode_i)
            // tie (round, no sticky): up only when lo is odd; above half: always up
            `FP4_MODE_RNE: up_o = round_i & (sticky_i | lsb_i);
            // half a step or more: up, so ties go away from zero
            `FP4_MODE_RNA: up_o = round_i;
            // truncate: the magnitude never grows
            `FP4_MODE_RTZ: up_o = 1'b0;
            // toward +inf: positive inexact values grow, negative ones truncate
            `FP4_MODE_RUP: up_o = ~sign_i & (round_i | sticky_i);
            // toward -inf: negative inexact values grow, positive ones truncate
            `FP4_MODE_RDN: up_o = sign_i & (round_i | sticky_i);
            // stochastic: carry out of F + rand (F carries round_i as its MSB)
            `FP4_MODE_SR:  up_o = sr_sum[SR_W];
            // reserved codes 6 and 7 behave as rne
            default:       up_o = round_i & (sticky_i | lsb_i);
        endcase
    end

endmodule

`resetall
