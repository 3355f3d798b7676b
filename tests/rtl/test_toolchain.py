"""Both simulators are installed and run a cocotb bench through the runner (make setup's job)."""
import pytest

from tests import REPO
from fp4ref.rtl_tb.runner import failures, run_bench
from fp4ref.rtl_tb.sims import SIMS, versions


def test_both_simulators_report_a_version():
    found = versions()
    assert set(found) == set(SIMS)
    assert "Icarus Verilog" in found["icarus"]


@pytest.mark.parametrize("sim", SIMS)
def test_cocotb_bench_passes_on(sim):
    results = run_bench("fp4ref.rtl_tb.bench_smoke", "smoke_adder", [REPO / "rtl_tb/hdl/smoke_adder.v"],
                        sim, parameters={"WIDTH": 4})
    assert failures(results.xml) == 0
