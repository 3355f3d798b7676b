"""fp4ref command-line interface (the top of the import graph:
emu -> mac -> quant -> golden -> rtl_tb -> hw -> fp4ref)."""
__version__ = "0.1.0"
