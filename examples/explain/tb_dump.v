// tb_dump: the kind of testbench a user already has. It applies bfloat16 inputs to enc_cmp and
// prints one line per vector, "x code" in hex, under a header naming the columns: the dump that
// `fp4ref explain` reads. The inputs: every bfloat16 from 2^-7 to just below 8, both signs, and
// the specials (+-0, +-Inf, a NaN of each sign).
//   iverilog -g2012 -o tb_dump.vvp tb_dump.v enc_cmp.v && vvp -n tb_dump.vvp > dump.txt
`timescale 1ns / 1ps
module tb_dump;
    reg  [15:0] x;
    wire [3:0]  code, flags;
    enc_cmp dut (.x_i(x), .mode_i(3'd0), .rand_i(8'd0), .sat_i(1'b1), .code_o(code), .flags_o(flags));
    integer i, s;
    task show(input [15:0] v);
        begin
            x = v;
            #1 $display("%h %h", x, code);
        end
    endtask
    initial begin
        $display("// x code");
        for (s = 0; s < 2; s = s + 1) begin
            for (i = 16'h3C00; i < 16'h4100; i = i + 1)
                show({s[0], i[14:0]});
            show({s[0], 15'h0000});
            show({s[0], 15'h7F80});
            show({s[0], 15'h7FC0});
        end
        $finish;
    end
endmodule
