// enc32_ladder: a user's float32 -> E2M1 encoder with no parameters, written as a ladder of
// magnitude compares (the float32 magnitude bits order like the values). Its codes round to
// nearest even, saturating; it computes no flags (flags_o = 0), as many prototypes do.
`default_nettype none
module enc32_ladder (
    input  wire [31:0] x_i,
    input  wire [2:0]  mode_i,     // ignored: rne only
    input  wire [7:0]  rand_i,     // ignored
    input  wire        sat_i,      // ignored: always saturates
    output wire [3:0]  code_o,
    output wire [3:0]  flags_o
);
    wire [30:0] m = x_i[30:0];
    reg  [2:0]  c;
    always @* begin
        if (m > 31'h7F800000)       c = 3'd0;   // NaN: zero with the input's sign
        else if (m >  31'h40A00000) c = 3'd7;   // > 5 -> 6 (5 ties to 4 = even)
        else if (m >= 31'h40600000) c = 3'd6;   // >= 3.5 -> 4 (3.5 ties to 4 = even)
        else if (m >  31'h40200000) c = 3'd5;   // > 2.5 -> 3 (2.5 ties to 2)
        else if (m >= 31'h3FE00000) c = 3'd4;   // >= 1.75 -> 2 (1.75 ties to 2)
        else if (m >  31'h3FA00000) c = 3'd3;   // > 1.25 -> 1.5 (1.25 ties to 1)
        else if (m >= 31'h3F400000) c = 3'd2;   // >= 0.75 -> 1 (0.75 ties to 1)
        else if (m >  31'h3E800000) c = 3'd1;   // > 0.25 -> 0.5 (0.25 ties to 0)
        else                        c = 3'd0;
    end
    assign code_o  = {x_i[31], c};
    assign flags_o = 4'd0;
endmodule
`default_nettype wire
