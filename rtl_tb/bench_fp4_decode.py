"""cocotb bench for rtl/fp4_decode.v (and any module with the decode contract): streams decode
packs through the lanes; every expectation comes from the packs."""
import cocotb

from fp4ref.rtl_tb.drive import run_packs


@cocotb.test()
async def decode_packs_match(dut):
    await run_packs(dut)
