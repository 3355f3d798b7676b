// broken/ties_away.v: BROKEN variant of enc_hs.v (same module name and ports) for
// `fp4ref verify --dut broken/ties_away.toml`. Bug: rounding ties go away from zero (RNA)
// instead of to the even code (RNE): the round-up decision uses the round bit alone and
// ignores the sticky and the kept LSB. Only exact halfway cases between two E2M1 values
// whose lower neighbour has an even code differ: it should fail exactly 8 of the 65,536
// float16 vectors, +-0.25 (-> +-0.5, codes 1 / 9, expected 0 / 8), +-1.25 (-> +-1.5, codes
// 3 / 11, expected 2 / 10), +-2.5 (-> +-3, codes 5 / 13, expected 4 / 12) and +-5 (-> +-6,
// codes 7 / 15, expected 6 / 14), i.e. float16 0x3400 0xb400 0x3d00 0xbd00 0x4100 0xc100
// 0x4500 0xc500. Ties 0.75, 1.75 and 3.5 round up in both modes and still pass.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/* verilator lint_off DECLFILENAME */  // the variant keeps the good design's module name
module enc_hs (
    input  wire        clk,
    input  wire        rst,        // synchronous, active high
    input  wire        in_valid,
    output wire        in_ready,
    input  wire [15:0] in_data,    // IEEE float16 bit pattern
    output wire        out_valid,
    input  wire        out_ready,
    output wire [3:0]  out_code    // sign | exponent (2) | mantissa (1)
);

    // ---------------------------------------------------------------------------------
    // Flow control: one enable for the whole pipe. The pipe holds while its output is
    // valid and not taken; otherwise every stage moves one step (bubbles included).
    // ---------------------------------------------------------------------------------
    reg  s1_valid, s2_valid, s3_valid;
    wire stall   = s3_valid & ~out_ready;
    wire advance = ~stall;

    assign in_ready  = advance;
    assign out_valid = s3_valid;

    // ---------------------------------------------------------------------------------
    // Stage 0 (combinational, before the first register): unpack the float16.
    //   |x| = sig * 2^(k - 10), sig = {hidden, frac}, k = exp - 15 (exp 0: k = -14).
    // The E2M1 grid step for |x| in [2^k, 2^(k+1)) is 2^(k-1) for k >= 0 and 2^-1 below,
    // so the kept integer significand is q = sig >> sh with sh = 9 (k >= 0) or 9 - k
    // (k < 0), clamped to 12 (every bit of sig is then below the round bit). The pipe
    // carries sh as its offset from 9 (x_sh = sh - 9, 0..3).
    // ---------------------------------------------------------------------------------
    wire        x_sign  = in_data[15];
    wire [4:0]  x_exp   = in_data[14:10];
    wire [9:0]  x_frac  = in_data[9:0];
    wire        x_eone  = &x_exp;
    wire        x_ezero = ~|x_exp;
    wire        x_nan   = x_eone & (|x_frac);
    // |x| >= 8 (k >= 3) or Inf: past the largest finite value 6 whatever the rounding
    wire        x_big   = (x_exp >= 5'd18);
    wire [10:0] x_sig   = {~x_ezero, x_frac};
    // exponent field base of the result, k << 1 for k = 0..2 (values 1 .. <8), else 0
    // (continuous assignments, not always @*: the table is right from time 0 even when
    // in_data never changes)
    wire        x_k0    = (x_exp == 5'd15);          // [1, 2)
    wire        x_k1    = (x_exp == 5'd16);          // [2, 4)
    wire        x_k2    = (x_exp == 5'd17);          // [4, 8)
    wire [3:0]  x_base  = x_k2 ? 4'd4 : x_k1 ? 4'd2 : 4'd0;
    wire [1:0]  x_sh    = (x_k0 | x_k1 | x_k2)  ? 2'd0   // k >= 0: sh = 9
                        : (x_exp == 5'd14)      ? 2'd1   // [0.5, 1):   sh = 10
                        : (x_exp == 5'd13)      ? 2'd2   // [0.25, 0.5): sh = 11
                        :                         2'd3;  // tiny (big: unused): sh = 12

    // stage 1 registers
    reg        s1_sign, s1_nan, s1_big;
    reg [3:0]  s1_base;
    reg [1:0]  s1_sh;
    reg [10:0] s1_sig;

    // ---------------------------------------------------------------------------------
    // Stage 1 -> 2: align. q = sig >> sh (2 bits), round bit = sig[sh-1], sticky = OR of
    // the bits below the round bit.
    // ---------------------------------------------------------------------------------
    // s1_ext = sig with one zero below it, so s1_ext >> sh puts {q, round} at [2:0];
    // as sh >= 9 that is s1_ext[11:9] >> (sh - 9)
    wire [11:0] s1_ext   = {s1_sig, 1'b0};
    wire [3:0]  s1_shf   = 4'd9 + {2'b00, s1_sh};    // full shift distance, 9..12
    wire [2:0]  s1_y     = s1_ext[11:9] >> s1_sh;    // {q, round}
    wire [11:0] s1_lost  = ~(12'hfff << s1_shf);     // bits of s1_ext shifted out
    wire [1:0]  s1_q     = s1_y[2:1];
    wire        s1_rnd   = s1_y[0];
    wire        s1_stk   = |(s1_ext & s1_lost);

    // stage 2 registers
    reg        s2_sign, s2_nan, s2_big;
    reg [3:0]  s2_base;
    reg [1:0]  s2_q;
    reg        s2_rnd;
    /* verilator lint_off UNUSEDSIGNAL */  // the sticky goes unused: that is the bug
    reg        s2_stk;
    /* verilator lint_on UNUSEDSIGNAL */

    // ---------------------------------------------------------------------------------
    // Stage 2 -> 3: round, pack, saturate, specials.
    // base + q is the magnitude code; a carry out of the mantissa bumps the exponent.
    // ---------------------------------------------------------------------------------
    // BUG: ties away from zero; RNE is s2_rnd & (s2_stk | s2_q[0])
    wire       s2_up   = s2_rnd;
    wire [3:0] s2_mag  = s2_base + {2'b00, s2_q} + {3'b000, s2_up};
    wire [2:0] s2_magc = s2_nan                   ? 3'd0
                       : (s2_big | s2_mag[3])     ? 3'd7
                       : s2_mag[2:0];

    // stage 3 (output) register
    reg [3:0]  s3_code;
    assign out_code = s3_code;

    always @(posedge clk) begin
        if (rst) begin
            s1_valid <= 1'b0;
            s2_valid <= 1'b0;
            s3_valid <= 1'b0;
        end else if (advance) begin
            s1_valid <= in_valid;
            s2_valid <= s1_valid;
            s3_valid <= s2_valid;
        end
    end

    // data registers: no reset, loaded whenever the pipe moves
    always @(posedge clk) begin
        if (advance) begin
            s1_sign <= x_sign;
            s1_nan  <= x_nan;
            s1_big  <= x_big;
            s1_base <= x_base;
            s1_sh   <= x_sh;
            s1_sig  <= x_sig;

            s2_sign <= s1_sign;
            s2_nan  <= s1_nan;
            s2_big  <= s1_big;
            s2_base <= s1_base;
            s2_q    <= s1_q;
            s2_rnd  <= s1_rnd;
            s2_stk  <= s1_stk;

            s3_code <= {s2_sign, s2_magc};
        end
    end

endmodule

`resetall
