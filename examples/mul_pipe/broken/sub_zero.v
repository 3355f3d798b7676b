// broken/sub_zero.v: a BROKEN variant of examples/mul_pipe/mul_pipe.v (description:
// broken/sub_zero.toml). Same module name (mul_pipe), ports, latency 2 and include
// ("mul_defs.vh" from the parent folder, include_dirs = [".."]).
//
// BUG: the subnormal 0.5 is flushed to zero: magnitude field 3'b001 (codes 1 = +0.5 and
// 9 = -0.5) decodes to |I| = 0 instead of 1, as a decoder that treats exponent field 00 as
// zero whatever the mantissa would.
//
// FAILS: every pair where a or b is code 1 or 9 and the other operand is nonzero (not code
// 0 or 8): p is 0 where it should be +-I(other). That is 52 of the 256 code pairs
// (28 with a in {1, 9}, 28 with b in {1, 9}, minus the 4 with both). Every other pair is
// right, including 0.5 x 0 and 0.5 x -0 (both 0).
//
// Otherwise identical to the good design:
//   p = 4 * a * b = I(a) * I(b), 9-bit two's complement; two register stages, latency 2.
/* verilator lint_off DECLFILENAME */
`resetall
`timescale 1ns / 1ps
`default_nettype none

`include "mul_defs.vh"

module mul_pipe (
    input  wire       clk,
    input  wire [3:0] a,      // E2M1 code
    input  wire [3:0] b,      // E2M1 code
    output wire [8:0] p       // I(a) * I(b), two's complement
);

    // ---------------------------------------------------------------------------------
    // E2M1 magnitude field -> |I| (mul_defs.vh)
    // ---------------------------------------------------------------------------------
    function [`E2M1_MAG_W-1:0] e2m1_mag;
        input [2:0] m;
        begin
            case (m)
                3'd0:    e2m1_mag = `E2M1_I_0P0;
                3'd1:    e2m1_mag = `E2M1_I_0P0;   // BUG: 0.5 flushed to 0 (should be 1)
                3'd2:    e2m1_mag = `E2M1_I_1P0;
                3'd3:    e2m1_mag = `E2M1_I_1P5;
                3'd4:    e2m1_mag = `E2M1_I_2P0;
                3'd5:    e2m1_mag = `E2M1_I_3P0;
                3'd6:    e2m1_mag = `E2M1_I_4P0;
                default: e2m1_mag = `E2M1_I_6P0;
            endcase
        end
    endfunction

    // ---------------------------------------------------------------------------------
    // Stage 1: decode, sign of the product (sign-magnitude; -0 has magnitude 0)
    // ---------------------------------------------------------------------------------
    wire [`E2M1_MAG_W-1:0] mag_a_d = e2m1_mag(a[2:0]);
    wire [`E2M1_MAG_W-1:0] mag_b_d = e2m1_mag(b[2:0]);
    wire                   sgn_d   = a[`E2M1_SIGN] ^ b[`E2M1_SIGN];

    reg  [`E2M1_MAG_W-1:0] mag_a_q;
    reg  [`E2M1_MAG_W-1:0] mag_b_q;
    reg                    sgn_q;

    always @(posedge clk) begin
        mag_a_q <= mag_a_d;
        mag_b_q <= mag_b_d;
        sgn_q   <= sgn_d;
    end

    // ---------------------------------------------------------------------------------
    // Stage 2: magnitude product (<= 144), two's complement with the sign. A zero
    // magnitude negates to zero, so +-0 times anything is 0 whatever the sign.
    // ---------------------------------------------------------------------------------
    wire [`E2M1_PMAG_W-1:0] pmag = {{(`E2M1_PMAG_W-`E2M1_MAG_W){1'b0}}, mag_a_q}
                                 * {{(`E2M1_PMAG_W-`E2M1_MAG_W){1'b0}}, mag_b_q};
    wire [`E2M1_P_W-1:0]    pext = {1'b0, pmag};
    wire [`E2M1_P_W-1:0]    p_d  = sgn_q ? (~pext + 1'b1) : pext;

    reg  [`E2M1_P_W-1:0]    p_q;

    always @(posedge clk) begin
        p_q <= p_d;
    end

    assign p = p_q;

endmodule

`resetall
