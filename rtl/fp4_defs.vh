// fp4_defs.vh: the encodings shared by the fp4ref RTL (docs/rtl_contract.md, "Shared
// encodings"); Python holds the same values in emu.round.MODES, emu.spec.SPECIALS and
// emu.flags.Flag, and a test checks that the two agree. Definitions only: include it after
// the `default_nettype line of a module file.
`ifndef FP4_DEFS_VH
`define FP4_DEFS_VH

// ---------------------------------------------------------------------------------------
// Rounding mode (mode_i, 3 bits), docs/encoding.md §3.4 and §3.5
//
//   code | name | magnitude chosen between the grid neighbours lo <= |v| <= hi
//   -----+------+-----------------------------------------------------------------
//    0   | rne  | nearest; tie to the even integer significand (M = 0: normals up)
//    1   | rna  | nearest; tie away from zero (hi)
//    2   | rtz  | lo (toward zero)
//    3   | rup  | toward +infinity (hi for v > 0, lo for v < 0)
//    4   | rdn  | toward -infinity (lo for v > 0, hi for v < 0)
//    5   | sr   | hi when F + rand_i >= 2^SR_W (F: first SR_W discarded bits), else lo
//   6, 7 | -    | reserved: behave as rne
// ---------------------------------------------------------------------------------------
`define FP4_MODE_RNE 3'd0
`define FP4_MODE_RNA 3'd1
`define FP4_MODE_RTZ 3'd2
`define FP4_MODE_RUP 3'd3
`define FP4_MODE_RDN 3'd4
`define FP4_MODE_SR  3'd5

// ---------------------------------------------------------------------------------------
// Special-value policy (SPECIALS parameter), docs/encoding.md §1
//
//   value | name   | NaN codes             | Inf codes        | -0  | largest finite
//   ------+--------+-----------------------+------------------+-----+------------------
//     0   | fn     | none                  | none             | yes | all ones
//     1   | fn_nan | S.1..1.1..1           | none             | yes | all ones minus 1
//     2   | ieee   | e all ones, f != 0    | e all ones, f=0  | yes | e max-1, f ones
//     3   | fnuz   | 1.0..0.0..0 only      | none             | no  | all ones
// ---------------------------------------------------------------------------------------
`define FP4_SPECIALS_FN     0
`define FP4_SPECIALS_FN_NAN 1
`define FP4_SPECIALS_IEEE   2
`define FP4_SPECIALS_FNUZ   3

// ---------------------------------------------------------------------------------------
// Exception flags (flags_o, 4 bits): the masks equal the values of emu.Flag
//
//   bit | mask | name      | set when
//   ----+------+-----------+------------------------------------------------------------
//    0  |  1   | inexact   | the result's value differs from the input
//    1  |  2   | underflow | 0 < |v| < 2^(1 - BIAS) (before rounding) and inexact
//    2  |  4   | overflow  | the rounded magnitude exceeds the largest finite (or Inf in)
//    3  |  8   | invalid   | NaN input, or an Inf input that becomes NaN
// ---------------------------------------------------------------------------------------
`define FP4_FLAG_INEXACT   4'b0001
`define FP4_FLAG_UNDERFLOW 4'b0010
`define FP4_FLAG_OVERFLOW  4'b0100
`define FP4_FLAG_INVALID   4'b1000

`endif  // FP4_DEFS_VH
