"""rtl/fp4_decode.v on both simulators: every code of every preset (int_o, f32_o, flags)."""
from fp4ref import emu
import pytest

from fp4ref.golden import pack
from fp4ref.golden.pack import PackSpec
from fp4ref.rtl_tb.runner import run_unit
from fp4ref.rtl_tb.sims import SIMS

CASES = [(sim, name) for sim in SIMS for name in emu.list_formats()]


@pytest.mark.parametrize("sim, name", CASES, ids=["-".join(c) for c in CASES])
def test_fp4_decode_passes_every_code(sim, name, tmp_path, record_rtl):
    fmt = emu.get_format(name)
    d = pack.write(PackSpec("decode", fmt), tmp_path / "decode")
    run = run_unit("decode", sim, [d])
    record_rtl(run, "decode")
    assert run.mismatches == 0 and run.failed == 0, f"see {run.build}/sim.log"
    assert run.vectors == fmt.n_codes


@pytest.mark.parametrize("sim, dump", [("icarus", "tb_decode.fst"), ("verilator", "dump.vcd")])
def test_waves_1_dumps_a_trace(sim, dump, tmp_path, monkeypatch):
    monkeypatch.setenv("WAVES", "1")
    d = pack.write(PackSpec("decode", emu.get_format("e2m1")), tmp_path / "decode")
    run = run_unit("decode", sim, [d])
    assert run.mismatches == 0 and run.failed == 0
    assert (run.build / dump).stat().st_size > 0


def _decode_run(pack_dir):
    run = run_unit("decode", "icarus", [pack_dir])
    return run.vectors, run.mismatches, run.failed


def test_concurrent_runs_of_one_build_take_turns(tmp_path):
    """Two runs of the same parameter set share a build folder; they must not mix their files."""
    from concurrent.futures import ProcessPoolExecutor
    d = pack.write(PackSpec("decode", emu.get_format("e2m1")), tmp_path / "decode")
    with ProcessPoolExecutor(max_workers=3) as pool:
        outcomes = list(pool.map(_decode_run, [d, d, d]))
    assert outcomes == [(16, 0, 0)] * 3
