"""DUT files for the units of block-scaled hardware (docs/block.md §7-§12, docs/byo_rtl.md "Block
units"), used as a user would: `fp4ref verify --dut`, `fp4ref dut check` and `fp4ref dut init` in a
subprocess, on designs in styles fp4ref did not choose (tests/rtl/dut_designs/):

- fpmul_chisel: a Chisel-style two-stage E2M1 x E2M1 -> E4M3 multiplier with a clock enable
  (fp_mul, pipeline), written from docs/block.md §12 and docs/encoding.md;
- mac_lowrisc: a SystemVerilog MAC with clear, valid, a wrapping sum and a sticky overflow
  (mac_stream, cycle), written from docs/block.md §11;
- mxdot_regs: the reference rtl/fp4_mx_dot.v for two blocks behind registered packed buses, a
  and b interleaved in one byte per element (mx_dot, pipeline);
- nvquant_chisel: the reference rtl/fp4_nvfp4_quant.v behind Chisel-style Decoupled ports with
  Vecs flattened to _0 .. _15, two stages with stalls (nvfp4_quant, handshake);
- nvdot_user: the reference rtl/fp4_nvfp4_dot.v for two blocks, per_block, behind upper-case
  ports, a synchronous active-high reset and a scale word per block (nvfp4_dot, pipeline), with
  the FP32 edge corners (edges = 1), which alone catch a result of 2^127 taken for Inf.

Each passes on both simulators; each has a broken variant that fails with mismatches. Option and
mapping mistakes are one line naming the file and the line, before any vector runs.
"""
from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests import REPO

HERE = Path(__file__).resolve().parent / "dut_designs"
RTL = REPO / "rtl"

#: (design folder, DUT file, its broken variant, the simulator for the broken one, a line of its report)
DESIGNS = [
    ("fpmul_chisel", "FpMulPipe.toml", "zero_sign.toml", "icarus", "code expected 0x80 got 0x0"),
    ("mac_lowrisc", "mac_unit.toml", "not_sticky.toml", "icarus", "ovf expected 0x1 got 0x0"),
    ("mxdot_regs", "mxdot_k2_top.toml", "no_underflow.toml", "icarus",
     "flags expected inexact|underflow got inexact"),
    ("nvquant_chisel", "NvQuantQueue.toml", "abs_ts.toml", "icarus", "scale expected 0x7f got "),
]


def fp4ref(*args, cwd=None, timeout=600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "fp4ref", *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, cwd=cwd)


def _toml(path: Path) -> dict:
    return tomllib.loads(path.read_text())


