// BROKEN NvQuantQueue: the tensor scale's sign bit cleared (|ts| used: a negative ts must give
// the NaN scale 0x7F). The reference NVFP4 block quantizer (rtl/fp4_nvfp4_quant.v) behind a
// ready/valid interface as Chisel emits a module with Decoupled ports: `clock`, `reset`
// (synchronous, active high), io_in_* and io_out_* with a Vec flattened to _0 .. _15. A test
// design of fp4ref's DUT files (tests/rtl/test_dut_block.py), unit nvfp4_quant, timing handshake.
//
// Two pipeline stages with stalls: stage A holds an accepted input (16 float32 elements and
// the FP32 tensor scale), stage B the quantizer's UE4M3 scale and 16 E2M1 codes. A stage takes
// new contents when it is empty or when the stage after it takes its contents, so io_in_ready
// falls only while both stages are full and io_out_ready is low. One rounding mode: RNE.
module NvQuantQueue (
    input         clock,
    input         reset,
    output        io_in_ready,
    input         io_in_valid,
    input  [31:0] io_in_bits_x_0,
    input  [31:0] io_in_bits_x_1,
    input  [31:0] io_in_bits_x_2,
    input  [31:0] io_in_bits_x_3,
    input  [31:0] io_in_bits_x_4,
    input  [31:0] io_in_bits_x_5,
    input  [31:0] io_in_bits_x_6,
    input  [31:0] io_in_bits_x_7,
    input  [31:0] io_in_bits_x_8,
    input  [31:0] io_in_bits_x_9,
    input  [31:0] io_in_bits_x_10,
    input  [31:0] io_in_bits_x_11,
    input  [31:0] io_in_bits_x_12,
    input  [31:0] io_in_bits_x_13,
    input  [31:0] io_in_bits_x_14,
    input  [31:0] io_in_bits_x_15,
    input  [31:0] io_in_bits_ts,
    input         io_out_ready,
    output        io_out_valid,
    output [7:0]  io_out_bits_scale,
    output [3:0]  io_out_bits_code_0,
    output [3:0]  io_out_bits_code_1,
    output [3:0]  io_out_bits_code_2,
    output [3:0]  io_out_bits_code_3,
    output [3:0]  io_out_bits_code_4,
    output [3:0]  io_out_bits_code_5,
    output [3:0]  io_out_bits_code_6,
    output [3:0]  io_out_bits_code_7,
    output [3:0]  io_out_bits_code_8,
    output [3:0]  io_out_bits_code_9,
    output [3:0]  io_out_bits_code_10,
    output [3:0]  io_out_bits_code_11,
    output [3:0]  io_out_bits_code_12,
    output [3:0]  io_out_bits_code_13,
    output [3:0]  io_out_bits_code_14,
    output [3:0]  io_out_bits_code_15
);
    reg         a_valid, b_valid;
    reg [511:0] a_x;
    reg [31:0]  a_ts;
    reg [7:0]   out_scale;
    reg [63:0]  out_codes;
    wire [7:0]  q_scale;
    wire [63:0] q_codes;

    wire b_ready = !b_valid || io_out_ready;
    wire a_ready = !a_valid || b_ready;

    fp4_nvfp4_quant #(.SRC_EXP_W(8), .SRC_MAN_W(23), .SR_W(8)) u_quant (
        .x_i(a_x), .ts_i(a_ts), .mode_i(3'd0), .rand_i(128'd0), .scale_o(q_scale), .code_o(q_codes)
    );

    always @(posedge clock) begin
        if (reset) begin
            a_valid <= 1'b0;
            b_valid <= 1'b0;
        end else begin
            if (a_ready) begin
                a_valid <= io_in_valid;
                if (io_in_valid) begin
                    a_x  <= {io_in_bits_x_15, io_in_bits_x_14, io_in_bits_x_13, io_in_bits_x_12, io_in_bits_x_11, io_in_bits_x_10, io_in_bits_x_9, io_in_bits_x_8, io_in_bits_x_7, io_in_bits_x_6, io_in_bits_x_5, io_in_bits_x_4, io_in_bits_x_3, io_in_bits_x_2, io_in_bits_x_1, io_in_bits_x_0};
                    a_ts <= {1'b0, io_in_bits_ts[30:0]};
                end
            end
            if (b_ready) begin
                b_valid <= a_valid;
                if (a_valid) begin
                    out_scale <= q_scale;
                    out_codes <= q_codes;
                end
            end
        end
    end

    assign io_in_ready = a_ready;
    assign io_out_valid = b_valid;
    assign io_out_bits_scale = out_scale;
    assign io_out_bits_code_0 = out_codes[3:0];
    assign io_out_bits_code_1 = out_codes[7:4];
    assign io_out_bits_code_2 = out_codes[11:8];
    assign io_out_bits_code_3 = out_codes[15:12];
    assign io_out_bits_code_4 = out_codes[19:16];
    assign io_out_bits_code_5 = out_codes[23:20];
    assign io_out_bits_code_6 = out_codes[27:24];
    assign io_out_bits_code_7 = out_codes[31:28];
    assign io_out_bits_code_8 = out_codes[35:32];
    assign io_out_bits_code_9 = out_codes[39:36];
    assign io_out_bits_code_10 = out_codes[43:40];
    assign io_out_bits_code_11 = out_codes[47:44];
    assign io_out_bits_code_12 = out_codes[51:48];
    assign io_out_bits_code_13 = out_codes[55:52];
    assign io_out_bits_code_14 = out_codes[59:56];
    assign io_out_bits_code_15 = out_codes[63:60];
endmodule
