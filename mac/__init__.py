"""mac: integer-mapped FP4 products, accumulation and accumulator-width analysis (docs/mac.md).

Public API: products, product_table, accumulate, dot, worst_case_width, l1_bound, l1_width,
observed_max, preshift_range, gemm, layer_output, fp32_dot, mx_dot.
"""
from .accumulate import accumulate
from .dot import dot
from .fp32_accum import fp32_dot
from .gemm import gemm
from .mx_dot import mx_dot
from .preshift import layer_output
from .products import product_table, products
from .width import l1_bound, l1_width, observed_max, preshift_range, worst_case_width

__all__ = ["products", "product_table", "accumulate", "dot", "worst_case_width", "l1_bound",
           "l1_width", "observed_max", "preshift_range", "gemm", "layer_output", "fp32_dot", "mx_dot"]
