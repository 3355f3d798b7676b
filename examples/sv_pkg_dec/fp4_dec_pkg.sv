// fp4_dec_pkg.sv: the package of the sv_dec example (`fp4ref verify --dut sv_dec.toml`):
// the packed-struct result type of the E2M1 decoder and the E2M1 field layout. The first
// struct member is the most significant, so dec_t is {q44 (bits 9:1), is_zero (bit 0)}.
package fp4_dec_pkg;

  // an E2M1 code: sign (bit 3) | exponent (bits 2:1) | mantissa (bit 0), bias 1
  typedef logic [3:0] e2m1_t;

  localparam int unsigned E2M1_SIGN_BIT = 3;   // `int unsigned`: Icarus 11 cannot parse it
  localparam int Q44_W         = 9;   // signed Q4.4: -96 .. 96 (-6.0 .. 6.0)

  // decoder result: q44 = 16 x value (signed Q4.4), is_zero for +0 and -0 (codes 0, 8)
  typedef struct packed {
    logic signed [Q44_W-1:0] q44;
    logic                    is_zero;
  } dec_t;

endpackage : fp4_dec_pkg
