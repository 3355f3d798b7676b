"""cocotb bench for rtl/fp4_nvfp4_quant.v (and any module with its contract, docs/rtl_contract.md
`fp4_nvfp4_quant`): streams nvfp4_quant packs through the copies; every expected bit comes from the packs."""
import cocotb

from fp4ref.rtl_tb.drive import run_packs


@cocotb.test()
async def nvfp4_quant_packs_match(dut):
    await run_packs(dut)
