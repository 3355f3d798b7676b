"""The fp4ref command line: help, each sub-command, and one-line errors for bad input."""
import subprocess
import sys

import pytest

from fp4ref.cli import main


def run(*args):
    """Run the CLI in a subprocess, as a user would (tracebacks would show on stderr)."""
    proc = subprocess.run([sys.executable, "-m", "fp4ref", *args], capture_output=True, text=True,
                          timeout=300)
    return proc.returncode, proc.stdout, proc.stderr


def test_help_lists_every_command():
    rc, out, _ = run("--help")
    assert rc == 0
    for command in ("formats", "card", "encode", "decode", "demo", "bench", "exhaustive"):
        assert command in out


def test_formats_lists_every_preset():
    from fp4ref import emu
    rc, out, _ = run("formats")
    assert rc == 0
    assert all(f"\n{name} " in out for name in emu.list_formats())


def test_card_shows_every_code_with_its_interval(capsys):
    assert main(["card", "e2m1"]) == 0
    out = capsys.readouterr().out
    assert "0x7  0|11|1               6      12  (5, inf)" in out
    assert "0x8  1|00|0              -0       0  [-0.25, -0]" in out
    assert "signed int5" in out


def test_encode_prints_code_fields_value_and_flags(capsys):
    assert main(["encode", "-f", "e2m1", "2.5", "-0.0", "7"]) == 0
    lines = capsys.readouterr().out.splitlines()[1:]
    assert lines[0].split()[2:] == ["0x4", "0|10|0", "2", "inexact"]
    assert lines[1].split()[2:] == ["0x8", "1|00|0", "-0", "-"]
    assert lines[2].split()[2:] == ["0x7", "0|11|1", "6", "inexact|overflow"]


def test_encode_reads_bit_patterns(capsys):
    assert main(["encode", "-f", "e4m3", "--bits", "--dtype", "float16", "0x3c00", "0xfe00"]) == 0
    lines = capsys.readouterr().out.splitlines()[1:]
    assert lines[0].split()[2] == "0x38" and lines[1].split()[2] == "0xff"


def test_decode_accepts_hex_binary_and_decimal(capsys):
    assert main(["decode", "-f", "e2m1", "0x7", "0b1011", "3"]) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines()[1:]]
    assert [r[2] for r in rows] == ["6.0", "-1.5", "1.5"]
    assert [r[3] for r in rows] == ["12", "-3", "3"]


@pytest.mark.parametrize("args, message", [
    (["card", "e9m9"], "unknown format 'e9m9'"),
    (["encode", "-f", "e2m1", "1.2.3"], "'1.2.3' is not a number"),
    (["encode", "-f", "e2m1", "nan"], "has no NaN code"),
    (["encode", "-f", "e2m1", "--overflow", "inf", "1"], "neither Inf nor NaN"),
    (["encode", "-f", "e2m1", "--overflow", "error", "100"], "overflow='error'"),
    (["encode", "-f", "e2m1", "--rounding", "sr", "1.1"], "needs rand"),
    (["encode", "-f", "e2m1", "--rounding", "sr", "--rand", "x", "1.1"], "--rand"),
    (["encode", "-f", "e2m1", "--bits", "zz"], "hex bit patterns"),
    (["encode", "-f", "e2m1", "--bits", "--dtype", "float16", "0x10000"], "16 bits wide"),
    (["decode", "-f", "e2m1", "16"], "outside e2m1"),
    (["decode", "-f", "e2m1", "seven"], "must be integers"),
    (["exhaustive", "-f", "e2m1_b0"], "ml_dtypes has no type"),
    (["exhaustive", "-r", "rtz"], "nearest even only"),
    (["bench", "--size", "0"], "must be positive"),
])
def test_bad_input_is_one_line_on_stderr_with_status_2(args, message):
    rc, out, err = run(*args)
    assert rc == 2
    assert err.count("\n") == 1 and message in err, err
    assert "Traceback" not in err and out == ""


def test_unknown_option_is_a_usage_error():
    rc, _, err = run("encode", "--frobnicate")
    assert rc == 2 and "usage:" in err and "Traceback" not in err


def test_exhaustive_range_agrees_with_ml_dtypes():
    rc, out, err = run("exhaustive", "-f", "e2m1", "--start", "0x3f000000", "--stop", "0x3f100000",
                       "--chunk-bits", "16")
    assert rc == 0, err
    assert "1,048,576 inputs, 0 mismatches" in out


