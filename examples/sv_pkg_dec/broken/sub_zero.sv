// broken/sub_zero.sv: BROKEN variant of sv_dec.sv (same module name and ports) for
// `fp4ref verify --dut broken/sub_zero.toml`. Bug: the subnormal codes are flushed to zero:
// exponent field 0 decodes as 0 whatever the mantissa bit, so code 1 (+0.5) and code 9
// (-0.5) give q44 = 0 (expected 8 / -8; is_zero is set for them too). It should fail
// exactly 2 of the 16 decode vectors: codes 1 and 9 (int field 1 / -1, q44 8 / -8).
/* verilator lint_off DECLFILENAME */  // the variant keeps the good design's module name
module sv_dec
  import fp4_dec_pkg::*;
(
  input  logic [3:0] code,
  output dec_t       res
);

  logic                    sign;
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
      2'd0:    mag = '0;                               // BUG: 0, 0 (0.5 flushed)
      2'd1:    mag = {3'b000, 1'b1, man_f, 3'b000};    // 16, 24
      2'd2:    mag = {2'b00, 1'b1, man_f, 4'b0000};    // 32, 48
      default: mag = {1'b0, 1'b1, man_f, 5'b00000};    // 64, 96
    endcase
  end

  always_comb begin
    res.is_zero = (mag == '0);
    res.q44     = sign ? -$signed({1'b0, mag}) : $signed({1'b0, mag});
  end

endmodule : sv_dec
