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


def test_a_verilator_build_keeps_no_precompiled_header_and_still_rebuilds(tmp_path, monkeypatch):
    """A Verilator build split over several C++ files (the mutation banks': they ask for more
    than -O0) empties its two 72 MB .gch files when it has finished (make test's builds filled a
    CI disk with them); make must still find the build up to date, and an object that has to be
    rebuilt must compile without them. A default (-O0) build is one C++ file: no .gch at all."""
    import os
    import time

    # smoke_adder's ports and a long chain of adds and xors on an extra output: enough
    # generated C++ for Verilator to split it over several files, the case that makes them
    n = 800
    chain = "\n".join(f"    assign s[{i + 1}] = (s[{i}] ^ 16'd{i * 2654435761 % 65536}) + {{s[{i}][7:0], s[{i}][15:8]}};"
                       for i in range(n))
    src = [tmp_path / "smoke_adder.v"]
    src[0].write_text(f"""module smoke_adder #(parameter integer WIDTH = 4) (
    input wire clk_i, input wire [WIDTH-1:0] a_i, input wire [WIDTH-1:0] b_i, output reg [WIDTH:0] sum_o,
    output wire [15:0] junk_o);
    wire [15:0] s [0:{n}];
    assign s[0] = {{a_i, b_i, a_i, b_i}};
{chain}
    assign junk_o = s[{n}];
    always @(posedge clk_i) sum_o <= a_i + b_i;
endmodule
""")
    default = tmp_path / "default"
    assert failures(run_bench("fp4ref.rtl_tb.bench_smoke", "smoke_adder", src, "verilator",
                              parameters={"WIDTH": 4}, bdir=default).xml) == 0
    assert "VM_PARALLEL_BUILDS = 0" in (default / "Vtop_classes.mk").read_text()    # one C++ file
    assert not list(default.glob("*.gch"))
    monkeypatch.setenv("FP4REF_VERILATOR_OPT_FAST", "-O1")
    bdir = tmp_path / "smoke"
    first = run_bench("fp4ref.rtl_tb.bench_smoke", "smoke_adder", src, "verilator",
                      parameters={"WIDTH": 4}, bdir=bdir)
    assert failures(first.xml) == 0
    assert "VM_PARALLEL_BUILDS = 1" in (bdir / "Vtop_classes.mk").read_text()
    gch = sorted(bdir.glob("*.gch"))
    assert len(gch) == 2 and all(g.stat().st_size == 0 for g in gch)
    assert sum(f.stat().st_size for f in bdir.iterdir() if f.is_file()) < 20e6
    exe = bdir / "smoke_adder"
    built = exe.stat().st_mtime_ns
    again = run_bench("fp4ref.rtl_tb.bench_smoke", "smoke_adder", src, "verilator",
                      parameters={"WIDTH": 4}, bdir=bdir)
    assert failures(again.xml) == 0 and exe.stat().st_mtime_ns == built, "an up-to-date build was relinked"
    # a generated source newer than its object: make recompiles it without the PCH
    cpp = next(p for p in sorted(bdir.glob("Vtop___024root__*.cpp")) if "Slow" not in p.name)
    future = time.time() + 5
    os.utime(cpp, (future, future))
    third = run_bench("fp4ref.rtl_tb.bench_smoke", "smoke_adder", src, "verilator",
                      parameters={"WIDTH": 4}, bdir=bdir)
    assert failures(third.xml) == 0 and exe.stat().st_mtime_ns != built, "the touched source was not rebuilt"
