// tb_dpi: a SystemVerilog scoreboard that checks an encoder against fp4ref's C reference model
// through DPI-C, with no Python in the loop. The design under test is fp4ref's reference
// bfloat16 -> E2M1 encoder (rtl/fp4_encode.v); the model is `fp4ref export c -f e2m1`.
// Every bfloat16 input in the five deterministic modes and in sr with a seeded draw, both
// overflow policies the format has (E2M1: saturate): code and flags must both match.
//
//   $ fp4ref export c -f e2m1 --out build/dpi_c
//   $ verilator --binary -CFLAGS -fcoroutines -CFLAGS -I$PWD/build/dpi_c --top-module tb_dpi \
//     -Irtl examples/dpi_c/tb_dpi.sv rtl/fp4_round.v rtl/fp4_encode.v build/dpi_c/fp4ref_e2m1.c
//   $ obj_dir/Vtb_dpi
`timescale 1ns / 1ps
module tb_dpi;
    import "DPI-C" function byte unsigned fp4ref_e2m1_encode(input int unsigned x, input int mode,
        input int unsigned rnd, input int sr_bits, input int saturate, output byte unsigned flags);

    logic [15:0] x;
    logic [2:0]  mode;
    logic [7:0]  rnd;
    wire  [3:0]  code, flags;

    fp4_encode #(.EXP_W(2), .MAN_W(1), .BIAS(1), .SUBNORMALS(1), .SPECIALS(0),
                 .SRC_EXP_W(8), .SRC_MAN_W(7), .SR_W(8))
        dut (.x_i(x), .mode_i(mode), .rand_i(rnd), .sat_i(1'b1), .code_o(code), .flags_o(flags));

    int unsigned lfsr = 32'h1;
    int vectors = 0, mismatches = 0;
    byte unsigned want, want_flags;

    initial begin
        for (int m = 0; m <= 5; m++) begin
            for (int i = 0; i < 65536; i++) begin
                lfsr = lfsr ^ (lfsr << 13); lfsr = lfsr ^ (lfsr >> 17); lfsr = lfsr ^ (lfsr << 5);
                x = i[15:0];
                mode = m[2:0];
                rnd = lfsr[7:0];
                #1;
                want = fp4ref_e2m1_encode({x, 16'h0000}, m, {24'd0, rnd}, 8, 1, want_flags);
                vectors++;
                if (code !== want[3:0] || flags !== want_flags[3:0]) begin
                    mismatches++;
                    if (mismatches <= 5)
                        $display("mismatch: x=%h mode=%0d rand=%0d: code %h flags %h, the C model %h flags %h",
                                 x, m, rnd, code, flags, want[3:0], want_flags[3:0]);
                end
            end
        end
        $display("%s: %0d vectors, %0d mismatches", mismatches == 0 ? "PASS" : "FAIL", vectors, mismatches);
        if (mismatches != 0) $fatal(1, "the encoder differs from the C model");
        $finish;
    end
endmodule