def test_demo_prints_the_card_and_the_sample_tensor(capsys):
    from fp4ref.cli.demo import show_encoding
    show_encoding()
    out = capsys.readouterr().out
    assert "format e2m1" in out and "packed" in out and "I(code)" in out


def test_width_prints_the_spec_table():
    rc, out, _ = run("width", "--table")
    assert rc == 0
    rows = [line.split() for line in out.splitlines()[1:]]
    assert [(int(r[0]), int(r[-2]), int(r[-1])) for r in rows] == [
        (16, 13, 16), (16, 15, 22), (16, 12, 13), (4096, 21, 24), (4096, 23, 30), (11008, 22, 25),
        (13824, 22, 25)]


def test_width_answers_the_thirteen_bit_question():
    rc, out, _ = run("width", "--x", "e2m1", "--w", "e2m1", "--lanes", "16", "--acc-w", "13")
    assert rc == 0 and "= 13 bits" in out and "check 13-bit accumulator: enough" in out
    rc, out, _ = run("width", "--x", "e2m1", "--w", "e2m1", "--lanes", "16", "--preshift", "--acc-w", "13")
    assert rc == 0 and "16 * 1,152 = 18,432" in out and "= 16 bits" in out
    assert "NOT enough (needs 16)" in out and "wrap returns 2,048, saturate returns 4,095" in out


@pytest.mark.parametrize("args, message", [
    (["width", "--lanes", "0"], "positive integer"),
    (["width", "--acc-w", "1"], "2..62 bits"),
    (["width", "--x", "e9m9"], "unknown format"),
    (["verify", "--unit", "dot", "--rtl", "x.v", "--top", "x"], "needs --x and --w"),
    (["verify", "--unit", "dot", "--x", "e2m1", "--w", "e2m1", "--lanes", "0", "--rtl", "x.v", "--top", "x"], "lanes"),
    (["verify", "--unit", "dot", "--x", "e2m1", "--w", "e2m1", "--acc-w", "1", "--rtl", "x.v", "--top", "x"], "2..62 bits"),
    (["verify", "--unit", "encode", "--rtl", "x.v", "--top", "x"], "needs --format"),
])
def test_mac_bad_input_is_one_line(args, message):
    rc, out, err = run(*args)
    assert rc == 2 and message in err and "Traceback" not in err and out == "", out + err


def test_lookup_formats_through_the_cli():
    """card / encode / decode / formats for the lookup formats (emu.lookup), one-line errors."""
    rc, out, _ = run("card", "e2m1_sr")
    assert rc == 0 and "1000  0x41000000" in out and "16" in out.splitlines()[12]
    rc, out, _ = run("encode", "-f", "e2m1_sp", "4.5", "4.75", "-5")
    assert rc == 0 and [ln.split()[1] for ln in out.splitlines()[2:]] == ["0110", "1000", "1111"]
    rc, out, _ = run("decode", "-f", "nf4", "0b0111", "15")
    assert rc == 0 and "0.0" in out and "1.0" in out
    rc, out, _ = run("formats")
    assert rc == 0 and "sf4_nu5" in out and "bnb_fp4" in out
    for args, msg in [(("decode", "-f", "apot4", "8"), "not used"),
                      (("encode", "-f", "nf4", "--tie", "even", "0.1"), "not defined for nf4"),
                      (("encode", "-f", "nf4", "nan"), "NaN"),
                      (("encode", "-f", "e2m1", "--tie", "down", "1"), "--tie applies to lookup")]:
        rc, out, err = run(*args)
        assert rc == 2 and msg in err and err.count("\n") == 1, (args, err)


def test_the_demo_runs_the_llmfp4_reports_as_the_command_line_parses_them(monkeypatch, capsys):
    """make demo's LLM-FP4 step calls the report with every option the parser defines (a hand-made
    argument set once lacked --out, and make demo failed there)."""
    from fp4ref.cli import _parser, demo, llmfp4

    seen = []
    monkeypatch.setattr(llmfp4, "cmd_report", seen.append)
    demo.show_llmfp4()
    full = vars(_parser().parse_args(["llmfp4", "report"])).keys()
    assert [a.model for a in seen] == ["minilm", "smollm2"]
    assert all(vars(a).keys() == full and a.quick and a.out is None for a in seen)
