`resetall
`timescale 1ns / 1ps
`default_nettype none

// cost_dec_e3m0: an E3M0 code (log grid ±{0, 0.25, 0.5, 1, 2, 4, 8, 16}, llm-datatypes fp4_log,
// formats.md §5.4) to its integer mapping in units of 0.25: ±{0, 1, 2, 4, 8, 16, 32, 64}, i.e.
// 2^(e - 1) for exponent field e = code[2:0] != 0, and 0 for e = 0 (also the -0 code).
// Cost model only (fp4ref cost, docs/cost.md).
module cost_dec_e3m0 (
    input  wire [3:0]        code_i,    // sign | exp[2:0]
    output wire signed [7:0] int_o      // -64..64
);

    wire [2:0] e   = code_i[2:0];
    wire [2:0] sh  = e - 3'd1;                          // e = 0: masked below
    wire [7:0] mag = (|e) ? 8'd1 << sh : 8'd0;          // 0, 1 .. 64

    assign int_o = code_i[3] ? 8'd0 - mag : mag;

endmodule

`resetall
