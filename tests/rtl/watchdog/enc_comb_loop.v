// An E2M1 encoder (bfloat16 in) with a true combinational loop: for inputs with bit 4 set (the
// bench's first cycle has none, so `osc` starts at a known 0), `osc` drives its own inverse with
// no register between. A simulator either never settles
// on such a vector (Icarus: the time step never ends) or detects the loop (Verilator: the model
// does not converge). tests/rtl/test_watchdog.py runs it through `fp4ref verify`.
`timescale 1ns/1ps
module enc_comb_loop (
    input  wire [15:0] x_i,
    input  wire [2:0]  mode_i,
    input  wire [7:0]  rand_i,
    input  wire        sat_i,
    output wire [3:0]  code_o,
    output wire [3:0]  flags_o
);
    wire [3:0] code;
    /* verilator lint_off UNOPTFLAT */
    wire osc;
    assign osc = x_i[4] ? ~osc : 1'b0;
    /* verilator lint_on UNOPTFLAT */
    fp4_encode u_enc (.x_i(x_i), .mode_i(mode_i), .rand_i(rand_i), .sat_i(sat_i),
                      .code_o(code), .flags_o(flags_o));
    assign code_o = code ^ {3'b000, osc};
endmodule
