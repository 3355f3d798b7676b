`resetall
`timescale 1ns / 1ps
`default_nettype none

`include "fp4_defs.vh"

// fp4_fp32_round: round an exact signed fixed-point value to IEEE binary32, once
// (docs/block.md §7). The one rounding core of the block dot units (fp4_mx_dot,
// fp4_nvfp4_dot): their exact sums, each block alone, and each FP32 addition of per_block
// semantics (fp4_fp32_add below) all round here. Combinational.
//
//   V = v_i * 2^(LSB_EXP + x_i)      v_i: W-bit two's complement, x_i: unsigned offset
//
//   - rne (RTZ = 0, ties to even) or rtz (RTZ = 1); subnormals kept (grid step 2^-149)
//   - FTZ = 1: a result that is subnormal after rounding becomes zero with V's sign; a
//     result that rounds up to 2^-126 stays
//   - overflow (rounded magnitude >= 2^128): +-Inf (rne), +-0x7F7FFFFF (rtz)
//   - V = 0 gives +0; a non-zero V that rounds to zero keeps its sign
//   - flags_o: inexact; underflow = 0 < |V| < 2^-126 (before rounding) and inexact (a
//     flushed result is both); overflow with inexact; never invalid (V is finite)
//   - spec_i = 1 passes spec_res_i / spec_flags_i through instead (the caller's NaN/Inf)
//
// This file also holds the two helpers built on it, so that both dot units (whose files
// are checked as {this file, the unit's file}) share one definition of each:
//   fp4_fp32_add       an IEEE binary32 addition (specials, then an exact sum rounded here)
//   fp4_fp32_dot_tail  everything after the block sums: per-block rounding, the exact
//                      (Kulisch) sum with the accumulator or the per_block addition chain,
//                      NaN/Inf and flags (docs/block.md §8)
module fp4_fp32_round #(
    // width of v_i (>= 2)
    parameter integer W = 16,
    // exponent of v_i's LSB when x_i = 0 (any integer)
    parameter integer LSB_EXP = -149,
    // width of x_i, 1..31 (tie x_i to 0 for a plain fixed-point value)
    parameter integer X_W = 1,
    // 0: rne, 1: rtz
    parameter integer RTZ = 0,
    // 1: results subnormal after rounding flush to signed zero
    parameter integer FTZ = 0
) (
    input  wire [W-1:0]   v_i,           // two's complement integer
    input  wire [X_W-1:0] x_i,           // unsigned exponent offset
    input  wire           spec_i,        // 1: a result the caller decided (NaN, Inf), below
    input  wire [31:0]    spec_res_i,    // res_o when spec_i
    input  wire [3:0]     spec_flags_i,  // flags_o when spec_i
    output wire [31:0]    res_o,         // binary32 bit pattern
    output wire [3:0]     flags_o        // `FP4_FLAG_* masks
);

    // ---------------------------------------------------------------------------------
    // Widths and ranges:
    //   mag    |v_i| <= 2^(W-1): W bits unsigned (the negation of -2^(W-1) fits)
    //   EXT_W  mag with 26 zero bits below (24 kept + round + one sticky position), so the
    //          normalizing left shift loses nothing and the kept 24 bits, the round bit and
    //          the sticky bits are fields of one EXT_W-bit word
    //   LZ_S   normalizer stages: shifts 2^(LZ_S-1), ..., 2, 1 add up to 2^LZ_S - 1 >= W - 1,
    //          the most leading zeros a non-zero mag has
    //   e      floor(log2 |V|) = (W - 1 - lz) + LSB_EXP + x_i; 32-bit signed arithmetic
    //          (|e| < 2^31 for any sane W, LSB_EXP, X_W)
    // One always block, with the caller's specials muxed in here: the outputs change once
    // per input change, so no glitches cascade through the per_block chain of
    // fp4_fp32_add in event-driven simulators.
    // ---------------------------------------------------------------------------------
    localparam integer EXT_W = W + 26;
    localparam integer LZ_S  = (W > 2) ? $clog2(W) : 1;
    localparam [30:0]  INF_MAG = 31'h7F800000;
    localparam [30:0]  MAX_MAG = 31'h7F7FFFFF;

    reg                 sign, zero, tiny, lost, round_bit, sticky, inexact, up, overflow, flush;
    reg [W-1:0]         mag;
    reg [EXT_W-1:0]     n;
    reg [31:0]          lz, d_c, q_hi, exp_pre, mag_bits;
    reg signed [31:0]   e, d;
    reg [23:0]          q;
    reg [31:0]          res;
    reg [3:0]           flags;

    always @* begin : proc_round
        integer s;
        // -----------------------------------------------------------------------------
        // Stage 1: sign and magnitude; normalize (leading one to EXT_W-1, weight 2^e) by
        // LZ_S shift stages; exponent; tininess before rounding (0 < |V| < 2^-126)
        // -----------------------------------------------------------------------------
        sign = v_i[W-1];
        mag  = sign ? -v_i : v_i;
        zero = ~|mag;
        n    = {mag, 26'd0};
        lz   = 32'd0;
        for (s = 1 << (LZ_S - 1); s >= 1; s = s / 2) begin
            if ((n >> (EXT_W - s)) == {EXT_W{1'b0}}) begin
                n  = n << s;
                lz = lz + s;
            end
        end
        e    = $signed(W - 1 - lz) + LSB_EXP + $signed({{(32 - X_W){1'b0}}, x_i});
        tiny = (e < -126);

        // -----------------------------------------------------------------------------
        // Stage 2: align onto the binary32 grid of V's binade. The top 24 bits of n are
        // the normal significand (q[0] weight 2^(e-23)); a tiny V shifts right by
        // d = -126 - e (>= 1) more, so that q[0] weighs 2^-149 (the subnormal step) and
        // q < 2^23; d past EXT_W shifts everything out (clamped)
        // -----------------------------------------------------------------------------
        d         = tiny ? (-32'sd126 - e) : 32'sd0;
        d_c       = (d > EXT_W) ? EXT_W : d;
        lost      = |(n & ~({EXT_W{1'b1}} << d_c));
        n         = n >> d_c;
        q         = n[EXT_W-1 -: 24];
        round_bit = n[EXT_W-25];
        sticky    = (|n[EXT_W-26:0]) | lost;
        inexact   = round_bit | sticky;

        // -----------------------------------------------------------------------------
        // Stage 3: round and pack. (biased exponent - 1) << 23 plus q (hidden bit
        // included) is the magnitude's bit pattern, and a carry out of the fraction bumps
        // the exponent by itself (a subnormal q of 2^23 is 2^-126, the smallest normal).
        // Normal e is -126..127: exp_pre 0..253; e > 127, or a carry into exponent field
        // 255, is an overflow. A non-zero result with exponent field 0 is subnormal.
        // -----------------------------------------------------------------------------
        up       = (RTZ == 0) & round_bit & (sticky | q[0]);
        q_hi     = {8'd0, q} + {31'd0, up};
        exp_pre  = tiny ? 32'd0 : e + 32'sd126;
        mag_bits = (exp_pre << 23) + q_hi;
        overflow = (e > 127) | (mag_bits >= 32'h7F800000);
        flush    = (FTZ != 0) & (mag_bits[30:23] == 8'd0) & (|mag_bits[22:0]);

        // -----------------------------------------------------------------------------
        // Stage 4: result and flags
        // -----------------------------------------------------------------------------
        if (spec_i) begin
            res   = spec_res_i;
            flags = spec_flags_i;
        end else if (zero) begin
            res   = 32'd0;                                   // exact zero: +0
            flags = 4'b0000;
        end else if (overflow) begin
            res   = {sign, (RTZ != 0) ? MAX_MAG : INF_MAG};
            flags = `FP4_FLAG_OVERFLOW | `FP4_FLAG_INEXACT;
        end else if (flush) begin
            res   = {sign, 31'd0};
            flags = `FP4_FLAG_UNDERFLOW | `FP4_FLAG_INEXACT;
        end else begin
            res   = {sign, mag_bits[30:0]};                  // 0 keeps V's sign
            flags = (inexact ? `FP4_FLAG_INEXACT : 4'b0000)
                  | ((inexact & tiny) ? `FP4_FLAG_UNDERFLOW : 4'b0000);
        end
    end

    assign res_o   = res;
    assign flags_o = flags;

endmodule

/* verilator lint_off DECLFILENAME */

// fp4_fp32_add: r = a + b in IEEE binary32 with fp4_fp32_round's RTZ and FTZ (the additions
// of per_block semantics, docs/block.md §8). Operands are read exactly (subnormals too).
//   - a NaN operand gives the canonical NaN 0x7FC00000, no flag
//   - +Inf + -Inf gives the canonical NaN and invalid; otherwise an Inf operand gives itself
//   - two zeros: -0 only when both are -0 (IEEE 754 §6.3 for rne and rtz)
//   - otherwise the exact sum, rounded once by fp4_fp32_round (x + (-x) = +0)
module fp4_fp32_add #(
    // 0: rne, 1: rtz
    parameter integer RTZ = 0,
    // 1: results subnormal after rounding flush to signed zero
    parameter integer FTZ = 0
) (
    input  wire [31:0] a_i,
    input  wire [31:0] b_i,
    output wire [31:0] res_o,
    output wire [3:0]  flags_o
);

    // ---------------------------------------------------------------------------------
    // Widths. An operand is sig * 2^(sh - 149), sig = {hidden, fraction} < 2^24 and
    // sh = max(E, 1) - 1 <= 254 (255 only for Inf/NaN, whose sum is unused): in units of
    // 2^-149 it is sig << sh < 2^278; the sum of two is < 2^279, plus a sign bit.
    // ---------------------------------------------------------------------------------
    localparam integer SUM_W = 280;

    reg                 nan_a, nan_b, inf_a, inf_b;
    reg [7:0]           sh_a, sh_b;
    reg [SUM_W-1:0]     fx_a, fx_b, sum;
    reg                 spec;
    reg [31:0]          spec_res;
    reg [3:0]           spec_flags;

    always @* begin : proc_add
        // operand classes
        nan_a = (&a_i[30:23]) & (|a_i[22:0]);
        nan_b = (&b_i[30:23]) & (|b_i[22:0]);
        inf_a = (&a_i[30:23]) & ~(|a_i[22:0]);
        inf_b = (&b_i[30:23]) & ~(|b_i[22:0]);
        // exact sum in units of 2^-149
        sh_a  = (a_i[30:23] == 8'd0) ? 8'd0 : a_i[30:23] - 8'd1;
        sh_b  = (b_i[30:23] == 8'd0) ? 8'd0 : b_i[30:23] - 8'd1;
        fx_a  = {{(SUM_W - 24){1'b0}}, |a_i[30:23], a_i[22:0]} << sh_a;
        fx_b  = {{(SUM_W - 24){1'b0}}, |b_i[30:23], b_i[22:0]} << sh_b;
        sum   = (a_i[31] ? -fx_a : fx_a) + (b_i[31] ? -fx_b : fx_b);
        // specials (IEEE 754 §6.2, §6.3, §7.2)
        spec       = 1'b1;
        spec_flags = 4'b0000;
        if (nan_a | nan_b) begin
            spec_res = 32'h7FC00000;
        end else if (inf_a & inf_b & (a_i[31] ^ b_i[31])) begin
            spec_res   = 32'h7FC00000;
            spec_flags = `FP4_FLAG_INVALID;
        end else if (inf_a | inf_b) begin
            spec_res = inf_a ? a_i : b_i;
        end else if ((a_i[30:0] == 31'd0) & (b_i[30:0] == 31'd0)) begin
            spec_res = {a_i[31] & b_i[31], 31'd0};
        end else begin
            spec     = 1'b0;
            spec_res = 32'd0;
        end
    end

    fp4_fp32_round #(
        .W(SUM_W), .LSB_EXP(-149), .X_W(1), .RTZ(RTZ), .FTZ(FTZ)
    ) u_round (
        .v_i(sum), .x_i(1'b0), .spec_i(spec), .spec_res_i(spec_res), .spec_flags_i(spec_flags),
        .res_o(res_o), .flags_o(flags_o)
    );

endmodule

// fp4_fp32_dot_tail: the FP32 end of a block dot unit (docs/block.md §8, §9). Block k's
// exact value is B_k = t_k * 2^(LSB_EXP + x_k) (t_k two's complement) unless nan_i[k].
//   blk_o[k]  = round(B_k) (fp4_fp32_round; 0x7FC00000 for a NaN block)
//   SEMANTICS 0 (exact):     res = round(acc + sum_k B_k), all terms aligned without loss
//                            in one Kulisch word; a NaN block or NaN acc gives NaN, an
//                            infinite acc gives itself; flags of that one rounding
//   SEMANTICS 1 (per_block): r = acc; r = fp4_fp32_add(r, blk_o[k]) for k = 0..BLOCKS-1;
//                            flags OR over every block rounding and every addition
//   invalid_i is ORed into flags_o (a non-finite tensor scale: the caller also sets nan_i)
//   HAS_ACC = 0: the accumulator input is +0 (acc_i ignored)
module fp4_fp32_dot_tail #(
    parameter integer BLOCKS = 1,          // >= 1
    parameter integer SEMANTICS = 0,       // 0 exact, 1 per_block
    parameter integer RTZ = 0,             // 0 rne, 1 rtz
    parameter integer FTZ = 0,             // 1: subnormal results flushed to signed zero
    parameter integer HAS_ACC = 1,         // 0: acc_i ignored, the accumulator is +0
    parameter integer T_W = 14,            // width of each t_k (two's complement)
    parameter integer X_W = 9,             // width of each x_k (unsigned), 1..31
    parameter integer X_MAX = 508,         // the largest x_k of a non-NaN block
    parameter integer LSB_EXP = -256       // <= -149 (the accumulator's step must fit)
) (
    input  wire [BLOCKS*T_W-1:0] t_i,      // block k at [k*T_W +: T_W]
    input  wire [BLOCKS*X_W-1:0] x_i,      // block k at [k*X_W +: X_W]
    input  wire [BLOCKS-1:0]     nan_i,    // block k is NaN
    input  wire                  invalid_i,
    input  wire [31:0]           acc_i,    // FP32 accumulator input
    output wire [31:0]           res_o,
    output wire [3:0]            flags_o,
    output wire [BLOCKS*32-1:0]  blk_o     // block k at [32*k +: 32]
);

    localparam [31:0] QNAN = 32'h7FC00000;

    wire [31:0] acc = (HAS_ACC != 0) ? acc_i : 32'd0;

    // ---------------------------------------------------------------------------------
    // Each block alone, rounded once (both semantics expose it)
    // ---------------------------------------------------------------------------------
    wire [BLOCKS*4-1:0] bflags;          // flags of the blocks' roundings (0 for a NaN block)

    genvar k;
    generate
        for (k = 0; k < BLOCKS; k = k + 1) begin : gen_blk
            fp4_fp32_round #(
                .W(T_W), .LSB_EXP(LSB_EXP), .X_W(X_W), .RTZ(RTZ), .FTZ(FTZ)
            ) u_round (
                .v_i(t_i[k*T_W +: T_W]), .x_i(x_i[k*X_W +: X_W]),
                .spec_i(nan_i[k]), .spec_res_i(QNAN), .spec_flags_i(4'b0000),
                .res_o(blk_o[32*k +: 32]), .flags_o(bflags[4*k +: 4])
            );
        end
    endgenerate

    generate
        if (SEMANTICS == 0) begin : gen_exact
            // -------------------------------------------------------------------------
            // Kulisch word, LSB 2^LSB_EXP. |B_k| < 2^(T_W-1+X_MAX) and |acc| < 2^128 =
            // 2^(128-LSB_EXP) LSBs: BLOCKS + 1 <= 16 such terms need 4 more bits, and
            // one more for the sign. A NaN block's term may be cut off: its result is NaN.
            //   acc = sig * 2^(sh - 149) = sig << (sh + ACC_OFF) LSBs, ACC_OFF >= 0
            // -------------------------------------------------------------------------
            localparam integer TOP   = (T_W - 1 + X_MAX > 128 - LSB_EXP) ? T_W - 1 + X_MAX
                                                                          : 128 - LSB_EXP;
            localparam integer KW    = TOP + 5;
            localparam integer ACC_OFF = -149 - LSB_EXP;

            reg [KW-1:0] kul, acc_fx;
            reg [31:0]   acc_pos;
            reg          acc_nan, acc_inf, spec;
            reg [31:0]   spec_res;
            always @* begin : proc_kulisch
                integer j;
                acc_nan = (&acc[30:23]) & (|acc[22:0]);
                acc_inf = (&acc[30:23]) & ~(|acc[22:0]);
                acc_pos = ((acc[30:23] == 8'd0) ? 32'd0 : {24'd0, acc[30:23]} - 32'd1) + ACC_OFF;
                acc_fx  = {{(KW - 24){1'b0}}, |acc[30:23], acc[22:0]} << acc_pos;
                kul     = acc[31] ? -acc_fx : acc_fx;
                for (j = 0; j < BLOCKS; j = j + 1)
                    kul = kul + ({{(KW - T_W){t_i[j*T_W + T_W - 1]}}, t_i[j*T_W +: T_W]}
                                 << x_i[j*X_W +: X_W]);
                // a NaN block or NaN acc: NaN; else an infinite acc gives itself
                spec     = (|nan_i) | acc_nan | acc_inf;
                spec_res = ((|nan_i) | acc_nan) ? QNAN : acc;
            end

            wire [3:0] k_flags;
            fp4_fp32_round #(
                .W(KW), .LSB_EXP(LSB_EXP), .X_W(1), .RTZ(RTZ), .FTZ(FTZ)
            ) u_round (
                .v_i(kul), .x_i(1'b0), .spec_i(spec), .spec_res_i(spec_res),
                .spec_flags_i(4'b0000), .res_o(res_o), .flags_o(k_flags)
            );

            assign flags_o = k_flags | (invalid_i ? `FP4_FLAG_INVALID : 4'b0000);
            // every block's own rounding is exposed only (blk_o); its flags do not count
            wire unused_bflags = ^bflags;
        end else begin : gen_per_block
            // -------------------------------------------------------------------------
            // r_0 = acc, r_(k+1) = r_k + b_k (IEEE binary32, block order)
            // -------------------------------------------------------------------------
            wire [32*(BLOCKS+1)-1:0] r;
            wire [4*BLOCKS-1:0]      aflags;
            assign r[31:0] = acc;
            for (k = 0; k < BLOCKS; k = k + 1) begin : gen_add
                fp4_fp32_add #(
                    .RTZ(RTZ), .FTZ(FTZ)
                ) u_add (
                    .a_i(r[32*k +: 32]), .b_i(blk_o[32*k +: 32]),
                    .res_o(r[32*(k+1) +: 32]), .flags_o(aflags[4*k +: 4])
                );
            end

            reg [3:0] f_or;
            always @* begin : proc_flags
                integer j;
                f_or = invalid_i ? `FP4_FLAG_INVALID : 4'b0000;
                for (j = 0; j < BLOCKS; j = j + 1)
                    f_or = f_or | bflags[4*j +: 4] | aflags[4*j +: 4];
            end

            assign res_o   = r[32*BLOCKS +: 32];
            assign flags_o = f_or;
        end
    endgenerate

endmodule

/* verilator lint_on DECLFILENAME */

`resetall
