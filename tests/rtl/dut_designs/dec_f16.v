// A test design for DUT files (tests/rtl/test_dut_features.py), in a style fp4ref's own RTL does
// not use: an E2M1 decoder whose code points are remapped (the hardware stores the sign
// inverted: its code is the E2M1 code XOR 4'b1000) and whose output is the value as IEEE float16
// bits. The float16 exponent bias is a parameter the DUT file must set (15), and the output
// stage exists only when FP16_OUT is defined (the DUT file's defines).
module dec_f16 #(parameter integer EXP_BIAS = 0) (
    input  wire [3:0]  c,
    output wire [15:0] h
);
    wire       s   = ~c[3];                 // stored inverted
    wire [1:0] e   = c[2:1];
    wire       m   = c[0];
    reg  [15:0] r;
    always @* begin
        if (e == 2'd0 && m == 1'b0)      r = {s, 15'd0};                               // +-0
        else if (e == 2'd0)              r = {s, 5'd14, 10'd0};                         // 0.5 = 2^-1
        else                             r = {s, 5'(EXP_BIAS + e - 1), m, 9'd0};        // 1.m * 2^(e-1)
    end
`ifdef FP16_OUT
    assign h = r;
`else
    assign h = 16'hxxxx;
`endif
endmodule
