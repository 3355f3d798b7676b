"""`make bench`'s RTL section: encode vectors per second through the reference encoder, per
engine and simulator, measured in one run (issue 16).

- cocotb: `fp4ref verify`'s engine (rtl_tb.runner.run_unit); its rate is the bench's own
  driving-loop time per pack (the build excluded, as for the others).
- native: the `fp4ref golden tb` testbench; its rate is the second run of the simulation
  command (vvp, or the Verilated binary built with Verilator's default -Os), the compile
  excluded.
- harness: rtl_tb.exhaustive's C++ harness on Verilator (the engine of `make exhaustive-rtl`).

The same seeded float32 pack (E2M1, rne, saturate) goes through both engines of a simulator, so
each native / cocotb ratio compares like with like. Icarus gets a smaller pack: it interprets
the encoder's logic for every vector.
"""
from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path

from fp4ref import paths

#: seeded random float32 vectors per pack, per simulator (plus the structured level-2 cases)
PACK_RANDOM = {"icarus": 1 << 17, "verilator": 1 << 20}
HARNESS_INPUTS = 1 << 27


def _pack(n_random: int, root: Path) -> Path:
    from fp4ref.emu import get_format

    from fp4ref.golden.codec_pack import PackSpec
    from fp4ref.golden.pack import ensure

    spec = PackSpec("encode", get_format("e2m1"), "float32", "rne", "saturate", "level2", n_random=n_random)
    return ensure(spec, root)


def _native_rate(pack: Path, sim: str, work: Path) -> tuple[float, int]:
    from .native_tb import write
    from .sims import sim_env

    out = work / f"native-{sim}"
    facts = write(pack, out, None, None, None)
    # Verilator's own optimization (-Os), as the run script gets it in a user's shell; the
    # test suite's builds use -O0 (rtl_tb.sims.sim_env), quicker to build, slower to run
    env = sim_env({**os.environ, "FP4REF_VERILATOR_OPT_FAST": "-Os"})
    first = subprocess.run([str(out / f"run_{sim}.sh")], capture_output=True, text=True, env=env, timeout=1800)
    if first.returncode != 0 or "PASS: " not in first.stdout:
        raise RuntimeError(f"bench: the native testbench failed on {sim}: {(first.stdout + first.stderr)[-300:]}")
    cmd = ["vvp", "-n", "tb.vvp"] if sim == "icarus" else ["obj_dir/Vtb_native"]
    best = float("inf")
    for _ in range(1 if sim == "icarus" else 3):
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=out, capture_output=True, env=env, check=True, timeout=1800)
        best = min(best, time.perf_counter() - t0)
    return facts["count"] / best, facts["count"]


#: cycles of the Icarus ceiling run (16 inputs each)
CEILING_CYCLES = 4096


def _icarus_ceiling(work: Path) -> float:
    """Vectors/s of Icarus evaluating 16 reference encoders driven by a counter, with no file and
    no compare: the ceiling of any Icarus testbench for this design."""
    from . import exhaustive
    from .runner import RTL

    work.mkdir(parents=True, exist_ok=True)
    (work / "exh_top.v").write_text(exhaustive.wrapper("e2m1"))
    (work / "tb.v").write_text(f"""module tb;
    reg [{32 * exhaustive.LANES - 1}:0] x; wire [{32 * exhaustive.LANES - 1}:0] out; integer c, k;
    exh_top dut (.x_i(x), .mode_i(3'd0), .out_o(out));
    initial begin
        for (c = 0; c < {CEILING_CYCLES}; c = c + 1) begin
            for (k = 0; k < {exhaustive.LANES}; k = k + 1) x[32*k +: 32] = 32'h3f000000 + c * {exhaustive.LANES} + k;
            #1;
        end
        $finish;
    end
endmodule
""")
    subprocess.run(["iverilog", "-g2012", f"-I{RTL}", "-s", "tb", "-o", "c.vvp", "tb.v", "exh_top.v",
                    str(RTL / "fp4_round.v"), str(RTL / "fp4_encode.v")], cwd=work, check=True, capture_output=True)
    t0 = time.perf_counter()
    subprocess.run(["vvp", "-n", "c.vvp"], cwd=work, check=True, capture_output=True)
    return CEILING_CYCLES * exhaustive.LANES / (time.perf_counter() - t0)


def run(log=print) -> dict[str, float]:
    """Every engine's rate in vectors per second; prints the table through ``log``."""
    from . import exhaustive
    from .runner import run_unit

    rates: dict[str, float] = {}
    paths.build_dir().mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-", dir=paths.build_dir()) as tmp:
        work = Path(tmp)
        for sim in ("verilator", "icarus"):
            pack = _pack(PACK_RANDOM[sim], work / "packs")
            cocotb = run_unit("encode", sim, [pack])
            if cocotb.failed or cocotb.mismatches:
                raise RuntimeError(f"bench: the cocotb bench failed on {sim}")
            rates[f"cocotb {sim}"] = cocotb.rate
            rates[f"native {sim}"], count = _native_rate(pack, sim, work)
            log(f"  {sim:<9} cocotb {cocotb.rate / 1e6:8.3f} M vectors/s   native {rates[f'native {sim}'] / 1e6:8.3f} "
                f"M vectors/s   native / cocotb {rates[f'native {sim}'] / cocotb.rate:6.1f}x   ({count:,} vectors)")
        rates["icarus ceiling"] = _icarus_ceiling(work / "ceiling")
        log(f"  icarus    the encoder alone, 16 copies driven by a counter (no file, no compare): "
            f"{rates['icarus ceiling'] / 1e6:.3f} M vectors/s, the ceiling of any Icarus testbench of this design")
        res = exhaustive.sweep("e2m1", "rne", 0x3F000000, 0x3F000000 + HARNESS_INPUTS, jobs=1, root=work / "exh")
        rates["harness verilator"] = res.inputs / res.seconds
        log(f"  verilator C++ harness (make exhaustive-rtl) {rates['harness verilator'] / 1e6:8.1f} M vectors/s "
            f"per core   ({res.inputs:,} float32 inputs)")
    return rates
