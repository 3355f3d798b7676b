"""cocotb bench for rtl/fp4_fp_mul.v (and any module with its contract, docs/rtl_contract.md
`fp4_fp_mul`): streams fp_mul packs through the copies; every expected bit comes from the packs."""
import cocotb

from fp4ref.rtl_tb.drive import run_packs


@cocotb.test()
async def fp_mul_packs_match(dut):
    await run_packs(dut)
