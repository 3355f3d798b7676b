"""cocotb bench for rtl/fp4_mx_block.v (and any module with its contract, docs/rtl_contract.md
`fp4_mx_block`): streams mx_block packs, 4 blocks per cycle; every expectation (sum_o, exp_o,
nan_o, every bit) comes from the packs."""
import cocotb

from fp4ref.rtl_tb.drive import run_packs


@cocotb.test()
async def mx_block_packs_match(dut):
    await run_packs(dut)
