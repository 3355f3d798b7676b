"""cocotb bench for rtl/fp4_mx_dot.v (and any module with its contract, docs/rtl_contract.md
`fp4_mx_dot`): streams mx_dot packs through the copies; every expected bit comes from the packs."""
import cocotb

from fp4ref.rtl_tb.drive import run_packs


@cocotb.test()
async def mx_dot_packs_match(dut):
    await run_packs(dut)
