"""fp4ref command-line interface (the top of the import graph: emu -> mac -> golden -> rtl_tb -> fp4ref)."""
__version__ = "0.1.0"
