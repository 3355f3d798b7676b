// fp4_quant_common.vh: arithmetic shared by the block quantizers fp4_mx_quant and
// fp4_nvfp4_quant (docs/block.md §3-§5, §10), as constant-width functions. Include it INSIDE
// a module body (after the port list): each module gets its own copy, so there is no include
// guard; the including module must have the parameter SR_W (>= 1, at most 32).
//
// Every value is an exact (significand, exponent) pair: value = sig * 2^lsb. Significands
// travel in 32-bit containers, left-aligned by the caller where they are narrower (a source
// significand of SIG_W <= 24 bits is {sig, (32 - SIG_W) zero bits}, lsb lowered to match).
// Exponents are 32-bit two's complement; every caller keeps them within +-2^10.
//
//   fp4q_msb          floor(log2 v) of a 64-bit integer (0 for 0)
//   fp4q_f32_sig/lsb  a binary32 magnitude as (container, exponent of its LSB)
//   fp4q_round32      (sig + f) * 2^lsb, f in [0, 1) non-zero iff sticky, rounded once to
//                     binary32 nearest-even: subnormals kept, >= 2^128 after rounding is +Inf
//   fp4q_div32        |n| / |d| rounded the same way, by an integer long division of the
//                     normalized significands with a sticky remainder; n = 0 gives 0 (so 0/0
//                     reads as 0, docs/block.md §5), a non-zero n over d = 0 gives +Inf
//   fp4q_e2m1_split   the E2M1 neighbours of an exact value: lo's code and the discarded bits
//                     that fp4_round (docs/encoding.md §3.4, §3.5) decides on
//
// The binary32 results are magnitudes (31 bits: exponent field | fraction field); the caller
// owns the sign.

