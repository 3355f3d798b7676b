// dec_lut_swapped: a user's E2M1 decoder written as one lookup table per output, in the style
// of a generated ROM, with a wiring fault: the table rows of codes 1 and 2 (0.5 and 1.0) are
// swapped, and so are 9 and 10. Port names follow the decode contract.
`default_nettype none
module dec_lut_swapped (
    input  wire [3:0]        code_i,
    output reg  signed [4:0] int_o,
    output reg  [31:0]       f32_o,
    output wire              is_nan_o,
    output wire              is_inf_o
);
    assign is_nan_o = 1'b0;                   // E2M1 has no NaN and no Inf
    assign is_inf_o = 1'b0;
    always @* begin
        case (code_i[2:0])                    // magnitude rows: int in units of 0.5, float32 bits
            3'd0: begin int_o = 5'sd0;  f32_o = 32'h00000000; end
            3'd1: begin int_o = 5'sd2;  f32_o = 32'h3F800000; end    // swapped: the row of 1.0
            3'd2: begin int_o = 5'sd1;  f32_o = 32'h3F000000; end    // swapped: the row of 0.5
            3'd3: begin int_o = 5'sd3;  f32_o = 32'h3FC00000; end
            3'd4: begin int_o = 5'sd4;  f32_o = 32'h40000000; end
            3'd5: begin int_o = 5'sd6;  f32_o = 32'h40400000; end
            3'd6: begin int_o = 5'sd8;  f32_o = 32'h40800000; end
            default: begin int_o = 5'sd12; f32_o = 32'h40C00000; end
        endcase
        if (code_i[3]) begin                  // the sign: negate the integer, set the float's sign
            int_o = -int_o;
            f32_o = f32_o | 32'h80000000;
        end
    end
endmodule
`default_nettype wire
