// nv_dot_top: a user's top around the reference NVFP4 dot product (rtl/fp4_nvfp4_dot.v), two
// blocks, per_block semantics, tensor scales: upper-case port names, one register stage with a
// synchronous active-high reset, the codes of both operands in one bus (a in the low half), both
// UE4M3 scales of a block in one 16-bit word (sb in the high byte). A test design of fp4ref's
// DUT files (tests/rtl/test_dut_block.py): its file asks for the FP32 edge corners (edges = 1).
module nv_dot_top (
    input  wire         CLK,
    input  wire         RST,
    input  wire [255:0] CODES,
    input  wire [31:0]  BSCALE,
    input  wire [31:0]  TS_A,
    input  wire [31:0]  TS_B,
    input  wire [31:0]  ACC_IN,
    output reg  [31:0]  RESULT,
    output reg  [3:0]   STATUS,
    output reg  [63:0]  PARTIALS
);
    wire [31:0] res;
    wire [3:0]  flg;
    wire [63:0] blk;
    fp4_nvfp4_dot #(.BLOCKS(2), .SEMANTICS(1), .RTZ(0), .FTZ(0), .HAS_ACC(1), .HAS_TSCALE(1)) u_dot (
        .a_i(CODES[127:0]), .b_i(CODES[255:128]),
        .sa_i({BSCALE[23:16], BSCALE[7:0]}), .sb_i({BSCALE[31:24], BSCALE[15:8]}),
        .ta_i(TS_A), .tb_i(TS_B), .acc_i(ACC_IN),
        .res_o(res), .flags_o(flg), .blk_o(blk));
    always @(posedge CLK) begin
        if (RST) begin
            RESULT <= 32'd0; STATUS <= 4'd0; PARTIALS <= 64'd0;
        end else begin
            RESULT <= res; STATUS <= flg; PARTIALS <= blk;
        end
    end
endmodule