@pytest.mark.parametrize("folder, toml", [d[:2] for d in DESIGNS], ids=[d[0] for d in DESIGNS])
def test_the_design_passes_on_both_simulators(folder, toml, tmp_path):
    path = HERE / folder / toml
    proc = fp4ref("verify", "--dut", path, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr
    top, unit = _toml(path)["design"]["top"], _toml(path)["unit"]["name"]
    for sim in ("icarus", "verilator"):
        assert f"PASS: {top} on {sim}:" in proc.stdout, proc.stdout
        assert f"({path.name}: {unit}, {_toml(path)['timing']['kind']}" in proc.stdout
    assert "FAIL" not in proc.stdout and "TIMEOUT" not in proc.stdout


#: what the diagnosis under each broken variant's failure says (docs/diagnosis.md)
DIAGNOSED = {
    "fpmul_chisel": "drops the sign of zero (-0 results give +0) [zero-sign]: 30 of 30 mismatches",
    "mac_lowrisc": "its overflow flag is not sticky: it shows only the last enabled cycle's overflow "
                   "[ovf-not-sticky]: 49 of 49 mismatches",
    "mxdot_regs": "underflow: left clear in 94 vectors where it is due (94 in the pack), set in 0 where it is not",
    "nvquant_chisel": "reads a negative tensor scale by its magnitude (the contract: the block is NaN) "
                      "[ts-magnitude]: 8 of 8 mismatches",
}


@pytest.mark.parametrize("folder, broken, sim, says", [(d[0], d[2], d[3], d[4]) for d in DESIGNS],
                         ids=[d[0] for d in DESIGNS])
def test_the_broken_variant_fails_with_mismatches(folder, broken, sim, says, tmp_path):
    path = HERE / folder / "broken" / broken
    proc = fp4ref("verify", "--dut", path, "--sim", sim, cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr
    top, unit = _toml(path)["design"]["top"], _toml(path)["unit"]["name"]
    assert f"FAIL: {top} on {sim}:" in proc.stdout and "PASS" not in proc.stdout, proc.stdout[-3000:]
    assert ": vector " in proc.stdout and says in proc.stdout, proc.stdout[-3000:]
    assert DIAGNOSED[folder] in proc.stdout, proc.stdout[-3000:]
    assert proc.stderr.strip().splitlines()[-1] == f"fp4ref verify: {top} fails its {unit} packs ({path})"


def _variant(tmp_path: Path, folder: str, toml: str, old: str, new: str) -> Path:
    """A copy of a design's DUT file with one line changed, its sources beside it (the paths
    into rtl/ made absolute)."""
    for f in (HERE / folder).iterdir():
        if f.is_file():
            (tmp_path / f.name).write_bytes(f.read_bytes())
    text = (HERE / folder / toml).read_text().replace("../../../../rtl", str(RTL))
    assert old in text, old
    out = tmp_path / toml
    out.write_text(text.replace(old, new, 1))
    return out


def _line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if line.startswith(needle))


#: (folder, file, line changed, replacement, the line the error names, what it says)
WRONG = [
    ("mxdot_regs", "mxdot_k2_top.toml", 'acc = "psum_in"', 'acc = "absent"', 'acc = "absent"',
     "[ports] acc: absent, but with acc = 1 the packs drive it: map it to the design's port, or set acc = 0 "
     "in [unit]"),
    ("mxdot_regs", "mxdot_k2_top.toml", 'blk = "blk_psums[{lane}*32 +: 32]"', 'blk = "absent"', 'blk = "absent"',
     "[ports] blk: absent, but with blocks_out = 1 the packs check it: map it to the design's port, or set "
     "blocks_out = 0 in [unit]"),
    ("mxdot_regs", "mxdot_k2_top.toml", "blocks = 2", "blocks = 9", "blocks = 9", "[unit] blocks: must be 1..8, got 9"),
    ("mxdot_regs", "mxdot_k2_top.toml", "random = 100", "random = 100\nrule = \"floor\"", "rule =",
     "[unit] rule: not an option of mx_dot (its options: blocks, semantics, rounding, ftz, acc, blocks_out, random)"),
    ("mxdot_regs", "mxdot_k2_top.toml", 'xa = "scales[{lane}*16 +: 8]"', 'xa = "scales"', 'xa = "scales"',
     "[ports] xa: 'scales': xa has 2 lanes: use a lane pattern (scales_{lane} or scales[{lane}*8 +: 8])"),
    ("mxdot_regs", "mxdot_k2_top.toml", 'b = "ab_pairs[{lane}*8+4 +: 4]"', 'b = "ab_pairs[{lane}*8+2 +: 4]"',
     'b = "ab_pairs', "[ports] b: bit 2 of ab_pairs is also mapped to a"),
    ("mxdot_regs", "mxdot_k2_top.toml", 'kind = "pipeline"', 'kind = "cycle"', 'kind = "cycle"',
     "[timing] kind: cycle runs a clocked design with state vector by vector (unit mac_stream); mx_dot is "
     "stateless"),
    ("mac_lowrisc", "mac_unit.toml", 'kind = "cycle"', 'kind = "pipeline"', 'kind = "pipeline"',
     "[timing] kind: mac_stream is a clocked MAC with state, one pack vector per rising edge: kind = \"cycle\""),
    ("mac_lowrisc", "mac_unit.toml", 'en = "valid_i"', '# en unmapped', "[ports]",
     "[ports]: input field 'en' is not mapped: the packs drive it (map it to the design's port)"),
    ("fpmul_chisel", "FpMulPipe.toml", 'o = "e4m3"', 'o = "e4m3"\noverflow = "inf"\nrounding = "sr"', "[ports]",
     "[ports]: input field 'rand' is not mapped: with rounding = \"sr\" the packs drive it (map it to the "
     "design's port, or set rounding = \"rne\" in [unit])"),
    ("fpmul_chisel", "FpMulPipe.toml", 'o = "e4m3"', 'o = "e2m1"\noverflow = "inf"', 'overflow = "inf"',
     "[unit] overflow: inf needs an output format with Inf or NaN; e2m1 has neither (use saturate)"),
]


@pytest.mark.parametrize("folder, toml, old, new, locate, message", WRONG, ids=lambda v: str(v)[:28])
def test_a_wrong_option_or_mapping_is_one_line_naming_the_line(folder, toml, old, new, locate, message,
                                                                tmp_path):
    path = _variant(tmp_path, folder, toml, old, new)
    proc = fp4ref("dut", "check", path, cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    err = proc.stderr.strip()
    assert len(err.splitlines()) == 1 and message in err, err
    assert f"{path}:{_line_of(path, locate)}: " in err, err           # the file and the line
    assert "vectors" not in proc.stdout


def test_an_option_that_leaves_a_field_out_drives_its_neutral_value(tmp_path):
    """acc = 0: the packs have no accumulator input, the mapped port gets +0 (docs/block.md §8);
    blocks_out = 0: the per-block outputs are not checked."""
    path = _variant(tmp_path, "mxdot_regs", "mxdot_k2_top.toml", "blocks = 2", "blocks = 2\nacc = 0\nblocks_out = 0")
    proc = fp4ref("dut", "check", path, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "psum_in              input      32  acc: not in the packs, driven with 0x0" in proc.stdout
    assert "blk_psums            output     64  blk0..blk1 (not in the packs: unchecked)" in proc.stdout
    assert "ab_pairs             input     512  a0..a63, b0..b63" in proc.stdout


def test_the_latency_of_a_cycle_design_matters(tmp_path):
    path = _variant(tmp_path, "mac_lowrisc", "mac_unit.toml", "latency = 1", "latency = 2")
    proc = fp4ref("verify", "--dut", path, "--sim", "icarus", cwd=tmp_path)
    assert proc.returncode == 1 and "FAIL: mac_unit on icarus:" in proc.stdout, proc.stdout[-2000:] + proc.stderr


def test_a_cycle_design_with_a_clock_enable_must_hold_while_it_is_low(tmp_path):
    """mac_unit with a clock enable ce_i: seeded idle cycles (ce_i low, garbage inputs) between
    the vectors; the same design ignoring ce_i takes the garbage and fails."""
    sv = (HERE / "mac_lowrisc" / "mac_unit.sv").read_text()
    sv = sv.replace("    input  logic                       valid_i,\n",
                    "    input  logic                       valid_i,\n    input  logic                       ce_i,\n")
    held = sv.replace("        end else if (valid_i) begin", "        end else if (!ce_i) begin\n        end else if (valid_i) begin")
    (tmp_path / "mac_ce.sv").write_text(held)
    (tmp_path / "mac_no_ce.sv").write_text(sv)
    toml = (HERE / "mac_lowrisc" / "mac_unit.toml").read_text().replace("latency = 1", 'latency = 1\nenable = "ce_i"')
    for source, status in (("mac_ce.sv", 0), ("mac_no_ce.sv", 1)):
        path = tmp_path / f"{source}.toml"
        path.write_text(toml.replace("mac_unit.sv", source))
        proc = fp4ref("verify", "--dut", path, "--sim", "icarus", cwd=tmp_path)
        assert proc.returncode == status, proc.stdout[-2000:] + proc.stderr
        assert "(cycle)" in proc.stdout and "seed 1: gaps 0.2" in proc.stdout


XZ = """// an fp_mul design whose code output floats for 0 x 0 (and is wrong for most other pairs)
module xz_mul (input [3:0] a, input [3:0] b, output [3:0] code);
    assign code = (a == 4'd0 && b == 4'd0) ? 4'bzzzz : 4'd0;
endmodule
"""


def test_x_or_z_on_an_output_is_a_reported_mismatch(tmp_path):
    (tmp_path / "xz_mul.v").write_text(XZ)
    (tmp_path / "xz.toml").write_text('[design]\nsources = ["xz_mul.v"]\ntop = "xz_mul"\nsimulators = ["icarus"]\n'
                                      '[unit]\nname = "fp_mul"\n[ports]\na = "a"\nb = "b"\ncode = "code"\n'
                                      'flags = "absent"\n[timing]\nkind = "comb"\n')
    proc = fp4ref("verify", "--dut", tmp_path / "xz.toml", cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    # Z reads as 0, equal to the expected 0: the line still names the output and says X/Z
    assert "vector 0: a=0x0 b=0x0: code expected 0x0 got 0x0 [code has X/Z bits]" in proc.stdout, proc.stdout


UNITS_TIMINGS = {"mx_dot": ("comb", "pipeline", "handshake"), "nvfp4_dot": ("comb", "pipeline", "handshake"),
                 "mx_quant": ("comb", "pipeline", "handshake"), "nvfp4_quant": ("comb", "pipeline", "handshake"),
                 "fp_mul": ("comb", "pipeline", "handshake"), "mac_stream": ("cycle",)}


def test_dut_init_prints_templates_and_refuses_impossible_timings(tmp_path):
    """In-process for every unit and timing (what `dut init` prints): the allowed ones parse
    (only the design is missing), the others are one ValueError line; through the CLI once each."""
    from fp4ref.rtl_tb.dut_template import template
    from fp4ref.rtl_tb.dut import DutError, load
    for unit, timings in UNITS_TIMINGS.items():
        for timing in ("comb", "pipeline", "handshake", "accumulate", "cycle"):
            if timing not in timings:
                with pytest.raises(ValueError, match=f"^--unit {unit} --timing {timing}: "):
                    template(unit, timing)
                continue
            data = tomllib.loads(template(unit, timing))
            assert data["unit"]["name"] == unit and data["timing"]["kind"] == timing
            path = tmp_path / f"{unit}-{timing}.toml"
            path.write_text(template(unit, timing))
            with pytest.raises(DutError, match="my_design.v does not exist"):
                load(path)
    ok = fp4ref("dut", "init", "--unit", "mac_stream", "--timing", "cycle")
    assert ok.returncode == 0 and 'kind = "cycle"' in ok.stdout
    refused = fp4ref("dut", "init", "--unit", "mac_stream", "--timing", "pipeline")
    assert refused.returncode == 2 and refused.stderr.strip() == (
        'fp4ref dut: error: --unit mac_stream --timing pipeline: mac_stream is a clocked MAC with state, one '
        'pack vector per rising edge: kind = "cycle" (not \'pipeline\')')


def _on_reference(unit: str, timing: str, path: Path, **replace) -> Path:
    """The template of ``unit`` with the reference module as the design."""
    from fp4ref.rtl_tb.dut_template import template
    from fp4ref.rtl_tb.contracts import CONTRACTS
    c = CONTRACTS[unit]
    sources = ", ".join(f'"{RTL / s}"' for s in c.sources)
    text = (template(unit, timing).replace('sources = ["my_design.v"]', f"sources = [{sources}]")
            .replace('include_dirs = []', f'include_dirs = ["{RTL}"]').replace('top = "my_design"', f'top = "{c.module}"'))
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    path.write_text(text)
    return path


@pytest.mark.parametrize("unit", list(UNITS_TIMINGS))
def test_the_template_maps_the_reference_module(unit, tmp_path):
    """Its port names and lane patterns are the contract's (docs/rtl_contract.md): with the
    reference RTL as the design, the mapping checks against what Verilator elaborates."""
    from fp4ref.rtl_tb.dut import load
    from fp4ref.rtl_tb.dut_run import prepare
    path = _on_reference(unit, UNITS_TIMINGS[unit][0], tmp_path / f"{unit}.toml")
    path.write_text(re.sub(r"^(random|cycles) = \d+", r"\1 = 8", path.read_text(), flags=re.M))   # small packs
    dirs, layout = prepare(load(path), tmp_path / "packs")
    assert len(dirs) == 1 and layout.outputs


def test_the_fp_mul_template_runs_the_reference_module(tmp_path):
    path = _on_reference("fp_mul", "comb", tmp_path / "m.toml",
                         **{'simulators = ["icarus", "verilator"]': 'simulators = ["icarus"]',
                            'rounding = "rne" ': 'rounding = "sr"  '})
    proc = fp4ref("verify", "--dut", path, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr
    assert "fp_mul-a_e2m1-b_e2m1-o_e2m1-rounding_sr-overflow_saturate     4,096          0" in proc.stdout


#: a user's slip the FP32 edge corners exist for: a result of exactly 2^127 (exponent field 254,
#: zero fraction: finite) taken for Inf, its overflow flag raised
TOP_AS_INF = ("RESULT <= res; STATUS <= flg; PARTIALS <= blk;",
              "RESULT <= res; STATUS <= flg | {1'b0, res[30:0] == {8'hFE, 23'd0}, 2'b0}; PARTIALS <= blk;")


def test_a_user_nvfp4_dot_passes_its_packs_with_the_edge_corners(tmp_path):
    path = HERE / "nvdot_user" / "nv_dot_top.toml"
    proc = fp4ref("verify", "--dut", path, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr
    for sim in ("icarus", "verilator"):
        assert "PASS: nv_dot_top on " + sim + ": 2,511 vectors, 0 mismatches" in proc.stdout, proc.stdout
    assert "-tscale_1-edges_1-random_200" in proc.stdout


@pytest.mark.parametrize("edges, caught", [(1, True), (0, False)])
def test_only_the_edge_corners_catch_2_pow_127_taken_for_inf(edges, caught, tmp_path):
    """The same slip in the user's top, with and without `edges = 1` in its DUT file: the default
    corners and random vectors never give a result of exactly 2^127; the edge corners do."""
    toml = _variant(tmp_path, "nvdot_user", "nv_dot_top.toml", "edges = 1", f"edges = {edges}")
    v = (tmp_path / "nv_dot_top.v").read_text()
    assert v.count(TOP_AS_INF[0]) == 1
    (tmp_path / "nv_dot_top.v").write_text(v.replace(*TOP_AS_INF))
    proc = fp4ref("verify", "--dut", toml, "--sim", "icarus", cwd=tmp_path)
    if caught:
        assert proc.returncode == 1 and "FAIL: nv_dot_top on icarus: 2,511 vectors, 12 mismatches" in proc.stdout, \
            proc.stdout[-3000:] + proc.stderr
        assert "res 0x7f000000 (1.7014118346046923e+38) as expected; flags expected inexact got inexact|overflow" \
            in proc.stdout, proc.stdout[-3000:]
    else:
        assert proc.returncode == 0 and "PASS: nv_dot_top on icarus: 2,325 vectors, 0 mismatches" in proc.stdout, \
            proc.stdout[-3000:] + proc.stderr
