// FpMulPipe: a two-stage pipelined FP4 multiplier, E2M1 x E2M1 -> E4M3, written the way Chisel
// emits a module: `clock`, `reset` (synchronous, active high), io_ ports, a clock enable io_en.
// A test design of fp4ref's DUT files (tests/rtl/test_dut_block.py), unit fp_mul with o = e4m3.
//
// E2M1 (docs/encoding.md §1): sign | e[1:0] | m, bias 1, subnormals: the magnitude in halves is
//   m                   when e == 0   (0, 0.5)
//   {1, m} << (e - 1)   otherwise     (1, 1.5, 2, 3, 4, 6)
// so |a| * |b| in quarters is an integer P <= 12 * 12 = 144 (8 bits). Its value P / 4 has at
// most 4 significant bits ({1, m} x {1, m} <= 9 = 1001b) and lies in [0.25, 36]: exact in E4M3
// (bias 7, 3 mantissa bits, normals from 2^-6 to 448), so nothing rounds and no flag is raised.
// With the leading one of P at bit k (0..7), P / 4 = 2^(k - 2) * 1.fff, so the exponent field is
// k - 2 + 7 = k + 5 (5..12) and the fraction is the 3 bits below the leading one.
// A zero product is the zero code with sign = sign(a) XOR sign(b) (-0 x 6 = -0).
//
// Stage 1 (first enabled edge): magnitudes and sign registered. Stage 2: the E4M3 code
// registered. Latency 2; both stages hold while io_en is low.
module FpMulPipe (
    input        clock,
    input        reset,
    input        io_en,
    input  [3:0] io_a,
    input  [3:0] io_b,
    output [7:0] io_out
);
    function [3:0] halves;                      // |E2M1| in units of 1/2
        input [2:0] mag;
        halves = (mag[2:1] == 2'd0) ? {3'd0, mag[0]} : ({3'b001, mag[0]} << (mag[2:1] - 2'd1));
    endfunction

    function [2:0] lead;                        // position of the leading one of a non-zero byte
        input [7:0] p;
        casez (p)
            8'b1???????: lead = 3'd7;
            8'b01??????: lead = 3'd6;
            8'b001?????: lead = 3'd5;
            8'b0001????: lead = 3'd4;
            8'b00001???: lead = 3'd3;
            8'b000001??: lead = 3'd2;
            8'b0000001?: lead = 3'd1;
            default:     lead = 3'd0;
        endcase
    endfunction

    reg  [3:0] s1_ma, s1_mb;
    reg        s1_sign;
    reg  [7:0] s2_code;

    wire [7:0]  prod = s1_ma * s1_mb;           // quarters, <= 144
    wire [2:0]  k = lead(prod);
    wire [10:0] aligned = {prod, 3'b000} >> k;  // 1.fff: bit 3 the leading one
    wire [3:0]  expo = {1'b0, k} + 4'd5;
    wire [7:0]  code = (prod == 8'd0) ? {s1_sign, 7'd0} : {s1_sign, expo, aligned[2:0]};

    always @(posedge clock) begin
        if (reset) begin
            s1_ma   <= 4'd0;
            s1_mb   <= 4'd0;
            s1_sign <= 1'b0;
            s2_code <= 8'd0;
        end else if (io_en) begin
            s1_ma   <= halves(io_a[2:0]);
            s1_mb   <= halves(io_b[2:0]);
            s1_sign <= io_a[3] ^ io_b[3];
            s2_code <= code;
        end
    end
    assign io_out = s2_code;
endmodule
