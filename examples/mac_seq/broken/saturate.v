// broken/saturate.v: a BROKEN variant of examples/mac_seq/mac_seq.v (description:
// broken/saturate.toml).
//
// BUG: the accumulator saturates at +32767 / -32768 (Q4.4: +2047.9375 / -2048) instead of
// wrapping modulo 2^16: the add is done in 17 bits and an out-of-range sum is clamped.
//
// FAILS: only vectors where the running accumulator leaves the 16-bit range, i.e. the
// Q4.4 sum since the last reset/clear leaves -32768..32767 (in the contract's units of
// 1/4, acc / 4: leaves -8192..8191, the 14-bit range): from that edge on acc is clamped at
// the rail and stays off the wrapped value for every later vector until the next clear.
// Streams that never overflow pass: a random walk of uniform code pairs needs tens of
// thousands of pairs to get there, while a run of large same-sign products such as 6 x 6
// (576 per pair in Q4.4) overflows on the 57th pair.
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
                e2m1_mag = {3'b000, m};
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
    // that (BUG) saturates instead of wrapping.
    // ---------------------------------------------------------------------------------
    reg  [15:0] acc_q;
    wire [15:0] addend = {{5{prod_q[8]}}, prod_q, 2'b00};
    // BUG: saturating add (should be the plain 16-bit add acc_q + addend, which wraps)
    wire [16:0] sum17  = {acc_q[15], acc_q} + {addend[15], addend};
    wire        ovf_hi = (sum17[16:15] == 2'b01);    // above +32767
    wire        ovf_lo = (sum17[16:15] == 2'b10);    // below -32768
    wire [15:0] acc_d  = ovf_hi ? 16'h7FFF
                       : ovf_lo ? 16'h8000
                       : sum17[15:0];

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
