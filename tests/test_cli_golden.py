"""`fp4ref golden` and `fp4ref verify` from the command line, bad input included."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

DUMMY = """module dummy_enc (
    input  wire [15:0] x_i, input wire [2:0] mode_i, input wire [7:0] rand_i, input wire sat_i,
    output wire [3:0] code_o, output wire [3:0] flags_o);
    assign code_o = x_i[15:12];
    assign flags_o = 4'd0;
endmodule
"""


def run(*args, env=None):
    proc = subprocess.run([sys.executable, "-m", "fp4ref", *map(str, args)], capture_output=True,
                          text=True, timeout=600, env=env)
    return proc.returncode, proc.stdout, proc.stderr


def test_gen_then_verify_then_detect_corruption(tmp_path):
    out = tmp_path / "pack"
    rc, text, err = run("golden", "gen", "--unit", "encode", "-f", "e2m1", "--src", "float16",
                        "-r", "rtz", "--out", out)
    assert rc == 0, err
    assert "65,536 vectors" in text
    assert run("golden", "verify", out)[0] == 0
    data = bytearray((out / "vectors.hex").read_bytes())
    data[100] = ord("f") if data[100] != ord("f") else ord("0")
    (out / "vectors.hex").write_bytes(bytes(data))
    rc, text, _ = run("golden", "verify", out)
    assert rc == 1 and "CORRUPT" in text and "sha256" in text


def test_defaults_writes_every_group(tmp_path):
    rc, text, err = run("golden", "defaults", "--out", tmp_path, "--formats", "e2m1")
    assert rc == 0, err
    # decode + 6 modes x (bfloat16, float16, float32), then 9 product and 9 + 2 (shift port) dot
    # MAC packs, 1 MX block
    assert "wrote 40 packs" in text
    assert len([p for p in tmp_path.iterdir() if not p.name.startswith(".")]) == 40


@pytest.mark.parametrize("args, message", [
    (["golden", "gen", "--unit", "mac", "-f", "e2m1", "--out", "x"], "invalid choice: 'mac'"),
    (["golden", "gen", "--unit", "encode", "-f", "e9m9", "--out", "x"], "unknown format 'e9m9'; known formats: e2m1"),
    (["golden", "gen", "--unit", "encode", "-f", "e2m1", "--overflow", "inf", "--out", "x"], "neither Inf nor NaN"),
    (["golden", "gen", "--unit", "decode", "-f", "e2m1", "--out", "/proc/fp4ref/pack"], "error"),
    (["golden", "defaults", "--out", "x", "--formats", "e2m1,bogus"], "unknown format 'bogus'"),
    (["verify", "--unit", "encode", "-f", "e2m1", "--rtl", "/nonexistent.v", "--top", "x"], "does not exist"),
    (["verify", "--unit", "encode", "-f", "e2m1", "--rtl", "x.v", "--top", "x", "-r", "nearest"], "'nearest' is not one of"),
    (["verify", "--unit", "encode", "-f", "e2m1", "--rtl", "x.v", "--top", "x", "--param", "W"], "NAME=INTEGER"),
])
def test_bad_input_is_one_line_and_writes_nothing(args, message, tmp_path):
    rc, out, err = run(*args)
    assert rc == 2, out + err
    assert message in err and "Traceback" not in err
    assert not Path("x").exists()


def test_missing_simulator_names_the_install_command(tmp_path):
    (tmp_path / "d.v").write_text(DUMMY)
    env = dict(os.environ, PATH=str(tmp_path))      # no iverilog on PATH
    rc, _, err = run("verify", "--unit", "encode", "-f", "e2m1", "--sim", "icarus",
                     "--rtl", tmp_path / "d.v", "--top", "dummy_enc", env=env)
    assert rc == 2 and "apt-get install iverilog" in err and "Traceback" not in err


def test_verify_fails_a_wrong_module_with_a_field_split_report(tmp_path):
    (tmp_path / "d.v").write_text(DUMMY)
    rc, out, err = run("verify", "--unit", "encode", "-f", "e2m1", "--sim", "verilator",
                       "--rtl", tmp_path / "d.v", "--top", "dummy_enc", "-r", "rne",
                       "--packs", tmp_path / "packs", "--max-mismatches", "2")
    assert rc == 1, out + err
    assert "FAIL: dummy_enc on verilator" in out
    assert ("code expected 0x0 (0|00|0 = 0.0) got 0x0 (0|00|0 = 0.0); flags expected inexact|underflow got -"
            in out), out


def test_a_corrupt_pack_stops_the_bench_with_one_line(tmp_path):
    (tmp_path / "d.v").write_text(DUMMY)
    packs = tmp_path / "packs"
    assert run("golden", "gen", "--unit", "encode", "-f", "e2m1", "--out",
               packs / "encode-e2m1-bfloat16-rne-saturate")[0] == 0
    hex_file = packs / "encode-e2m1-bfloat16-rne-saturate" / "vectors.hex"
    hex_file.write_bytes(hex_file.read_bytes()[:-100])
    from fp4ref.golden import manifest
    with pytest.raises(ValueError, match="truncated or modified"):
        manifest.verify(hex_file.parent)


def test_mac_packs_from_the_command_line(tmp_path):
    rc, out, err = run("golden", "gen", "--unit", "dot", "--x", "e2m1", "--w", "e2m1", "--lanes", "16",
                       "--acc-w", "13", "--policy", "saturate", "--out", tmp_path / "dot")
    assert rc == 0 and "dot-e2m1xe2m1-l16-w13-saturate-tree-b0" in out, err
    rc, out, err = run("golden", "gen", "--unit", "product", "--x", "e3m0", "--w", "e2m1",
                       "--out", tmp_path / "prod")
    assert rc == 0 and "256 vectors" in out, err
    rc, out, _ = run("golden", "verify", tmp_path / "dot", tmp_path / "prod")
    assert rc == 0 and "dot e2m1 x e2m1" in out and "product e3m0 x e2m1" in out
