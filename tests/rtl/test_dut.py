"""DUT description files (issue 13), used as a user would: `fp4ref verify --dut`, `fp4ref dut
check` and `fp4ref dut init` in a subprocess, on the designs of examples/ (written in the styles
real FP4 RTL has: a pipelined multiplier with an include file, a sequential MAC with a product
register, a valid/ready encoder, a Chisel-style dot product, a SystemVerilog package and struct).

Every example passes on each simulator its file lists; every broken variant fails with a
mismatch report; a wrong mapping is reported by `dut check` before any vector runs; bad DUT
files are one line naming the file, line, section and key.
"""
from __future__ import annotations

import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

from fp4ref.rtl_tb.dut import DutError, load
from tests import REPO

EXAMPLES = REPO / "examples"
GOOD = sorted(p for p in EXAMPLES.glob("*/*.toml"))
BROKEN = sorted(EXAMPLES.glob("*/broken/*.toml"))


def fp4ref(*args, cwd=None, timeout=600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "fp4ref", *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, cwd=cwd)


def _sims(toml: Path) -> list[str]:
    return tomllib.loads(toml.read_text())["design"].get("simulators", ["icarus", "verilator"])


def test_the_examples_cover_every_timing_kind_and_have_broken_variants():
    kinds = {tomllib.loads(p.read_text())["timing"]["kind"] for p in GOOD}
    assert kinds == {"comb", "pipeline", "handshake", "accumulate"}
    assert len(GOOD) >= 5
    for good in GOOD:
        assert len(list((good.parent / "broken").glob("*.toml"))) >= 2, good


