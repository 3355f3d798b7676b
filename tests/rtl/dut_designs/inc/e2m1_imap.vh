// I(code) = 2 x value of an E2M1 code, signed: the integer mapping the test designs of
// tests/rtl/dut_designs share (included inside a module body).
    function signed [5:0] imap(input [3:0] code);   // I(code) = 2 x value
        reg [4:0] mag;
        begin
            case (code[2:0])
                3'd0: mag = 5'd0;  3'd1: mag = 5'd1;  3'd2: mag = 5'd2;  3'd3: mag = 5'd3;
                3'd4: mag = 5'd4;  3'd5: mag = 5'd6;  3'd6: mag = 5'd8;  default: mag = 5'd12;
            endcase
            imap = code[3] ? -$signed({1'b0, mag}) : $signed({1'b0, mag});
        end
    endfunction
