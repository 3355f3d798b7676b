// included through the filelist's +incdir+: the accumulator width of dot4_packed
`define DOT4_ACC_W 12
