"""cocotb bench for rtl_tb/hdl/smoke_adder.v: every pair of 4-bit operands, one per cycle."""
import cocotb
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, RisingEdge


@cocotb.test()
async def every_pair_adds(dut):
    width = len(dut.a_i)
    cocotb.start_soon(Clock(dut.clk_i, 10, unit="ns").start())
    mismatches = 0
    for a in range(1 << width):
        for b in range(1 << width):
            dut.a_i.value = a
            dut.b_i.value = b
            await RisingEdge(dut.clk_i)
            await FallingEdge(dut.clk_i)
            if int(dut.sum_o.value) != a + b:
                mismatches += 1
    assert mismatches == 0, f"{mismatches} wrong sums"