@pytest.mark.parametrize("toml", GOOD, ids=lambda p: p.stem)
def test_every_example_passes_on_its_simulators(toml, tmp_path):
    proc = fp4ref("verify", "--dut", toml, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr
    top = tomllib.loads(toml.read_text())["design"]["top"]
    for sim in _sims(toml):
        assert f"PASS: {top} on {sim}:" in proc.stdout, proc.stdout
    assert "FAIL" not in proc.stdout and "TIMEOUT" not in proc.stdout


@pytest.mark.parametrize("toml", BROKEN, ids=lambda p: f"{p.parent.parent.name}-{p.stem}")
def test_every_broken_variant_fails_with_a_mismatch_report(toml, tmp_path):
    """On one simulator (Icarus where the file lists it: the fast build); `fp4ref dut examples`
    runs every variant on every simulator (README table: 20 of 20 runs fail)."""
    sim = "icarus" if "icarus" in _sims(toml) else _sims(toml)[0]
    proc = fp4ref("verify", "--dut", toml, "--sim", sim, cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr
    top = tomllib.loads(toml.read_text())["design"]["top"]
    assert f"FAIL: {top} on {sim}:" in proc.stdout, proc.stdout
    assert ": vector " in proc.stdout and " expected " in proc.stdout and " got " in proc.stdout
    assert "PASS" not in proc.stdout
    # the last line (cocotb adds "ERROR: Failed 1 of 1 tests." when it sees pytest's environment)
    assert proc.stderr.strip().splitlines()[-1] == f"fp4ref verify: {top} fails its " \
        f"{tomllib.loads(toml.read_text())['unit']['name']} packs ({toml})"


def test_dut_check_lists_the_elaborated_ports(tmp_path):
    proc = fp4ref("dut", "check", EXAMPLES / "dot16_chisel" / "Dot16.toml", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "io_x_15              input       4  x15" in proc.stdout
    assert "io_out               output     16  acc" in proc.stdout
    assert "clock                input       1  tied to 0" in proc.stdout
    assert proc.stdout.strip().splitlines()[-1].startswith("OK: ")


def _variant(tmp_path: Path, example: str, toml: str, old: str, new: str) -> Path:
    """A copy of an example's DUT file with one line changed (sources copied beside it)."""
    src = EXAMPLES / example
    for f in src.iterdir():
        if f.is_file():
            (tmp_path / f.name).write_bytes(f.read_bytes())
    text = (src / toml).read_text()
    assert old in text, old
    out = tmp_path / toml
    out.write_text(text.replace(old, new, 1))
    return out


def _line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


#: (example, file, line changed, its replacement, the line the error names, what it says)
WRONG = [
    ("mul_pipe", "mul_pipe.toml", 'code_x = "a"', 'code_x = "aa"', 'code_x = "aa"',
     "[ports] code_x: the design mul_pipe has no port 'aa' (its ports: clk, a, b, p)"),
    ("mul_pipe", "mul_pipe.toml", 'code_x = "a"', 'code_x = "p"', 'code_x = "p"',
     "[ports] code_x: p is an output, not an input"),
    ("mul_pipe", "mul_pipe.toml", 'product = "p"', 'product = "p[7:0]"', 'product = "p[7:0]"',
     "[ports] product: a 8-bit port at scale 1 cannot represent the 9-bit field (it needs 9 bits)"),
    ("mul_pipe", "mul_pipe.toml", 'product = "p"', 'product = { port = "p", scale = 4 }', "product = {",
     "[ports] product: a 9-bit port at scale 4 cannot represent the 9-bit field (it needs 11 bits)"),
    ("mul_pipe", "mul_pipe.toml", 'product = "p"', 'produkt = "p"', 'produkt = "p"',
     "[ports] produkt: not a field of unit product"),
    ("mul_pipe", "mul_pipe.toml", 'top = "mul_pipe"', '# no top', "[design]",
     "[design]: missing required key 'top'"),
    ("mul_pipe", "mul_pipe.toml", "latency = 2", "latency = 0", "latency = 0",
     "[timing] latency: a clocked design has a latency of at least 1 cycle, got 0"),
    ("mul_pipe", "mul_pipe.toml", 'clock = "clk"', 'clock = "clk"\ncolour = "blue"', "colour =",
     "[timing] colour: not a key of timing 'pipeline'"),
    ("mul_pipe", "mul_pipe.toml", 'clock = "clk"', 'clock = "clock"', 'clock = "clock"',
     "[timing] clock: the design mul_pipe has no port 'clock'"),
    ("dot16_chisel", "Dot16.toml", "reset = 0", "# reset untied", "[ports]",
     "input reset of Dot16 is not driven: map it to a field, name it in [timing], or tie it in [ties]"),
]


@pytest.mark.parametrize("example, toml, old, new, locate, message", WRONG, ids=lambda v: str(v)[:24])
def test_a_wrong_mapping_is_one_line_before_any_vector(example, toml, old, new, locate, message, tmp_path):
    path = _variant(tmp_path, example, toml, old, new)
    cmds = [("dut", "check", path)] + ([("verify", "--dut", path)] if WRONG.index(
        (example, toml, old, new, locate, message)) % 3 == 0 else [])      # verify refuses the same way
    for cmd in cmds:
        t0 = time.monotonic()
        proc = fp4ref(*cmd, cwd=tmp_path)
        assert proc.returncode == 2, proc.stdout + proc.stderr
        err = proc.stderr.strip()
        assert len(err.splitlines()) == 1 and message in err, err
        assert f"{path}:{_line_of(path, locate)}: " in err, err        # the file and the line
        assert "vectors" not in proc.stdout and "PASS" not in proc.stdout     # nothing ran
        assert time.monotonic() - t0 < 60


def test_a_design_that_does_not_compile_shows_the_compiler_errors(tmp_path):
    path = _variant(tmp_path, "mul_pipe", "mul_pipe.toml", 'sources = ["mul_pipe.v"]',
                    'sources = ["mul_pipe.v", "oops.v"]')
    (tmp_path / "oops.v").write_text("module oops(input a); assign b = ; endmodule\n")
    proc = fp4ref("verify", "--dut", path, cwd=tmp_path)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
    assert "the design does not compile (Verilator): %Error:" in proc.stderr and "oops.v" in proc.stderr


def test_a_missing_include_dir_does_not_build(tmp_path):
    path = _variant(tmp_path, "mul_pipe", "mul_pipe.toml", 'include_dirs = ["."]', "include_dirs = []")
    (tmp_path / "sub").mkdir()
    (tmp_path / "mul_defs.vh").rename(tmp_path / "sub" / "mul_defs.vh")
    proc = fp4ref("dut", "check", path, cwd=tmp_path)
    assert proc.returncode == 2 and "mul_defs.vh" in proc.stderr, proc.stderr
    fixed = path.read_text().replace("include_dirs = []", 'include_dirs = ["sub"]')
    path.write_text(fixed)
    assert fp4ref("dut", "check", path, cwd=tmp_path).returncode == 0


NEVER_VALID = """// a handshake encoder that accepts inputs and never answers
module never_valid (input clk, input rst, input in_valid, output in_ready, input [15:0] in_data,
                    output out_valid, input out_ready, output [3:0] out_code);
    assign in_ready = 1'b1;
    assign out_valid = 1'b0;
    assign out_code = in_data[3:0];
endmodule
"""


def test_a_handshake_that_never_completes_names_the_signal(tmp_path):
    path = _variant(tmp_path, "enc_hs", "enc_hs.toml", 'sources = ["enc_hs.v"]', 'sources = ["never.v"]')
    path.write_text(path.read_text().replace('top = "enc_hs"', 'top = "never_valid"')
                    .replace("backpressure = 0.25", "backpressure = 0.25\nmax_wait = 200"))
    (tmp_path / "never.v").write_text(NEVER_VALID)
    proc = fp4ref("verify", "--dut", path, "--sim", "icarus", cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert ("TIMEOUT: the handshake never completed: out_valid (out_valid) never rose" in proc.stdout
            and "for 200 cycles" in proc.stdout), proc.stdout
    assert "FAIL: never_valid on icarus" in proc.stdout


@pytest.mark.parametrize("unit", ["encode", "decode", "product", "dot"])
def test_dut_init_prints_a_template_that_parses(unit, tmp_path):
    for timing in ("comb", "pipeline", "handshake", "accumulate"):
        proc = fp4ref("dut", "init", "--unit", unit, "--timing", timing)
        assert proc.returncode == 0, proc.stderr
        data = tomllib.loads(proc.stdout)
        assert data["unit"]["name"] == unit and data["timing"]["kind"] == timing
        path = tmp_path / f"{unit}-{timing}.toml"
        path.write_text(proc.stdout)
        with pytest.raises(DutError, match="my_design.v does not exist"):   # still to be written
            load(path)                                     # what `fp4ref dut check` reports
    check = fp4ref("dut", "check", path, cwd=tmp_path)
    assert check.returncode == 2 and "my_design.v does not exist" in check.stderr, check.stderr


def test_the_old_form_still_works(tmp_path):
    proc = fp4ref("verify", "--unit", "decode", "-f", "e2m1", "--sim", "icarus",
                  "--rtl", REPO / "rtl" / "fp4_decode.v", "--top", "fp4_decode", cwd=tmp_path)
    assert proc.returncode == 0 and "PASS: fp4_decode on icarus: 16 vectors" in proc.stdout, proc.stderr
    both = fp4ref("verify", "--dut", EXAMPLES / "mul_pipe" / "mul_pipe.toml", "--unit", "decode", cwd=tmp_path)
    assert both.returncode == 2 and "--dut describes the design" in both.stderr


def test_systemverilog_that_icarus_cannot_parse_is_one_line(tmp_path):
    toml = EXAMPLES / "sv_pkg_dec" / "sv_dec.toml"
    refused = fp4ref("verify", "--dut", toml, "--sim", "icarus", cwd=tmp_path)
    assert refused.returncode == 2 and len(refused.stderr.strip().splitlines()) == 1
    assert "sv_dec is not for icarus: the file lists only verilator" in refused.stderr
    path = _variant(tmp_path, "sv_pkg_dec", "sv_dec.toml", 'simulators = ["verilator"]',
                    'simulators = ["icarus", "verilator"]')
    tried = fp4ref("verify", "--dut", path, "--sim", "icarus", cwd=tmp_path)
    assert tried.returncode == 2 and len(tried.stderr.strip().splitlines()) == 1, tried.stderr
    assert "icarus could not build sv_dec: " in tried.stderr and "fp4_dec_pkg.sv:" in tried.stderr
    assert "Icarus 11 cannot parse all of this SystemVerilog" in tried.stderr
