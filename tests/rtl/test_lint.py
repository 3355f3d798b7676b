"""The reference RTL is lint-clean: `verilator --lint-only -Wall` and `iverilog -g2012` print
nothing for every preset's parameters and every source type."""
import subprocess

from fp4ref import emu
import pytest

from fp4ref.golden.codec_pack import fmt_record
from fp4ref.rtl_tb.contracts import reference_params
from fp4ref.rtl_tb.runner import RTL
from fp4ref.rtl_tb.sims import sim_env

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


MAC_CONFIGS = [  # x, w, lanes, shift_w, shift_max, acc_w
    ("e2m1", "e2m1", 16, 0, 0, 13), ("e2m1", "e2m1", 16, 2, 3, 16), ("e3m0_b0", "e2m1_b0", 16, 3, 7, 22),
    ("e1m2", "e2m1", 4, 1, 1, 2), ("e4m3", "e4m3", 4, 0, 0, 40), ("e5m2", "e5m2", 1, 0, 0, 64),
]


@pytest.mark.parametrize("x, w, lanes, shift_w, shift_max, acc_w", MAC_CONFIGS,
                         ids=[f"{c[0]}x{c[1]}-l{c[2]}-b{c[4]}-w{c[5]}" for c in MAC_CONFIGS])
def test_fp4_mac_is_lint_clean(x, w, lanes, shift_w, shift_max, acc_w):
    env = sim_env()
    fx, fw = emu.get_format(x), emu.get_format(w)
    base = {"LANES": lanes, "X_EXP_W": fx.exp_w, "X_MAN_W": fx.man_w, "X_BIAS": fx.bias,
            "X_SUBNORMALS": int(fx.subnormals), "W_EXP_W": fw.exp_w, "W_MAN_W": fw.man_w,
            "W_BIAS": fw.bias, "W_SUBNORMALS": int(fw.subnormals), "SHIFT_W": shift_w,
            "SHIFT_MAX": shift_max, "ACC_W": acc_w}
    for saturate in (0, 1):
        for tree in (0, 1):
            params = {**base, "SATURATE": saturate, "TREE": tree}
            lint = subprocess.run(["verilator", "--lint-only", "--quiet", "-Wall", f"-I{RTL}",
                                   "--top-module", "fp4_mac", *[f"-G{k}={v}" for k, v in params.items()],
                                   str(RTL / "fp4_mac.v")], env=env, capture_output=True, text=True, timeout=120)
            assert lint.returncode == 0 and not (lint.stdout + lint.stderr).strip(), lint.stdout + lint.stderr
            icarus = subprocess.run(["iverilog", "-g2012", "-Wall", f"-I{RTL}", "-s", "fp4_mac", "-o", "/dev/null",
                                     *[f"-Pfp4_mac.{k}={v}" for k, v in params.items()], str(RTL / "fp4_mac.v")],
                                    env=env, capture_output=True, text=True, timeout=120)
            assert icarus.returncode == 0 and not (icarus.stdout + icarus.stderr).strip(), icarus.stdout + icarus.stderr


def test_fp4_mx_block_is_lint_clean():
    env = sim_env()
    src = str(RTL / "fp4_mx_block.v")
    lint = subprocess.run(["verilator", "--lint-only", "--quiet", "-Wall", f"-I{RTL}", "--top-module",
                           "fp4_mx_block", src], env=env, capture_output=True, text=True, timeout=120)
    assert lint.returncode == 0 and not (lint.stdout + lint.stderr).strip(), lint.stdout + lint.stderr
    icarus = subprocess.run(["iverilog", "-g2012", "-Wall", f"-I{RTL}", "-s", "fp4_mx_block", "-o", "/dev/null",
                             src], env=env, capture_output=True, text=True, timeout=120)
    assert icarus.returncode == 0 and not (icarus.stdout + icarus.stderr).strip(), icarus.stdout + icarus.stderr


LUT_DECODERS = sorted((RTL / "lut").glob("fp4_lut_*.v"))


@pytest.mark.parametrize("src", LUT_DECODERS, ids=[p.stem for p in LUT_DECODERS])
def test_fp4_lut_decoders_are_lint_clean(src):
    env = sim_env()
    lint = subprocess.run(["verilator", "--lint-only", "--quiet", "-Wall", "--top-module", src.stem, str(src)],
                          env=env, capture_output=True, text=True, timeout=120)
    assert lint.returncode == 0 and not (lint.stdout + lint.stderr).strip(), lint.stdout + lint.stderr
    icarus = subprocess.run(["iverilog", "-g2012", "-Wall", "-s", src.stem, "-o", "/dev/null", str(src)],
                            env=env, capture_output=True, text=True, timeout=120)
    assert icarus.returncode == 0 and not (icarus.stdout + icarus.stderr).strip(), icarus.stdout + icarus.stderr


def _block_configs():
    """(module, sources, parameters) of every default build of the block units (every option
    value of each unit is in the default set: tests/rtl/test_block_units.py)."""
    from fp4ref.golden.defaults import block_specs
    from fp4ref.rtl_tb.contracts import CONTRACTS
    seen = set()
    for group in block_specs():
        spec = group[0]
        c = CONTRACTS[spec.unit]
        record = {"unit": spec.unit, "options": spec.options, "format": spec.header()["format"]}
        params = reference_params(record)
        key = (c.module, tuple(sorted(params.items())))
        if key not in seen:
            seen.add(key)
            yield c.module, c.sources, params


BLOCK_CONFIGS = list(_block_configs())


@pytest.mark.parametrize("top, files, params", BLOCK_CONFIGS,
                         ids=[f"{t}-" + "-".join(f"{k}{v}" for k, v in p.items()) for t, _, p in BLOCK_CONFIGS])
def test_block_units_are_lint_clean(top, files, params):
    env = sim_env()
    paths = [str(RTL / f) for f in files]
    lint = subprocess.run(["verilator", "--lint-only", "--quiet", "-Wall", f"-I{RTL}", "--top-module", top,
                           *[f"-G{k}={v}" for k, v in params.items()], *paths],
                          env=env, capture_output=True, text=True, timeout=300)
    assert lint.returncode == 0 and not (lint.stdout + lint.stderr).strip(), lint.stdout + lint.stderr
    icarus = subprocess.run(["iverilog", "-g2012", "-Wall", f"-I{RTL}", "-s", top, "-o", "/dev/null",
                             *[f"-P{top}.{k}={v}" for k, v in params.items()], *paths],
                            env=env, capture_output=True, text=True, timeout=300)
    assert icarus.returncode == 0 and not (icarus.stdout + icarus.stderr).strip(), icarus.stdout + icarus.stderr
