// broken/sub_zero.v: a BROKEN variant of examples/mac_seq/mac_seq.v (description:
// broken/sub_zero.toml).
//
// BUG: the subnormal 0.5 is flushed to zero: exponent field 00 decodes as |I| = 0 whatever
// the mantissa, so codes 1 (+0.5) and 9 (-0.5) act as 0.
//
// FAILS: every vector containing a pair where x or w is code 1 or 9 and the other code
// is nonzero (not 0 or 8): that pair adds 0 instead of +-I(other) (52 of the 256 code
// pairs, ~20% of uniform random pairs, so almost every 16-pair vector of uniform codes),
// and, as acc runs on, every later vector until the next clear. Vectors without 0.5 pass
// only while no earlier error is still in acc.
//
// Otherwise identical to the good design (mac_seq.v): same module name (mac_seq), ports,
// reset, clear and enable behaviour, latency 2.
/* verilator lint_off DECLFILENAME */
`resetall
`timescale 1ns / 1ps
`default_nettype none

module mac_seq (
    input  wire        clk,
    input  wire        rst_n,       // asynchronous reset, active low
    input  wire        enable,      // advance prod and acc
    input  wire        acc_clear,   // synchronous clear of prod and acc, active high
    input  wire [3:0]  x,           // E2M1 code (activation)
    input  wire [3:0]  w,           // E2M1 code (weight)
    output wire [15:0] acc          // Q4.4 two's complement, wraps mod 2^16
);

    // ---------------------------------------------------------------------------------
    // E2M1 magnitude -> |I| from the fields (exponent e = bits 2:1, mantissa m = bit 0):
    //   e == 0 (subnormal or zero): |I| = m                    (0 or 1: values 0, 0.5)
    //                               BUG here: decoded as 0
    //   e >= 1 (normal):            |I| = {1, m} << (e - 1)    (2, 3, 4, 6, 8, 12)
    // ---------------------------------------------------------------------------------
    function [3:0] e2m1_mag;
        input [2:0] mag_code;
        reg   [1:0] e;
        reg         m;
        begin
            e = mag_code[2:1];
            m = mag_code[0];
            if (e == 2'd0)
                e2m1_mag = 4'd0;        // BUG: 0.5 flushed to 0 (should be {3'b000, m})
            else
                e2m1_mag = {2'b00, 1'b1, m} << (e - 2'd1);
        end
    endfunction

    // ---------------------------------------------------------------------------------
    // Multiply (sign-magnitude): |I(x) * I(w)| <= 144, sign x[3] ^ w[3]. A zero magnitude
    // negates to 0, so +-0 times anything is 0.
    // ---------------------------------------------------------------------------------
    wire [3:0] mag_x  = e2m1_mag(x[2:0]);
    wire [3:0] mag_w  = e2m1_mag(w[2:0]);
    wire       sgn    = x[3] ^ w[3];
    wire [7:0] pmag   = {4'd0, mag_x} * {4'd0, mag_w};
    wire [8:0] pext   = {1'b0, pmag};
    wire [8:0] prod_d = sgn ? (~pext + 1'b1) : pext;

    // ---------------------------------------------------------------------------------
    // Product register (4 x the product value).
    // TAG: prod_q is cleared to 0 by rst_n and acc_clear. A cleared prod_q is a true zero
    // product, so the accumulate on the next enabled edge adds exactly 0: no valid bit is
    // needed, and acc after reset or clear followed by N enabled edges holds the first
    // N - 1 pairs.
    // ---------------------------------------------------------------------------------
    reg [8:0] prod_q;

    always @(posedge clk or negedge rst_n) begin
        if (!rst_n)
            prod_q <= 9'd0;
        else if (acc_clear)
            prod_q <= 9'd0;
        else if (enable)
            prod_q <= prod_d;
    end

    // ---------------------------------------------------------------------------------
    // Accumulator: Q4.4 addend = sign-extended prod_q << 2 (16 x the value), 16-bit add
    // that wraps modulo 2^16.
    // ---------------------------------------------------------------------------------
    reg  [15:0] acc_q;
    wire [15:0] addend = {{5{prod_q[8]}}, prod_q, 2'b00};
    wire [15:0] acc_d  = acc_q + addend;

    always @(posedge clk or negedge rst_n) begin
        if (!rst_n)
            acc_q <= 16'd0;
        else if (acc_clear)
            acc_q <= 16'd0;
        else if (enable)
            acc_q <= acc_d;
    end

    assign acc = acc_q;

endmodule

`resetall
