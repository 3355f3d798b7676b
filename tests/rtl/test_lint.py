"""The reference RTL is lint-clean: `verilator --lint-only -Wall` and `iverilog -g2012` print
nothing for every preset's parameters and every source type."""
import subprocess

import emu
import pytest

from golden.codec_pack import fmt_record
from rtl_tb.contracts import reference_params
from rtl_tb.runner import RTL
from rtl_tb.sims import sim_env

ENCODE = ["fp4_round.v", "fp4_encode.v"]


def configurations(name):
    fmt = fmt_record(emu.get_format(name))
    yield "fp4_decode", ["fp4_decode.v"], reference_params({"unit": "decode", "format": fmt, "options": {}})
    for src in ("bfloat16", "float16", "float32"):
        record = {"unit": "encode", "format": fmt, "options": {"src": src, "sr_bits": 8}}
        yield "fp4_encode", ENCODE, reference_params(record)


@pytest.mark.parametrize("name", emu.list_formats())
def test_reference_rtl_is_lint_clean(name):
    env = sim_env()
    for top, files, params in configurations(name):
        paths = [str(RTL / f) for f in files]
        lint = subprocess.run(["verilator", "--lint-only", "--quiet", "-Wall", f"-I{RTL}", "--top-module", top,
                               *[f"-G{k}={v}" for k, v in params.items()], *paths],
                              env=env, capture_output=True, text=True, timeout=120)
        assert lint.returncode == 0 and not (lint.stdout + lint.stderr).strip(), lint.stdout + lint.stderr
        icarus = subprocess.run(["iverilog", "-g2012", "-Wall", f"-I{RTL}", "-s", top, "-o", "/dev/null",
                                 *[f"-P{top}.{k}={v}" for k, v in params.items()], *paths],
                                env=env, capture_output=True, text=True, timeout=120)
        assert icarus.returncode == 0 and not (icarus.stdout + icarus.stderr).strip(), icarus.stdout + icarus.stderr
