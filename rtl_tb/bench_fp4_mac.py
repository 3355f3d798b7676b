"""cocotb bench for rtl/fp4_mac.v (and any module with its contract, docs/mac.md §5): streams
product and dot-product packs; every expectation comes from the packs."""
import cocotb

from fp4ref.rtl_tb.drive import run_packs


@cocotb.test()
async def mac_packs_match(dut):
    await run_packs(dut)
