"""cocotb bench for rtl/fp4_mac_stream.v (and any module with its contract, docs/rtl_contract.md
`fp4_mac_stream`): reset, then one mac_stream pack vector per rising edge; acc_o and ovf_o are
compared after every edge with the packs."""
import cocotb

from fp4ref.rtl_tb.drive import run_clocked_packs


@cocotb.test()
async def mac_stream_packs_match(dut):
    await run_clocked_packs(dut)