// ---------------------------------------------------------------------------------------
// floor(log2 v); 0 for v = 0 (callers test zero themselves): a six-level binary priority
// encoder (halve the window toward its upper half whenever that half holds a one)
// ---------------------------------------------------------------------------------------
function [31:0] fp4q_msb;
    input [63:0] v;
    reg [63:0]   w;
    begin
        w        = v;
        fp4q_msb = 32'd0;
        if (|w[63:32]) begin fp4q_msb = fp4q_msb + 32'd32; w = {32'd0, w[63:32]}; end
        if (|w[31:16]) begin fp4q_msb = fp4q_msb + 32'd16; w = {16'd0, w[63:16]}; end
        if (|w[15:8])  begin fp4q_msb = fp4q_msb + 32'd8;  w = {8'd0,  w[63:8]};  end
        if (|w[7:4])   begin fp4q_msb = fp4q_msb + 32'd4;  w = {4'd0,  w[63:4]};  end
        if (|w[3:2])   begin fp4q_msb = fp4q_msb + 32'd2;  w = {2'd0,  w[63:2]};  end
        if (w[1:0] >= 2'd2)  fp4q_msb = fp4q_msb + 32'd1;
    end
endfunction

// ---------------------------------------------------------------------------------------
// A binary32 magnitude m (exponent field | fraction) as the container {hidden, fraction,
// 8 zero bits}, and from the exponent field e the weight of its LSB (e - 158; 1 - 158 for
// subnormals and zero).
// Inf reads as 2^128, beyond every value the callers compare it with.
// ---------------------------------------------------------------------------------------
function [31:0] fp4q_f32_sig;
    input [30:0] m;
    fp4q_f32_sig = {|m[30:23], m[22:0], 8'd0};
endfunction

function signed [31:0] fp4q_f32_lsb;
    input [7:0] e;
    fp4q_f32_lsb = ((|e) ? $signed({24'd0, e}) : 32'sd1) - 32'sd158;
endfunction

// ---------------------------------------------------------------------------------------
// Round (sig + f) * 2^lsb to a binary32 magnitude, nearest-even.
//   e_top = floor(log2 value); the result's binade e_res = max(e_top, -126) (below it the
//   subnormal step 2^-149). sig_n = sig normalized to bit 63; z = {sig_n, 25 zero bits}
//   shifted right by d = e_res - e_top (clamped at 25: then every bit lies below the round
//   bit, as it does at 25). z[88:65] are the 24 kept bits (ulp 2^(e_res - 23)), z[64] the
//   round bit, z[63:0] and sticky_in the sticky. The hidden bit of kept adds one to the
//   exponent field (e_res + 126), so carries and subnormal-to-normal roundings need nothing.
//   e_res <= 127 keeps mag below 2^31; above that the result is Inf anyway.
// ---------------------------------------------------------------------------------------
function [30:0] fp4q_round32;
    input [63:0]        sig;
    input signed [31:0] lsb;
    input               sticky_in;
    reg [31:0]          p;
    reg signed [31:0]   e_top;
    reg signed [31:0]   e_res;
    reg signed [31:0]   d;
    reg [63:0]          sig_n;
    reg [88:0]          z;
    reg                 up;
    reg [31:0]          mag;
    begin
        p     = fp4q_msb(sig);
        e_top = lsb + $signed(p);
        e_res = (e_top < -126) ? -32'sd126 : e_top;
        d     = e_res - e_top;
        sig_n = sig << (32'd63 - p);
        z     = {sig_n, 25'd0} >> ((d > 25) ? 32'sd25 : d);
        up    = z[64] & ((|z[63:0]) | sticky_in | z[65]);
        mag   = ((e_res + 32'sd126) << 23) + {8'd0, z[88:65]} + {31'd0, up};
        if (~|sig)
            fp4q_round32 = 31'd0;
        else if ((e_res > 127) || (mag >= 32'h7F80_0000))
            fp4q_round32 = 31'h7F80_0000;
        else
            fp4q_round32 = mag[30:0];
    end
endfunction

// ---------------------------------------------------------------------------------------
// |n| / |d| (n = n_sig * 2^n_lsb, d = d_sig * 2^d_lsb) to a binary32 magnitude, nearest-even.
//   Widths: ma, mb are the significands normalized to bit 31 (ma, mb in [2^31, 2^32)), so
//   quo = floor(ma * 2^26 / mb) lies in (2^25, 2^27): at least 26 significant bits (24 kept,
//   the round bit, one more) in 58 bits, and rem != 0 is the sticky below them.
//   Value = (quo + rem / mb) * 2^((n_lsb + pn - 31) - (d_lsb + pd - 31) - 26).
// ---------------------------------------------------------------------------------------
function [30:0] fp4q_div32;
    input [31:0]        n_sig;
    input signed [31:0] n_lsb;
    input [31:0]        d_sig;
    input signed [31:0] d_lsb;
    reg [31:0]          pn;
    reg [31:0]          pd;
    reg [31:0]          ma;
    reg [31:0]          mb;
    reg [57:0]          dividend;
    reg [57:0]          divisor;
    reg [57:0]          quo;
    reg [57:0]          rem;
    begin
        pn       = fp4q_msb({32'd0, n_sig});
        pd       = fp4q_msb({32'd0, d_sig});
        ma       = n_sig << (32'd31 - pn);
        mb       = d_sig << (32'd31 - pd);
        dividend = {ma, 26'd0};
        divisor  = (~|d_sig) ? 58'd1 : {26'd0, mb};       // d = 0: result replaced below
        quo      = dividend / divisor;
        rem      = dividend % divisor;
        if (~|n_sig)
            fp4q_div32 = 31'd0;
        else if (~|d_sig)
            fp4q_div32 = 31'h7F80_0000;
        else
            fp4q_div32 = fp4q_round32({6'd0, quo}, (n_lsb + $signed(pn)) - (d_lsb + $signed(pd)) - 32'sd26,
                                      |rem);
    end
endfunction

// ---------------------------------------------------------------------------------------
// E2M1 neighbours of v = sig * 2^lsb (docs/encoding.md §3.4 grid: binade k >= 0 has step
// 2^(k-1), below 1 the subnormal step 0.5). Returns, MSB first:
//   [SR_W+5]        big: |v| >= 8 (beyond 6 and its upper neighbour 8: saturates to 6)
//   [SR_W+4:SR_W+2] lo's magnitude code (0 .. 7 = 0 .. 6; its LSB is lo's significand parity)
//   [SR_W+1]        round bit (first discarded bit, half a step)
//   [SR_W]          sticky (every discarded bit below it)
//   [SR_W-1:0]      F, the first SR_W discarded bits (round bit first) for sr
// Widths: x_al = sig * 2^(SR_W + 2) (SR_W + 34 bits) holds sig above GRS_W = SR_W + 1
// discarded bits and one more integer bit; y = x_al / 2^sh = |v| / 2^(e_step - 1) * 2^GRS_W
// with sh = e_step - lsb >= 0 (clamped at the width: past it everything is discarded).
// q = y's integer part (<= 3 whenever |v| < 8), lo = 2 * e_step + q (e_step = 0 below 1).
// ---------------------------------------------------------------------------------------
function [SR_W+5:0] fp4q_e2m1_split;
    input [31:0]        sig;
    input signed [31:0] lsb;
    reg [31:0]          p;
    reg signed [31:0]   e_norm;
    reg signed [31:0]   e_step;
    reg signed [31:0]   sh;
    reg [SR_W+33:0]     x_al;
    reg [SR_W+33:0]     y;
    reg [SR_W+33:0]     lost;
    reg [63:0]          lo;
    begin
        p      = fp4q_msb({32'd0, sig});
        e_norm = lsb + $signed(p);
        e_step = (e_norm < 0) ? 32'sd0 : e_norm;
        sh     = e_step - lsb;
        if (sh > SR_W + 34) sh = SR_W + 34;
        x_al   = {sig, {(SR_W + 2){1'b0}}};
        y      = x_al >> sh;
        lost   = x_al & ~({(SR_W + 34){1'b1}} << sh);
        lo     = {31'd0, e_step, 1'b0} + {31'd0, y[SR_W+33:SR_W+1]};
        if (~|sig)
            fp4q_e2m1_split = {(SR_W + 6){1'b0}};
        else
            fp4q_e2m1_split = {(lo > 64'd7), lo[2:0], y[SR_W], (|y[SR_W-1:0]) | (|lost), y[SR_W:1]};
    end
endfunction
