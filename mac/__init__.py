"""mac: integer-mapped FP4 products, accumulation and accumulator-width analysis (issue #4)."""
