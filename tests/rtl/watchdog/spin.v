// A user-style E2M1 "multiplier" whose loop never ends for operands with bit 2 set (its step is
// 0 then): tests/rtl/test_watchdog.py runs it through a DUT file, as a user would.
module spin (input [3:0] a, input [3:0] b, output reg [8:0] p);
    integer k;
    always @* begin
        p = 9'd0;
        for (k = 0; k < 3; k = k + (a[2] ? 0 : 1))
            p = p + 9'd1;
    end
endmodule
