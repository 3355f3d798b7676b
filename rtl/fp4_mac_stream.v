`resetall
`timescale 1ns / 1ps
`default_nettype none

// fp4_mac_stream: a clocked MAC (docs/block.md §11, ports docs/rtl_contract.md "Units of
// block-scaled hardware"). Each cycle LANES code pairs of formats X and W are mapped to
// integers (docs/mac.md §1, docs/encoding.md §2; no pre-shift), their exact sum
//   P = sum_l Ix_l * Iw_l
// is added once into an ACC_W-bit two's complement accumulator, and at the rising edge:
//
//   rst_n clr_i en_i | acc_o after      | ovf_o after
//   -----------------+------------------+------------------------------
//     0     -     -  | 0                | 0                 (synchronous reset)
//     1     1     0  | 0                | 0
//     1     1     1  | op(0 + P)        | P out of range
//     1     0     1  | op(acc_o + P)    | ovf_o | (acc_o + P out of range)
//     1     0     0  | acc_o (held)     | ovf_o (held)
//
// op: SATURATE = 0 wraps mod 2^ACC_W, SATURATE = 1 clamps to [-2^(ACC_W-1), 2^(ACC_W-1) - 1];
// "out of range" is outside that interval. The datapath is fp4_mac (docs/mac.md §5) with
// TREE = 1 (exact sum of the lanes, then one accumulate: G = LANES), no shift port
// (SHIFT_W = 0) and B = 0 (SHIFT_MAX = 0), so its combinational acc_o / ovf_o are exactly
// op(acc_i + P) and "acc_i + P out of range"; this module chooses acc_i (0 on clr_i) and
// makes the flag sticky. NaN/Inf codes are read as fn (docs/mac.md §5); packs never hold them.
module fp4_mac_stream #(
    // code pairs per cycle (>= 1)
    parameter integer LANES = 1,
    // activation format: exponent field width E (>= 1); 1 + E + M is 2..8
    parameter integer X_EXP_W = 2,
    // activation format: fraction field width M (>= 0)
    parameter integer X_MAN_W = 1,
    // activation format: exponent bias (scales the result only, docs/mac.md §4)
    parameter integer X_BIAS = 1,
    // activation format: 1 exponent field 0 holds subnormals, 0 it holds zero only
    parameter integer X_SUBNORMALS = 1,
    // weight format: exponent field width E (>= 1); 1 + E + M is 2..8
    parameter integer W_EXP_W = 2,
    // weight format: fraction field width M (>= 0)
    parameter integer W_MAN_W = 1,
    // weight format: exponent bias (scales the result only, docs/mac.md §4)
    parameter integer W_BIAS = 1,
    // weight format: 1 exponent field 0 holds subnormals, 0 it holds zero only
    parameter integer W_SUBNORMALS = 1,
    // accumulator width W (>= 2)
    parameter integer ACC_W = 12,
    // 0: wrap (mod 2^W), 1: saturate to [-2^(W-1), 2^(W-1) - 1]
    parameter integer SATURATE = 0
) (
    input  wire                                 clk,
    input  wire                                 rst_n,    // synchronous, active low: acc 0, ovf 0
    input  wire                                 clr_i,    // start from 0 (with en_i) or clear
    input  wire                                 en_i,     // accumulate this cycle's products
    input  wire [LANES*(1+X_EXP_W+X_MAN_W)-1:0] x_i,      // lane l at bits [l*XB +: XB]
    input  wire [LANES*(1+W_EXP_W+W_MAN_W)-1:0] w_i,      // lane l at bits [l*WB +: WB]
    output reg  [ACC_W-1:0]                     acc_o,    // registered accumulator
    output reg                                  ovf_o     // registered, sticky until clr_i
);

    // ---------------------------------------------------------------------------------
    // Stage 1: the accumulator this cycle starts from: 0 on clr_i (clr_i with en_i is
    // op(0 + P)), else the register. Widths: ACC_W, the accumulator's own.
    // ---------------------------------------------------------------------------------
    wire [ACC_W-1:0] acc_start = clr_i ? {ACC_W{1'b0}} : acc_o;

    // ---------------------------------------------------------------------------------
    // Stage 2: one cycle of the MAC: acc_next = op(acc_start + P), step_ovf = the sum
    // acc_start + P lies outside the ACC_W range (fp4_mac sizes its exact internal widths
    // itself: products, the lane tree and the ACC_W + 1 bit sum)
    // ---------------------------------------------------------------------------------
    wire [ACC_W-1:0] acc_next;
    wire             step_ovf;

    fp4_mac #(
        .LANES       (LANES),
        .X_EXP_W     (X_EXP_W),
        .X_MAN_W     (X_MAN_W),
        .X_BIAS      (X_BIAS),
        .X_SUBNORMALS(X_SUBNORMALS),
        .W_EXP_W     (W_EXP_W),
        .W_MAN_W     (W_MAN_W),
        .W_BIAS      (W_BIAS),
        .W_SUBNORMALS(W_SUBNORMALS),
        .SHIFT_W     (0),
        .SHIFT_MAX   (0),
        .ACC_W       (ACC_W),
        .SATURATE    (SATURATE),
        .TREE        (1)
    ) u_mac (
        .x_i    (x_i),
        .w_i    (w_i),
        .shift_i({LANES{1'b0}}),    // SHIFT_W = 0: one ignored bit per lane
        .acc_i  (acc_start),
        .acc_o  (acc_next),
        .ovf_o  (step_ovf)
    );

    // ---------------------------------------------------------------------------------
    // Stage 3: registers (docs/block.md §11 table; rst_n first, synchronous)
    // ---------------------------------------------------------------------------------
    always @(posedge clk) begin : proc_regs
        if (!rst_n) begin
            acc_o <= {ACC_W{1'b0}};
            ovf_o <= 1'b0;
        end else if (en_i) begin
            // clr_i = 1: op(0 + P), flag from this cycle alone; clr_i = 0: sticky flag
            acc_o <= acc_next;
            ovf_o <= step_ovf | (ovf_o & ~clr_i);
        end else if (clr_i) begin
            acc_o <= {ACC_W{1'b0}};
            ovf_o <= 1'b0;
        end
    end

endmodule

`resetall
