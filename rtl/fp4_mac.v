`resetall
`timescale 1ns / 1ps
`default_nettype none

// fp4_mac: one cycle of the integer-mapped ExMy dot product, LANES pre-shifted products
// added into a W-bit two's complement accumulator with wrap or saturate and the overflow
// flag (docs/mac.md §1, §2, §5; integer mapping docs/encoding.md §2). Combinational.
module fp4_mac #(
    // terms per cycle (>= 1)
    parameter integer LANES = 16,
    // activation format: exponent field width E (>= 1); 1 + E + M is 2..8
    parameter integer X_EXP_W = 2,
    // activation format: fraction field width M (>= 0)
    parameter integer X_MAN_W = 1,
    // activation format: exponent bias (the integer mapping does not depend on it)
    parameter integer X_BIAS = 1,
    // activation format: 1 exponent field 0 holds subnormals, 0 it holds zero only
    parameter integer X_SUBNORMALS = 1,
    // weight format: exponent field width E (>= 1); 1 + E + M is 2..8
    parameter integer W_EXP_W = 2,
    // weight format: fraction field width M (>= 0)
    parameter integer W_MAN_W = 1,
    // weight format: exponent bias (the integer mapping does not depend on it)
    parameter integer W_BIAS = 1,
    // weight format: 1 exponent field 0 holds subnormals, 0 it holds zero only
    parameter integer W_SUBNORMALS = 1,
    // bits of each lane's shift, 0..31 (0: no shift port; every s_j is 0)
    parameter integer SHIFT_W = 0,
    // pre-shift range B >= 0: P_j = Ix_j * Iw_j * 2^(B - s_j), shifts above B clamp to B
    parameter integer SHIFT_MAX = 0,
    // accumulator width W (>= 2)
    parameter integer ACC_W = 16,
    // 0: wrap (mod 2^W), 1: saturate to [-2^(W-1), 2^(W-1) - 1]
    parameter integer SATURATE = 0,
    // 1: exact adder tree of the LANES products, then one accumulate; 0: sequential, lane 0 first
    parameter integer TREE = 1
) (
    input  wire [LANES*(1+X_EXP_W+X_MAN_W)-1:0]      x_i,      // lane j at bits [j*XB +: XB]
    input  wire [LANES*(1+W_EXP_W+W_MAN_W)-1:0]      w_i,      // lane j at bits [j*WB +: WB]
    input  wire [LANES*(SHIFT_W > 0 ? SHIFT_W:1)-1:0] shift_i,  // lane j at [j*SW +: SW]
    input  wire [ACC_W-1:0]                          acc_i,    // accumulator before this cycle
    output wire [ACC_W-1:0]                          acc_o,    // accumulator after this cycle
    output wire                                      ovf_o     // some t out of the ACC_W range
);

    // ---------------------------------------------------------------------------------
    // Widths. Every intermediate is exact; a width is the bound it has to hold:
    //   XM_W   |Ix| <= (2^(M+1) - 1) * 2^(2^E - 2) < 2^(M + 2^E - 1)  (all-ones code, as fn)
    //   PM_W   |Ix * Iw| < 2^(XM_W + WM_W)
    //   P_W    P_j = +-(Ix * Iw) * 2^(B - s_j): magnitude < 2^(PM_W + B), plus a sign bit
    //   SUM_W  |sum of LANES products| < LANES * 2^(P_W - 1) <= 2^(P_W - 1 + clog2(LANES))
    //   TERM_W what one step adds to acc: the tree sum (TREE = 1) or one product (TREE = 0)
    //   T_W    t = acc + term with |acc| <= 2^(ACC_W - 1), |term| < 2^(TERM_W - 1):
    //          one bit over the wider operand never overflows
    // ---------------------------------------------------------------------------------
    localparam integer XB     = 1 + X_EXP_W + X_MAN_W;          // activation code bits
    localparam integer WB     = 1 + W_EXP_W + W_MAN_W;          // weight code bits
    localparam integer SW     = (SHIFT_W > 0) ? SHIFT_W : 1;    // shift_i bits per lane
    localparam integer XM_W   = X_MAN_W + (1 << X_EXP_W) - 1;
    localparam integer WM_W   = W_MAN_W + (1 << W_EXP_W) - 1;
    localparam integer PM_W   = XM_W + WM_W;
    localparam integer P_W    = PM_W + SHIFT_MAX + 1;
    localparam integer LG_L   = $clog2(LANES);
    localparam integer SUM_W  = P_W + LG_L;
    localparam integer TERM_W = (TREE != 0) ? SUM_W : P_W;
    localparam integer T_W    = ((ACC_W > TERM_W) ? ACC_W : TERM_W) + 1;
    localparam integer NSTEP  = (TREE != 0) ? 1 : LANES;        // accumulate steps per cycle
    localparam integer NP     = 1 << LG_L;                      // tree leaves (zero padded)
    localparam [31:0]  SHIFT_MAX_U = SHIFT_MAX;
    // saturation bounds 2^(W-1) - 1 and -2^(W-1)
    localparam [ACC_W-1:0] ACC_MAX = {1'b0, {(ACC_W-1){1'b1}}};
    localparam [ACC_W-1:0] ACC_MIN = {1'b1, {(ACC_W-1){1'b0}}};
    // fraction field masks, the hidden bit 2^M and subnormal enables as 32-bit words
    localparam [31:0] X_FRAC_MASK = (32'd1 << X_MAN_W) - 32'd1;
    localparam [31:0] W_FRAC_MASK = (32'd1 << W_MAN_W) - 32'd1;
    localparam [31:0] X_HIDDEN    = 32'd1 << X_MAN_W;
    localparam [31:0] W_HIDDEN    = 32'd1 << W_MAN_W;
    localparam        X_SUB       = (X_SUBNORMALS != 0);
    localparam        W_SUB       = (W_SUBNORMALS != 0);

    // the biases only scale the result (docs/mac.md §4): part of the contract, not of the datapath
    wire unused_bias = (X_BIAS != W_BIAS);

    // signed terms of the accumulate steps (TERM_W bits each)
    wire [TERM_W-1:0] prod [0:LANES-1];
    wire [TERM_W-1:0] term [0:NSTEP-1];

    // ---------------------------------------------------------------------------------
    // Stage 1 (per lane): integer mapping I = (-1)^s * sig * 2^(e_eff - 1) of both codes
    // (docs/encoding.md §2; NaN/Inf codes read as fn), the magnitude product, the
    // pre-shift 2^(B - min(s_j, B)) and the sign, as a TERM_W-bit two's complement P_j.
    // ---------------------------------------------------------------------------------
    genvar j;
    generate
        for (j = 0; j < LANES; j = j + 1) begin : gen_lane
            // activation: sign | exponent field | fraction field
            wire [XB-1:0]      xc    = x_i[j*XB +: XB];
            wire [X_EXP_W-1:0] x_e   = xc[XB-2 -: X_EXP_W];
            wire [XB-2:0]      x_f   = xc[XB-2:0] & X_FRAC_MASK[XB-2:0];
            wire               x_ez  = ~|x_e;
            //   e >= 1: 2^M + f;  e == 0: f (subnormals) or 0
            wire [XB-2:0]      x_sig = x_ez ? (X_SUB ? x_f : {(XB-1){1'b0}})
                                            : (x_f | X_HIDDEN[XB-2:0]);
            wire [PM_W-1:0]    x_sx  = {{(PM_W-XB+1){1'b0}}, x_sig};
            wire [PM_W-1:0]    x_mag = x_ez ? x_sx : (x_sx << (x_e - 1'b1));

            // weight: same mapping
            wire [WB-1:0]      wc    = w_i[j*WB +: WB];
            wire [W_EXP_W-1:0] w_e   = wc[WB-2 -: W_EXP_W];
            wire [WB-2:0]      w_f   = wc[WB-2:0] & W_FRAC_MASK[WB-2:0];
            wire               w_ez  = ~|w_e;
            wire [WB-2:0]      w_sig = w_ez ? (W_SUB ? w_f : {(WB-1){1'b0}})
                                            : (w_f | W_HIDDEN[WB-2:0]);
            wire [PM_W-1:0]    w_sx  = {{(PM_W-WB+1){1'b0}}, w_sig};
            wire [PM_W-1:0]    w_mag = w_ez ? w_sx : (w_sx << (w_e - 1'b1));

            // |Ix * Iw| < 2^PM_W: the PM_W-bit product is exact
            wire [PM_W-1:0]    p_mag = x_mag * w_mag;

            // shift s_j clamped to B; the product is shifted left by B - s_j
            //   (SHIFT_W = 0: the 1-bit shift_i lane is ignored and s_j = 0)
            wire [SW-1:0]      s_in  = shift_i[j*SW +: SW];
            wire [31:0]        s_raw = (SHIFT_W > 0) ? {{(32-SW){1'b0}}, s_in} : 32'd0;
            wire [31:0]        s_cl  = (s_raw > SHIFT_MAX_U) ? SHIFT_MAX_U : s_raw;
            wire [31:0]        amt   = SHIFT_MAX_U - s_cl;
            wire [TERM_W-1:0]  p_sh  = {{(TERM_W-PM_W){1'b0}}, p_mag} << amt;

            // sign of the product; -0 is 0
            wire               p_neg = xc[XB-1] ^ wc[WB-1];
            assign prod[j] = p_neg ? -p_sh : p_sh;
        end
    endgenerate

    // ---------------------------------------------------------------------------------
    // Stage 2: the terms. TREE = 1: one term, the exact sum of all products by a binary
    // tree (heap order: node i = node 2i+1 + node 2i+2, leaves NP-1.., padded with zeros;
    // SUM_W bits hold every partial sum). TREE = 0: one term per lane, lane 0 first.
    // ---------------------------------------------------------------------------------
    genvar n;
    generate
        if (TREE != 0) begin : gen_tree
            wire [TERM_W-1:0] node [0:2*NP-2];
            for (n = 0; n < NP; n = n + 1) begin : gen_leaf
                if (n < LANES) begin : gen_used
                    assign node[NP-1+n] = prod[n];
                end else begin : gen_pad
                    assign node[NP-1+n] = {TERM_W{1'b0}};
                end
            end
            for (n = 0; n < NP - 1; n = n + 1) begin : gen_node
                assign node[n] = node[2*n+1] + node[2*n+2];
            end
            assign term[0] = node[0];
        end else begin : gen_seq
            for (n = 0; n < LANES; n = n + 1) begin : gen_term
                assign term[n] = prod[n];
            end
        end
    endgenerate

    // ---------------------------------------------------------------------------------
    // Stage 3: accumulate steps (docs/mac.md §2): t = acc + term exactly in T_W bits;
    // t is in range iff its bits T_W-1 .. ACC_W-1 are all equal; acc = wrap(t) or clamp(t)
    // ---------------------------------------------------------------------------------
    wire [ACC_W-1:0] acc_c [0:NSTEP];
    wire [NSTEP-1:0] step_ovf;
    assign acc_c[0] = acc_i;

    genvar k;
    generate
        for (k = 0; k < NSTEP; k = k + 1) begin : gen_step
            wire [T_W-1:0]     a_x  = {{(T_W-ACC_W){acc_c[k][ACC_W-1]}}, acc_c[k]};
            wire [T_W-1:0]     b_x  = {{(T_W-TERM_W){term[k][TERM_W-1]}}, term[k]};
            wire [T_W-1:0]     t    = a_x + b_x;
            wire [T_W-ACC_W:0] t_hi = t[T_W-1:ACC_W-1];
            wire               out  = ~((&t_hi) | ~(|t_hi));
            //   saturate: negative t below the range to ACC_MIN, positive above to ACC_MAX
            wire [ACC_W-1:0]   sat  = t[T_W-1] ? ACC_MIN : ACC_MAX;
            assign acc_c[k+1] = ((SATURATE != 0) && out) ? sat : t[ACC_W-1:0];
            assign step_ovf[k] = out;
        end
    endgenerate

    // ---------------------------------------------------------------------------------
    // Outputs: the accumulator after the last step; overflow if any step's t was out
    // ---------------------------------------------------------------------------------
    assign acc_o = acc_c[NSTEP];
    assign ovf_o = |step_ovf;

endmodule

`resetall
