"""rtl_tb: cocotb benches and the code that runs them on Icarus and Verilator."""
