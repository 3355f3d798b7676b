// mul_rom_perm: a user's E2M1 x E2M1 integer multiplier (p = I(a) * I(b) = 4ab, 9-bit two's
// complement), combinational, with one shared decode ROM whose rows for codes 3 and 4 (1.5 and
// 2.0) were entered in the wrong order: both operands read 1.5 as 2 and 2 as 1.5.
`default_nettype none
module mul_rom_perm (
    input  wire [3:0] op_a,
    input  wire [3:0] op_b,
    output wire [8:0] prod
);
    function [3:0] rom;                 // |I| of a magnitude field, I = 2 x value
        input [2:0] m;
        case (m)
            3'd0: rom = 4'd0;  3'd1: rom = 4'd1;  3'd2: rom = 4'd2;
            3'd3: rom = 4'd4;  3'd4: rom = 4'd3;                      // the two rows swapped
            3'd5: rom = 4'd6;  3'd6: rom = 4'd8;  default: rom = 4'd12;
        endcase
    endfunction
    wire [7:0] mag = rom(op_a[2:0]) * rom(op_b[2:0]);
    assign prod = (op_a[3] ^ op_b[3]) ? -{1'b0, mag} : {1'b0, mag};
endmodule
`default_nettype wire
