// BROKEN mxdot_k2_top: the underflow flag (fp_status[1]) dropped: tied to 0.
// blocks, with its own port names and packing, an input register stage and an output register
// stage (latency 2) and an asynchronous active-low reset. A test design of fp4ref's DUT files
// (tests/rtl/test_dut_block.py), unit mx_dot with blocks = 2, timing pipeline.
//
// Buses (element j = 32k + i of block k):
//   ab_pairs[8j +: 8]  = {b_j, a_j}: one byte per element pair, a in the low nibble
//   scales[16k +: 16]  = {xb_k, xa_k}: the E8M0 scale pair of block k, xa in the low byte
//   psum_in            the FP32 accumulator input
//   psum_out           the FP32 result, fp_status its flags (inexact, underflow, overflow,
//                      invalid from bit 0), blk_psums[32k +: 32] block k's FP32 value alone
module mxdot_k2_top (
    input  wire         clk,
    input  wire         rstn,
    input  wire [511:0] ab_pairs,
    input  wire [31:0]  scales,
    input  wire [31:0]  psum_in,
    output reg  [31:0]  psum_out,
    output reg  [3:0]   fp_status,
    output reg  [63:0]  blk_psums
);
    reg  [255:0] a_codes, b_codes;              // unzipped: the input register stage
    reg  [15:0]  xa, xb;
    reg  [31:0]  psum_q;
    reg  [255:0] a_next, b_next;
    wire [31:0]  res;
    wire [3:0]   flags;
    wire [63:0]  blk;

    integer j;
    always @* begin                             // unzip the byte pairs
        for (j = 0; j < 64; j = j + 1) begin
            a_next[4*j +: 4] = ab_pairs[8*j +: 4];
            b_next[4*j +: 4] = ab_pairs[8*j + 4 +: 4];
        end
    end

    fp4_mx_dot #(.BLOCKS(2), .SEMANTICS(0), .RTZ(0), .FTZ(0), .HAS_ACC(1)) u_dot (
        .a_i(a_codes), .b_i(b_codes), .xa_i(xa), .xb_i(xb), .acc_i(psum_q),
        .res_o(res), .flags_o(flags), .blk_o(blk)
    );

    always @(posedge clk or negedge rstn) begin
        if (!rstn) begin
            a_codes   <= 256'd0;
            b_codes   <= 256'd0;
            xa        <= 16'd0;
            xb        <= 16'd0;
            psum_q    <= 32'd0;
            psum_out  <= 32'd0;
            fp_status <= 4'd0;
            blk_psums <= 64'd0;
        end else begin
            a_codes   <= a_next;
            b_codes   <= b_next;
            xa        <= {scales[23:16], scales[7:0]};
            xb        <= {scales[31:24], scales[15:8]};
            psum_q    <= psum_in;
            psum_out  <= res;
            fp_status <= {flags[3:2], 1'b0, flags[0]};
            blk_psums <= blk;
        end
    end
endmodule
