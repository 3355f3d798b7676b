// sv_dec.sv: example design for `fp4ref verify --dut sv_dec.toml`. A combinational
// SystemVerilog E2M1 (OCP MX FP4) decoder: code -> {q44, is_zero} (packed struct
// fp4_dec_pkg::dec_t), q44 = 16 x value as signed Q4.4 (code 1, 0.5 -> 8; code 15, -6 ->
// -96; -0 -> 0), is_zero for codes 0 and 8. Needs fp4_dec_pkg.sv compiled first. Its TOML
// lists Verilator only (SystemVerilog: package import in the module header, packed struct
// port, always_comb, unique case, an `int unsigned` localparam in the package, which Icarus 11
// cannot parse: `fp4ref verify --sim icarus` says so in one line).
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
      2'd0:    mag = {4'b0000, man_f, 3'b000};         //  0,  8
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
