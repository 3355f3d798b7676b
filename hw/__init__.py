"""hw: hardware cost of the formats: yosys synthesis of the rtl/cost/ lanes, the Nangate45 area
proxy, RTN accuracy and the Pareto report (hw/cost.py; method: docs/cost.md).

Imports flow emu -> mac -> quant -> golden -> rtl_tb -> hw -> fp4ref: hw may use any package
below it; only the command line (fp4ref/cost.py) uses hw."""
