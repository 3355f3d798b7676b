"""cocotb bench for rtl/fp4_encode.v (and any module with the encode contract): streams encode
packs through the lanes; every expectation comes from the packs."""
import cocotb

from fp4ref.rtl_tb.drive import run_packs


@cocotb.test()
async def encode_packs_match(dut):
    await run_packs(dut)
