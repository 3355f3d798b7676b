"""Block-scaled formats: OCP MX (E8M0 per 32), NVIDIA NVFP4 (UE4M3 per 16 + FP32 per tensor),
ggml Q4_0 / Q4_1 / Q8_0 (fp16 per 32). The contract is docs/block.md.

Public API:
  quantize_mx, dequantize_mx, scale_e8m0, decode_e8m0, SCALE_RULES,
  quantize_nvfp4, dequantize_nvfp4,
  quantize_row_q4_0, dequantize_row_q4_0, quantize_row_q4_1, dequantize_row_q4_1,
  quantize_row_q8_0, dequantize_row_q8_0.
"""
from .e8m0 import SCALE_RULES, decode_e8m0, scale_e8m0
from .ggml_q4 import dequantize_row_q4_0, dequantize_row_q4_1, quantize_row_q4_0, quantize_row_q4_1
from .ggml_q8 import dequantize_row_q8_0, quantize_row_q8_0
from .mxfp4 import dequantize_mx, quantize_mx
from .nvfp4 import dequantize_nvfp4, quantize_nvfp4

__all__ = ["quantize_mx", "dequantize_mx", "scale_e8m0", "decode_e8m0", "SCALE_RULES",
           "quantize_nvfp4", "dequantize_nvfp4",
           "quantize_row_q4_0", "dequantize_row_q4_0", "quantize_row_q4_1", "dequantize_row_q4_1",
           "quantize_row_q8_0", "dequantize_row_q8_0"]
