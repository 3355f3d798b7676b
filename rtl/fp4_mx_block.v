`resetall
`timescale 1ns / 1ps
`default_nettype none

// fp4_mx_block: one MX block dot product, exact (docs/rtl_contract.md `fp4_mx_block`,
// docs/mac.md §7). 32 E2M1 element pairs and one E8M0 scale code per operand:
//   sum_o = S = sum_j Ia_j * Ib_j        (I: E2M1 integer mapping, units of 1/2)
//   exp_o = xa + xb - 254 - 2            (the block's value is S * 2^exp_o)
//   nan_o = xa == 0xFF or xb == 0xFF     (E8M0 NaN)
// sum_o and exp_o follow their definitions whatever the scales; nan_o only adds the flag.
// Combinational; the float32 accumulation across blocks stays in the model.
module fp4_mx_block (
    input  wire [32*4-1:0]    a_i,     // 32 E2M1 codes, element j at [4j +: 4]
    input  wire [32*4-1:0]    b_i,
    input  wire [7:0]         xa_i,    // E8M0 scale codes (0xFF is NaN)
    input  wire [7:0]         xb_i,
    output wire signed [15:0] sum_o,   // S = sum Ia * Ib, exact (|S| <= 4,608)
    output wire signed [9:0]  exp_o,   // exp_o = xa + xb - 256
    output wire               nan_o    // a NaN scale
);

    // ---------------------------------------------------------------------------------
    // Widths. Every intermediate is exact; a width is the bound it has to hold:
    //   MAG_W  |I| <= 12 (E2M1 +-6 in units of 1/2)          < 2^4
    //   (product) |Ia * Ib| <= 144                           < 2^8
    //   SUM_W  |S| <= 32 * 144 = 4,608 (every partial sum too) < 2^13, plus a sign bit
    // ---------------------------------------------------------------------------------
    localparam integer N     = 32;
    localparam integer MAG_W = 4;
    localparam integer SUM_W = 14;

    // E2M1 integer mapping of a magnitude code {e1, e0, m} (values 0, 0.5, 1, 1.5, 2, 3, 4, 6
    // in units of 1/2): I = MAG_TABLE[4*code +: 4], code 7 in the top nibble
    localparam [8*MAG_W-1:0] MAG_TABLE = {4'd12, 4'd8, 4'd6, 4'd4, 4'd3, 4'd2, 4'd1, 4'd0};

    // ---------------------------------------------------------------------------------
    // Stage 1 (per element): both magnitudes, their exact product (|Ia * Ib| <= 144 < 2^8),
    // the sign (-0 is 0), as a SUM_W-bit two's complement leaf of the tree
    // ---------------------------------------------------------------------------------
    wire [MAG_W-1:0]   a_mag [0:N-1];
    wire [MAG_W-1:0]   b_mag [0:N-1];
    wire [SUM_W-1:0]   p_mag [0:N-1];
    wire [SUM_W-1:0]   prod  [0:N-1];

    genvar j;
    generate
        for (j = 0; j < N; j = j + 1) begin : gen_elem
            assign a_mag[j] = MAG_TABLE[{a_i[4*j +: 3], 2'b00} +: MAG_W];
            assign b_mag[j] = MAG_TABLE[{b_i[4*j +: 3], 2'b00} +: MAG_W];
            assign p_mag[j] = {{(SUM_W-MAG_W){1'b0}}, a_mag[j]} * {{(SUM_W-MAG_W){1'b0}}, b_mag[j]};
            assign prod[j]  = (a_i[4*j+3] ^ b_i[4*j+3]) ? -p_mag[j] : p_mag[j];
        end
    endgenerate

    // ---------------------------------------------------------------------------------
    // Stage 2: exact sum by a binary tree (heap order: node i = node 2i+1 + node 2i+2,
    // leaves at NP-1 ..); SUM_W bits hold every partial sum
    // ---------------------------------------------------------------------------------
    localparam integer NP = 32;                       // tree leaves (N is a power of two)
    wire [SUM_W-1:0] node [0:2*NP-2];

    genvar n;
    generate
        for (n = 0; n < NP; n = n + 1) begin : gen_leaf
            assign node[NP-1+n] = prod[n];
        end
        for (n = 0; n < NP - 1; n = n + 1) begin : gen_node
            assign node[n] = node[2*n+1] + node[2*n+2];
        end
    endgenerate

    assign sum_o = {{(16-SUM_W){node[0][SUM_W-1]}}, node[0]};

    // ---------------------------------------------------------------------------------
    // Scales: exp_o = xa + xb - 256 in -256 .. 254 (10-bit two's complement holds it);
    // NaN when either E8M0 code is 0xFF
    // ---------------------------------------------------------------------------------
    localparam [9:0] EXP_OFFSET = 10'd256;            // 254 (two E8M0 biases) + 2 (units of 1/2)
    assign exp_o = {2'b00, xa_i} + {2'b00, xb_i} - EXP_OFFSET;
    assign nan_o = (&xa_i) | (&xb_i);

endmodule

`resetall
