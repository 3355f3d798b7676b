// enc_cmp_rna_ftz: a user's bfloat16 -> E2M1 encoder written as a ladder of magnitude compares
// (no rounding logic at all), as a quick FPGA prototype might be. It has two faults against the
// contract's rne: its thresholds are those of ties away from zero (0.25 -> 0.5, 2.5 -> 3), and it
// has no subnormal output (0.5 is flushed to 0). It does not compute flags (flags_o = 0).
`default_nettype none
module enc_cmp_rna_ftz (
    input  wire [15:0] x_i,        // bfloat16
    input  wire [2:0]  mode_i,     // ignored: one rounding only
    input  wire [7:0]  rand_i,     // ignored
    input  wire        sat_i,      // ignored: always saturates
    output wire [3:0]  code_o,
    output wire [3:0]  flags_o
);
    wire [14:0] m   = x_i[14:0];               // magnitude bits compare like the values
    wire        nan = m > 15'h7F80;
    reg  [2:0]  c;
    always @* begin
        if (nan)               c = 3'd0;        // NaN: zero with the input's sign
        else if (m >= 15'h40A0) c = 3'd7;       // >= 5    -> 6 (and Inf saturates)
        else if (m >= 15'h4060) c = 3'd6;       // >= 3.5  -> 4
        else if (m >= 15'h4020) c = 3'd5;       // >= 2.5  -> 3
        else if (m >= 15'h3FE0) c = 3'd4;       // >= 1.75 -> 2
        else if (m >= 15'h3FA0) c = 3'd3;       // >= 1.25 -> 1.5
        else if (m >= 15'h3F40) c = 3'd2;       // >= 0.75 -> 1
        else                    c = 3'd0;       // below: 0 (0.5 is never produced)
    end
    assign code_o  = {x_i[15], c};
    assign flags_o = 4'd0;
endmodule
`default_nettype wire
