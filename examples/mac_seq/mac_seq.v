// mac_seq.v: a sequential E2M1 (OCP MX FP4) multiply-accumulate unit, the good design of
// examples/mac_seq (description: mac_seq.toml).
//
// One pair (x, w) of E2M1 codes per clock:
//   prod <= I(x) * I(w)          (4 x the product value, 9-bit two's complement)
//   acc  <= acc + (prod << 2)    (16 x the value: Q4.4, 16-bit two's complement)
// both on each rising edge with enable = 1. acc WRAPS modulo 2^16 on overflow (no
// saturation, no flag). I(code) = 2 x value: 0, 1, 2, 3, 4, 6, 8, 12, negated for codes
// 8..15 (-0 -> 0).
//
// Control:
//   rst_n      asynchronous, active low: prod and acc become 0
//   acc_clear  synchronous, active high: on a rising edge with acc_clear = 1, prod and acc
//              become 0, whatever enable is (acc_clear wins over enable)
//   enable     active high: both registers hold when it is 0
//
// Timing: a pair presented before rising edge t, with enable = 1 at edges t and t+1, is
// in acc after rising edge t+1: latency 2.
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
