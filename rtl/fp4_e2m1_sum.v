`resetall
`timescale 1ns / 1ps
`default_nettype none

// fp4_e2m1_sum: the exact sum of N E2M1 products, the front end of the block dot products
// fp4_mx_dot (N = 32) and fp4_nvfp4_dot (N = 16) (docs/block.md §7, §9). Combinational.
//   s_o = S = sum_j Ia_j * Ib_j, two's complement, in units of 1/4
//   (I: the E2M1 integer mapping in units of 1/2: 0, 1, 2, 3, 4, 6, 8, 12; -0 is 0)
// Widths: |Ia * Ib| <= 144 < 2^8; |S| <= N * 144 (every partial sum too): the caller picks
// S_W with N * 144 < 2^(S_W - 1) (14 for N = 32, 13 for N = 16).
module fp4_e2m1_sum #(
    parameter integer N   = 32,       // element pairs
    parameter integer S_W = 14        // sum width, sign included
) (
    input  wire [4*N-1:0] a_i,        // N E2M1 codes, element j at [4j +: 4]
    input  wire [4*N-1:0] b_i,
    output reg  [S_W-1:0] s_o         // S, two's complement
);

    // E2M1 integer mapping of a magnitude code {e1, e0, m}: 0, 1, 2, 3, 4, 6, 8, 12
    function [3:0] e2m1_int;
        input [2:0] c;
        case (c)
            3'd0: e2m1_int = 4'd0;     // 0
            3'd1: e2m1_int = 4'd1;     // 0.5
            3'd2: e2m1_int = 4'd2;     // 1
            3'd3: e2m1_int = 4'd3;     // 1.5
            3'd4: e2m1_int = 4'd4;     // 2
            3'd5: e2m1_int = 4'd6;     // 3
            3'd6: e2m1_int = 4'd8;     // 4
            default: e2m1_int = 4'd12; // 6
        endcase
    endfunction

    // one always block: s_o changes once per input change
    always @* begin : proc_sum
        integer j;
        reg [S_W-1:0] prod;
        s_o = {S_W{1'b0}};
        for (j = 0; j < N; j = j + 1) begin
            prod = {{(S_W - 4){1'b0}}, e2m1_int(a_i[4*j +: 3])}
                 * {{(S_W - 4){1'b0}}, e2m1_int(b_i[4*j +: 3])};
            if (a_i[4*j + 3] ^ b_i[4*j + 3])
                s_o = s_o - prod;
            else
                s_o = s_o + prod;
        end
    end

endmodule

`resetall
