// broken/drops.v: BROKEN variant of enc_hs.v (same module name and ports) for
// `fp4ref verify --dut broken/drops.toml`. Bug: the pipeline ignores out_ready. in_ready is
// tied to 1 and every stage advances on every clock, so while out_valid && !out_ready the
// output register is overwritten by the next stage and the code it held is lost (and
// out_valid can drop before the code was taken). The arithmetic is right. It should fail
// under backpressure only: with backpressure = 0.25 the sink misses codes, so fewer than
// 65,536 codes arrive and the stream seen by the sink is shifted against the golden order
// (mismatches from the first lost code on; how many depends on the seed). With
// backpressure = 0 (out_ready always 1) it passes every vector.
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
    /* verilator lint_off UNUSEDSIGNAL */
    input  wire        out_ready,  // BUG: unused
    /* verilator lint_on UNUSEDSIGNAL */
    output wire [3:0]  out_code    // sign | exponent (2) | mantissa (1)
);

    // ---------------------------------------------------------------------------------
    // Flow control: one enable for the whole pipe. The pipe holds while its output is
    // valid and not taken; otherwise every stage moves one step (bubbles included).
    // ---------------------------------------------------------------------------------
    reg  s1_valid, s2_valid, s3_valid;
    // BUG: out_ready is not looked at; the pipe never stalls
    wire stall   = 1'b0;
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
    reg        s2_rnd, s2_stk;

    // ---------------------------------------------------------------------------------
    // Stage 2 -> 3: round (RNE: up on round & (sticky | lsb)), pack, saturate, specials.
    // base + q is the magnitude code; a carry out of the mantissa bumps the exponent.
    // ---------------------------------------------------------------------------------
    wire       s2_up   = s2_rnd & (s2_stk | s2_q[0]);
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
