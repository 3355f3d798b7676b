// mul_defs.vh: E2M1 (OCP MX FP4) decode constants for examples/mul_pipe/mul_pipe.v and its
// broken variants (examples/mul_pipe/broken/*.v, which include this file from the parent
// folder through include_dirs = [".."]). Definitions only, no module; include it after the
// `default_nettype line of a module file.
//
// E2M1: code = sign (bit 3) | exponent (bits 2:1) | mantissa (bit 0), bias 1, subnormals,
// no Inf/NaN. The integer mapping I(code) = 2 x value; the table below holds |I| for the
// 3-bit magnitude field (code without its sign):
//
//   mag | exp man | value | |I|
//   ----+---------+-------+----
//    0  |  00  0  |  0    |  0
//    1  |  00  1  |  0.5  |  1   (subnormal)
//    2  |  01  0  |  1    |  2
//    3  |  01  1  |  1.5  |  3
//    4  |  10  0  |  2    |  4
//    5  |  10  1  |  3    |  6
//    6  |  11  0  |  4    |  8
//    7  |  11  1  |  6    | 12
`ifndef MUL_DEFS_VH
`define MUL_DEFS_VH

// widths: |I| <= 12 fits 4 bits; |I(a) * I(b)| <= 144 fits 8 bits; p = +-144 needs 9 bits
`define E2M1_MAG_W   4
`define E2M1_PMAG_W  8
`define E2M1_P_W     9

// sign bit position in a 4-bit code
`define E2M1_SIGN    3

// |I| of each magnitude field value
`define E2M1_I_0P0   4'd0
`define E2M1_I_0P5   4'd1
`define E2M1_I_1P0   4'd2
`define E2M1_I_1P5   4'd3
`define E2M1_I_2P0   4'd4
`define E2M1_I_3P0   4'd6
`define E2M1_I_4P0   4'd8
`define E2M1_I_6P0   4'd12

`endif  // MUL_DEFS_VH
