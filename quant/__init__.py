"""quant: LLM-FP4 end to end (llm-fp4.md), on top of emu (codes) and mac (exact MACs).

Modules (imports flow emu -> mac -> quant -> golden -> rtl_tb -> hw -> fp4ref):
  lfp4        the LLM-FP4 FP quantizer as a float reference in torch (literal to the released code)
  lfp4_int    its integer-exact form: codes on the bias-0 grid S(e, m) plus the real scale 2^-b
  granularity per-output-channel weight biases; per-tensor rho plus integer channel offsets b_j
  preshift    folding 2^-b_j into the weights: per-row shift, wider exponent (exact), re-quantized (lossy)
  search      the FPQ search (bias candidates, rho, format per layer and operand, rounds)
  methods     MinMax INT4, MinMax E2M1, FPQ baseline, FPQ with pre-shift, as Linear replacements
  minilm      the real model (all-MiniLM-L6-v2, offline), calibration capture, sentence embeddings
  sentences   DATA: calibration and held-out sentences
  answers     runnable answers to the LLM-FP4 users' questions (a)-(e)
"""
