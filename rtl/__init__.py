"""The reference RTL of fp4ref: Verilog-2005 sources and headers, shipped as package data
(fp4ref.paths.rtl() finds them). Written from the docs, never generated from the Python model."""
