// broken/no_sign.sv: BROKEN variant of sv_dec.sv (same module name and ports) for
// `fp4ref verify --dut broken/no_sign.toml`. Bug: the sign bit is ignored, so negative
// codes decode to the positive value (code 15, -6 -> q44 96 instead of -96). It should fail
// exactly 7 of the 16 decode vectors: codes 9 .. 15 (-0.5 .. -6); code 8 (-0) still gives 0.
/* verilator lint_off DECLFILENAME */  // the variant keeps the good design's module name
module sv_dec
  import fp4_dec_pkg::*;
(
  input  logic [3:0] code,
  output dec_t       res
);

  /* verilator lint_off UNUSEDSIGNAL */  // the sign goes unused: that is the bug
  logic                    sign;
  /* verilator lint_on UNUSEDSIGNAL */
  logic [1:0]              exp_f;
  logic                    man_f;
  logic [Q44_W-2:0]        mag;   // |q44|, 0 .. 96 (8 bits)

  assign sign  = code[E2M1_SIGN_BIT];
  assign exp_f = code[2:1];
  assign man_f = code[0];

  // |value| = m x 0.5 (exponent field 0, subnormal) or (1 + m/2) x 2^(e-1);
  // x 16: 8m, or (2 + m) << (e + 2)
  always_comb begin
    unique case (exp_f)
      2'd0:    mag = {4'b0000, man_f, 3'b000};         //  0,  8
      2'd1:    mag = {3'b000, 1'b1, man_f, 3'b000};    // 16, 24
      2'd2:    mag = {2'b00, 1'b1, man_f, 4'b0000};    // 32, 48
      default: mag = {1'b0, 1'b1, man_f, 5'b00000};    // 64, 96
    endcase
  end

  always_comb begin
    res.is_zero = (mag == '0);
    res.q44     = $signed({1'b0, mag});   // BUG: sign ignored
  end

endmodule : sv_dec
