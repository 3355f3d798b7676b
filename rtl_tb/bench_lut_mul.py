"""cocotb bench for the lookup-format multipliers rtl/cost/cost_mul_<name>.v (unit lut_mul):
prod_o = Ia * Ib for every pair of valid codes. One module through the lanes (`fp4ref verify`),
or every multiplier side by side in one bank top (rtl_tb.bench_fp4_lut.run_bank); every
expectation comes from the packs."""
import os

import cocotb

from fp4ref.rtl_tb.bench_fp4_lut import BANK_ENV, run_bank_packs
from fp4ref.rtl_tb.drive import run_packs


@cocotb.test()
async def lut_mul_packs_match(dut):
    if os.environ.get(BANK_ENV):
        await run_bank_packs(dut)
    else:
        await run_packs(dut)
