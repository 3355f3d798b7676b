// mul_pipe.v: a two-stage pipelined E2M1 x E2M1 multiplier (OCP MX FP4), the good design of
// examples/mul_pipe (description: mul_pipe.toml).
//
//   p = 4 * a * b = I(a) * I(b), 9-bit two's complement (6 * 6 -> 144, -6 * 6 -> -144,
//   anything times +0 or -0 -> 0); I(code) = 2 x value (table in mul_defs.vh).
//
// Pipeline (no reset; p holds X until the first pair has gone through):
//   stage 1 (rising edge t):   register |I(a)|, |I(b)| and the product sign a[3] ^ b[3]
//   stage 2 (rising edge t+1): register the signed product
// so a pair applied before rising edge t is on p after rising edge t+1: latency 2.
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
                3'd1:    e2m1_mag = `E2M1_I_0P5;
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
