// BROKEN mac_unit: the overflow flag is not sticky (it shows only the last accumulation).
// active-low asynchronous reset). A test design of fp4ref's DUT files
// (tests/rtl/test_dut_block.py), unit mac_stream, timing cycle.
//
// One E2M1 pair per clock (docs/block.md §11, docs/mac.md §1): the product of the integer
// mappings I(c) = 2 x value (0, 1, 2, 3, 4, 6, 8, 12, negated when the sign bit is set;
// |I(a) I(w)| <= 144: 9 bits signed) goes into a ACC_BITS-bit two's complement sum that wraps,
// with a sticky overflow flag. At each rising edge:
//   clear_i valid_i | sum_q after        overflow_q after
//     1       0     | 0                  0
//     1       1     | 0 + P  (wrapped)   P out of range
//     0       1     | sum + P (wrapped)  overflow_q | (sum + P out of range)
//     0       0     | held               held
module mac_unit #(
    parameter int ACC_BITS = 12                   // >= 9: a product always fits
) (
    input  logic                       clk_i,
    input  logic                       rst_ni,    // asynchronous, active low: sum 0, flag 0
    input  logic                       clear_i,
    input  logic                       valid_i,
    input  logic [3:0]                 act_i,     // E2M1 codes
    input  logic [3:0]                 wgt_i,
    output logic signed [ACC_BITS-1:0] sum_q,
    output logic                       overflow_q
);
    function automatic logic signed [4:0] imap(input logic [3:0] c);
        logic [3:0] mag;
        mag = (c[2:1] == 2'd0) ? {3'd0, c[0]} : ({3'b001, c[0]} << (c[2:1] - 2'd1));
        return c[3] ? -$signed({1'b0, mag}) : $signed({1'b0, mag});
    endfunction

    logic signed [8:0]        prod;               // I(a) I(w), |.| <= 144
    logic signed [ACC_BITS:0] base, total;        // one bit more than the sum: no overflow here
    logic                     out_of_range;

    always_comb begin
        prod = imap(act_i) * imap(wgt_i);
        base = clear_i ? '0 : {sum_q[ACC_BITS-1], sum_q};
        total = base + {{(ACC_BITS-8){prod[8]}}, prod};
        out_of_range = total[ACC_BITS] != total[ACC_BITS-1];
    end

    always_ff @(posedge clk_i or negedge rst_ni) begin
        if (!rst_ni) begin
            sum_q      <= '0;
            overflow_q <= 1'b0;
        end else if (valid_i) begin
            sum_q      <= total[ACC_BITS-1:0];
            overflow_q <= out_of_range;
        end else if (clear_i) begin
            sum_q      <= '0;
            overflow_q <= 1'b0;
        end
    end
endmodule
