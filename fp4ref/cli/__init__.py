"""fp4ref command line (fp4ref.cli): thin sub-commands over fp4ref.emu, .mac, .quant, .golden, .rtl_tb, .hw.

Every error is one line on stderr and exit status 2; no traceback, no partial output.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

from .. import __version__

DESCRIPTION = """\
fp4ref: a bit-exact reference model for FP4 (and FP6/FP8) number formats.

Encode and decode work on integer bit patterns: every code, rounding tie, sign of zero and
flag is defined in docs/encoding.md and checked exhaustively against an independent
exact-rational reference and against ml_dtypes."""

EPILOG = """\
examples:
  fp4ref formats                          list the format presets
  fp4ref card e2m1                        every code: fields, value, integer mapping, RNE interval
  fp4ref encode -f e2m1 0.75 2.5 -0.0 7   encode decimal values (float32 by default)
  fp4ref encode -f e4m3 --bits --dtype float16 0x3c00
  fp4ref decode -f e2m1 0x7 0b1011 3      decode codes (hex, binary or decimal)
  fp4ref card e2m1_sr                     a lookup format: every code, constant, integer mapping
  fp4ref encode -f nf4 0.04 -0.3          nearest NF4 code (tie rule: --tie)
  fp4ref demo                             what `make demo` runs
  fp4ref bench                            throughput beside ml_dtypes and torch
  fp4ref exhaustive -f e2m1               all 2^32 float32 inputs against ml_dtypes
  fp4ref golden gen --unit encode -f e2m1 --src bfloat16 -r rne --out packs/e2m1-rne
  fp4ref golden verify packs/e2m1-rne     re-hash a pack
  fp4ref golden gen --unit mx_dot --opt blocks=4 --opt semantics=per_block --out packs/mxdot
  fp4ref golden units                     every option of the block units (mx_dot, nvfp4_quant, ...)
  fp4ref verify --unit encode -f e2m1 --sim verilator --rtl my_enc.v --top my_enc
  fp4ref width --x e2m1 --w e2m1 --lanes 16 --preshift   accumulator width and why
  fp4ref llmfp4 report --quick            W4A4 LLM-FP4 on all-MiniLM-L6-v2, every method
  fp4ref llmfp4 report --quick --out rep  the same, with report.md and PNG plots in rep/
  fp4ref llmfp4 weight-only --quick       RTN, GPTQ, AWQ onto 8 formats on SmolLM2, by perplexity
  fp4ref llmfp4 answer all                the LLM-FP4 users' questions, computed
  fp4ref accuracy                         RTN on MiniLM's weights in every 4-bit format, sorted
  fp4ref cost                             yosys cells and area of decoders, multipliers, MACs; Pareto plot"""


def _parser() -> argparse.ArgumentParser:
    from fp4ref.emu.encode import NAN_POLICIES, OVERFLOW_POLICIES
    from fp4ref.emu.round import MODES, ROUNDINGS

    p = argparse.ArgumentParser(prog="fp4ref", description=DESCRIPTION, epilog=EPILOG,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"fp4ref {__version__}")
    p.add_argument("--build-dir", metavar="DIR",
                   help="where every output and cache goes (packs, simulator builds, reports): "
                        "default $FP4REF_BUILD_DIR, else build/fp4ref in the current folder; "
                        "give it before the command: fp4ref --build-dir DIR verify ...")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    from fp4ref.golden.unit_pack import unit_names

    from . import cluster
    BLOCK_UNITS = unit_names()          # noqa: N806 (the units whose options are data)

    sub.add_parser("formats", help="list the format presets and their parameters")

    c = sub.add_parser("card", help="print a format card (every code, value, integer mapping)")
    c.add_argument("format", help="preset name or alias, e.g. e2m1, float8_e4m3fn, or a lookup "
                   "format, e.g. nf4, e2m1_sr")

    e = sub.add_parser("encode", help="encode values to codes",
                       description="Encode values to codes of a format, with flags.")
    e.add_argument("values", nargs="+", help="decimal values (nan, inf, -0.0 allowed), or bit "
                   "patterns with --bits")
    e.add_argument("-f", "--format", required=True, help="preset name or alias")
    e.add_argument("--dtype", default="float32", choices=["float64", "float32", "float16", "bfloat16"],
                   help="source type the values are first rounded to (RNE), default float32")
    e.add_argument("--bits", action="store_true", help="values are hex bit patterns of --dtype")
    e.add_argument("-r", "--rounding", default="rne", choices=MODES)
    e.add_argument("--overflow", default="saturate", choices=OVERFLOW_POLICIES)
    e.add_argument("--nan", default="auto", choices=NAN_POLICIES)
    e.add_argument("--rand", help="comma-separated random integers for --rounding sr")
    e.add_argument("--sr-bits", type=int, default=8, help="random bits per element for sr")
    e.add_argument("--tie", choices=["down", "zero", "lower_code", "even"],
                   help="lookup formats: the tie rule (default: the format's own; docs/lookup.md)")

    d = sub.add_parser("decode", help="decode codes to exact values")
    d.add_argument("codes", nargs="+", help="codes: 0x.. hex, 0b.. binary or decimal")
    d.add_argument("-f", "--format", required=True, help="preset name or alias")

    sub.add_parser("demo", help="the main job of `make demo`")
    b = sub.add_parser("bench", help="encode throughput beside ml_dtypes and torch, as ratios")
    b.add_argument("--size", type=int, default=1 << 24, help="elements per run (default 2^24)")
    b.add_argument("--repeat", type=int, default=5, help="runs per measurement; the best counts")
    b.add_argument("--no-rtl", action="store_true", help="skip the RTL engines (cocotb and native testbenches "
                   "on both simulators, the exhaustive-rtl harness: about a minute)")

    g = sub.add_parser("golden", help="golden-vector packs: gen, defaults, verify",
                       description="Deterministic golden-vector packs: vectors.hex ($readmemh, one "
                       "vector per line), vectors.jsonl and manifest.json with sha256 of each file.")
    gsub = g.add_subparsers(dest="golden_command", metavar="ACTION", required=True)
    gg = gsub.add_parser("gen", help="write one pack")
    gg.add_argument("--unit", required=True, choices=["encode", "decode", "product", "dot", "mx_block",
                                                      "lut_decode", "lut_mul", *BLOCK_UNITS],
                    help="the unit; the units of block-scaled hardware (" + ", ".join(BLOCK_UNITS)
                    + ") take --opt KEY=VALUE (`fp4ref golden units` lists them)")
    gg.add_argument("--opt", action="append", default=[], metavar="KEY=VALUE",
                    help="an option of " + ", ".join(BLOCK_UNITS) + " (repeatable)")
    gg.add_argument("-f", "--format", help="encode/decode: preset name or alias")
    _mac_options(gg)
    gg.add_argument("--src", default="bfloat16", choices=["bfloat16", "float16", "float32"],
                    help="encode: source type (float32 uses TestFloat-style sets)")
    gg.add_argument("-r", "--rounding", default=None, choices=ROUNDINGS,
                    help="encode: rounding (default rne; rnz rnm rnp: nearest with other tie rules)")
    gg.add_argument("--overflow", default=None, choices=["saturate", "inf"], help="encode (default saturate)")
    gg.add_argument("--convention", default=None, metavar="NAME",
                    help="encode, mx_quant: expectations under a named convention (`fp4ref conventions`)")
    gg.add_argument("--level", type=int, default=1, choices=[1, 2], help="float32 set size")
    gg.add_argument("--random", type=int, default=None,
                    help="float32, mx_block: seeded random vectors (mx_block default 20000)")
    gg.add_argument("--seed", type=int, default=20261124)
    gg.add_argument("--out", required=True, help="the pack folder to write (atomically)")
    gd = gsub.add_parser("defaults", help="write the default pack set (codecs and MAC)")
    gd.add_argument("--out", required=True, help="folder to hold the packs")
    gd.add_argument("--formats", help="comma-separated formats (default: every preset)")
    gd.add_argument("--all-products", action="store_true",
                    help="also every finite product of every ordered pair of presets (225 packs)")
    gd.add_argument("--jobs", type=int, default=1, help="packs generated in parallel worker processes (default 1)")
    cluster.add_options(gd)
    gsub.add_parser("units", help="the units whose options are data, each option with its default "
                    "and allowed values (for --opt)")
    gt = gsub.add_parser("tb", help="a self-checking Verilog testbench for a pack (no Python to run it)",
                         description="Write a self-checking testbench for one pack: tb_native.v reads "
                         "the pack's vectors from cycles.bin with $fread, 4,096 cycles at a time (memory stays bounded), drives the copies of your module (or the reference RTL) "
                         "per cycle, compares every output field, prints the first mismatches and a summary "
                         "line, and exits non-zero on a mismatch. run_icarus.sh, run_verilator.sh and files.f "
                         "(a filelist for any simulator) beside it. Combinational units.")
    gt.add_argument("pack", help="a pack folder (fp4ref golden gen)")
    gt.add_argument("--rtl", action="append", help="your Verilog source (repeatable; default: the reference RTL)")
    gt.add_argument("--top", help="with --rtl: your module's name")
    gt.add_argument("--param", action="append", default=[], help="NAME=VALUE for your module (repeatable)")
    gt.add_argument("--out", required=True, help="the testbench folder to write (atomically)")
    gv = gsub.add_parser("verify", help="re-hash packs and report corruption")
    gv.add_argument("packs", nargs="+", help="pack folders")

    v = sub.add_parser("verify", help="run the golden benches on your RTL module",
                       description="Run the golden packs through your RTL; exit 0 only if every vector "
                       "passes. Either describe the design as it is in a DUT file (--dut FILE.toml: its "
                       "ports, scales, timing; docs/byo_rtl.md; `fp4ref dut init` prints a template), or "
                       "give a module that follows the port contract of docs/rtl_contract.md with "
                       "--unit, --rtl and --top.")
    v.add_argument("--dut", metavar="FILE", help="a DUT file (TOML): runs on every simulator it lists "
                   "(or --sim)")
    v.add_argument("--unit", choices=["encode", "decode", "product", "dot", "mx_block",
                                      "lut_decode", "lut_mul", *BLOCK_UNITS])
    v.add_argument("--opt", action="append", default=[], metavar="KEY=VALUE",
                   help="an option of " + ", ".join(BLOCK_UNITS) + " (repeatable; `fp4ref golden units`)")
    v.add_argument("-f", "--format", help="encode/decode: preset name or alias")
    _mac_options(v)
    v.add_argument("--sim", default=None, choices=["icarus", "verilator"],
                   help="the simulator (default verilator; with --dut every one the file lists)")
    v.add_argument("--rtl", action="append", help="Verilog source (repeatable)")
    v.add_argument("--top", help="your module's name")
    v.add_argument("--param", action="append", default=[], help="NAME=VALUE for your module (repeatable)")
    v.add_argument("--src", default="bfloat16", choices=["bfloat16", "float16", "float32"])
    v.add_argument("-r", "--rounding", default=None, help="all (default), or comma-separated modes")
    v.add_argument("--overflow", default=None, choices=["saturate", "inf", "all"], help="default saturate")
    v.add_argument("--engine", default="cocotb", choices=["cocotb", "native"],
                   help="cocotb (default: every unit and timing, the mismatch diagnosis) or native (a "
                        "self-checking Verilog testbench per pack, `fp4ref golden tb`; combinational units)")
    v.add_argument("--convention", default=None, metavar="NAME",
                   help="encode, mx_quant: expect a named convention's choices (`fp4ref conventions`)")
    v.add_argument("--level", type=int, default=1, choices=[1, 2], help="float32 set size")
    v.add_argument("--copies", type=int, default=None,
                   help="copies of the module the bench drives per cycle (default 16; 4 for dot)")
    v.add_argument("--max-mismatches", type=int, default=10, help="stop after this many")
    v.add_argument("--packs", help="pack cache folder (default build/packs)")
    v.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                   help="wall-clock limit of the simulation (default: 60 s + 2 x the build time + 1 s "
                        "per 2,000 vectors, printed); past it the simulator is killed and the run is "
                        "a TIMEOUT (exit 1)")
    v.add_argument("--stall", type=float, default=None, metavar="SECONDS",
                   help="a TIMEOUT too when no vector completes for this long (default 30)")

    wd = sub.add_parser("width", help="accumulator width of an integer-mapped MAC, with the reasoning",
                        description="Worst-case accumulator width W = 1 + ceil(log2(K * Imax_x * "
                        "Imax_w * 2^B + 1)) for K terms of X x W codes (docs/mac.md §3). X and W: "
                        "presets, or lookup formats with an integer mapping (e2m1_sr, e2m1_sp, "
                        "e2m1_p25, apot4, int4_sym, int4_full, ...: docs/lookup.md).")
    wd.add_argument("--x", help="activation format: a preset or an integer-mapped lookup format "
                    "(default e2m1)", default="e2m1")
    wd.add_argument("--w", help="weight format, as --x (default e2m1)", default="e2m1")
    wd.add_argument("--lanes", "--k", dest="lanes", type=int, default=16,
                    help="K: terms accumulated (lanes x cycles), default 16")
    wd.add_argument("--preshift", action="store_true",
                    help="LLM-FP4 pre-shift: B = 2^(e_x) - 1 per-channel shift range (presets; "
                         "a lookup --x needs --shift-max)")
    wd.add_argument("--shift-max", type=int, default=None, help="B explicitly (implies a pre-shift)")
    wd.add_argument("--acc-w", type=int, default=None,
                    help="check an accumulator of this many bits against the worst-case input")
    wd.add_argument("--table", action="store_true", help="print the llm-fp4.md §5.2 table instead")

    lf = sub.add_parser("llmfp4", help="LLM-FP4 on all-MiniLM-L6-v2 and SmolLM2-135M: report, export, answer, "
                        "weight-only",
                        description="LLM-FP4 W4A4 on real models (all-MiniLM-L6-v2; SmolLM2-135M with "
                                    "report --model smollm2), offline.")
    lsub = lf.add_subparsers(dest="llmfp4_command", metavar="ACTION", required=True)
    lr = lsub.add_parser("report", help="every method's layer-output MSE and embedding cosine (MiniLM), "
                         "or perplexity (--model smollm2)")
    lr.add_argument("--model", default="minilm", choices=["minilm", "smollm2"],
                    help="all-MiniLM-L6-v2 (embedding cosine) or SmolLM2-135M, a LLaMA-architecture LLM "
                         "as llama.cpp quantized it to Q4_1 (perplexity on a held-out play)")
    lr.add_argument("--methods", help="comma-separated: minmax_int4,minmax_e2m1,fpq_baseline,fpq "
                    "(smollm2 also: shipped, smoothquant)")
    lr.add_argument("--alpha", type=float, default=0.5, help="smollm2, smoothquant: the migration exponent")
    lr.add_argument("--tokens", type=int, help="smollm2: evaluation tokens (default 20,480; --quick 2,048)")
    lr.add_argument("--readme", metavar="FILE", help="smollm2: also write the table between the markers "
                    "<!-- fp4ref llmfp4-smollm2 --> ... <!-- /fp4ref llmfp4-smollm2 --> of FILE")
    lr.add_argument("--attention", action="store_true", help="also quantize QK^T and softmax.V")
    lr.add_argument("--fresh", action="store_true", help="recompute even if a cached report exists")
    lr.add_argument("--out", metavar="DIR", help="also write DIR/report.md and its PNG plots (per-layer output "
                    "error by method, format per layer and operand, activation offsets b_j; smollm2: perplexity "
                    "against bits per weight, with the cached weight-only rows when there are some), atomically")
    lw = lsub.add_parser("weight-only", help="SmolLM2-135M weight-only: RTN, GPTQ and AWQ at group 128 onto each "
                         "format, by perplexity (the llm-datatypes table)",
                         description="Re-quantize the 210 Linear layers of SmolLM2-135M's blocks (weights only; "
                         "activations, embedding and lm_head as shipped) with RTN, GPTQ and AWQ at group 128 onto "
                         "INT4, E2M1, E2M1-SR, E2M1-SP, NF4, SF4, APoT4 and INT3, beside the model as shipped "
                         "(Q4_1 dequantized to float32); perplexity on a held-out play, calibration on another.")
    lw.add_argument("--model", default="smollm2", choices=["smollm2"], help="the model (SmolLM2-135M)")
    lw.add_argument("--methods", help="comma-separated: rtn,gptq,awq (default all)")
    lw.add_argument("--formats", help="comma-separated grids of quant.grids (default int4_sym, e2m1, e2m1_sr, "
                    "e2m1_sp, nf4, sf4_nu5, apot4, int3_sym)")
    lw.add_argument("--blocks", help="comma-separated transformer blocks (0..29) whose Linear layers are "
                    "quantized (default all; --quick 0,15,29)")
    lw.add_argument("--tokens", type=int, help="evaluation tokens (default 20,480; --quick 1,024)")
    lw.add_argument("--quick", action="store_true", help="every method and format on fewer tokens (1,024 evaluated, "
                    "512 calibration), the layers of blocks 0, 15 and 29, an AWQ grid of 10: about 3 CPU-minutes")
    lw.add_argument("--readme", metavar="FILE", help="also write the table between the markers "
                    "<!-- fp4ref llmfp4-weight-only --> ... <!-- /fp4ref llmfp4-weight-only --> of FILE")
    lw.add_argument("--fresh", action="store_true", help="recompute even if a cached table exists")
    le = lsub.add_parser("export", help="the hardware artefacts of FPQ-searched layers")
    le.add_argument("--layer", default="encoder.layer.0.attention.self.query",
                    help="comma-separated Linear names, or 'all'")
    le.add_argument("--fold", default="rowshift", choices=["rowshift", "widened", "lossy"])
    le.add_argument("--out", required=True, help="export folder (written atomically)")
    for p_ in (lr, le):
        p_.add_argument("--calib", type=int, default=32, help="calibration sentences (1..48)")
        p_.add_argument("--n", type=int, default=100, help="FPQ: candidates n (LLM-FP4 default 100)")
        p_.add_argument("--rounds", type=int, default=3, help="FPQ: search rounds (default 3)")
        p_.add_argument("--quick", action="store_true", help="n = 20, 2 rounds")
        p_.add_argument("--release-gammas", action="store_true",
                        help="skip the last candidate gamma = beta, as the released code does")
        p_.add_argument("--offset-rounding", default="code", choices=["code", "paper"],
                        help="channel offsets: clamp(round(b~_j) - round(rho)) or round(b~_j - rho)")
    la = lsub.add_parser("answer", help="the LLM-FP4 users' questions (a)-(e), computed")
    la.add_argument("question", choices=["a", "b", "c", "d", "e", "all"])
    la.add_argument("--full", action="store_true", help="(e): the full FPQ search (n 100, 3 rounds)")

    rg = sub.add_parser("regress", help="default packs through the reference RTL on both simulators")
    rg.add_argument("--formats", help="comma-separated formats (default: every preset)")
    rg.add_argument("--sim", action="append", choices=["icarus", "verilator"],
                    help="simulator (repeatable; default both)")
    rg.add_argument("--jobs", type=int, default=None, help="parallel bench runs (default: cores)")
    rg.add_argument("--packs", help="pack folder (default build/packs)")
    rg.add_argument("--no-mac", action="store_true", help="skip the MAC, MX block, lookup-format and block-unit packs")
    cluster.add_options(rg)

    from . import accuracy, badinput, cost, dut, exhaustive_rtl, explain, export, gguf_cli, gptq, layerpack, mutate
    accuracy.add_parser(sub)
    explain.add_parser(sub, _mac_options)
    export.add_parser(sub)
    cost.add_parser(sub)
    gptq.add_parser(sub)
    layerpack.add_parser(sub)
    mutate.add_parser(sub)
    badinput.add_parser(sub)
    dut.add_parser(sub)
    exhaustive_rtl.add_parser(sub)
    gguf_cli.add_parser(sub)

    x = sub.add_parser("exhaustive", help="every float32 input against ml_dtypes or the grid reference")
    x.add_argument("--all", action="store_true", help="the coverage matrix of `make exhaustive`: every "
                   "preset in RNE (ml_dtypes and grid reference), E2M1 in every rounding mode")
    x.add_argument("--reference", default="ml_dtypes", choices=["ml_dtypes", "grid"],
                   help="ml_dtypes (RNE only) or the independent grid reference (emu/grid_ref.py, every mode)")
    x.add_argument("--jobs", type=int, default=None,
                   help="worker processes: runs of --all, or shards of one sweep (default 2 with --all, else 1)")
    x.add_argument("--readme", metavar="FILE", help="--all: also write the table between the markers "
                   "<!-- fp4ref exhaustive --> ... <!-- /fp4ref exhaustive --> of FILE (README.md)")
    x.add_argument("-f", "--format", default="e2m1", help="a format ml_dtypes implements")
    x.add_argument("-r", "--rounding", default="rne",
                   help="rne (the only mode ml_dtypes has); rne rna rtz rup rdn with --reference grid")
    x.add_argument("--chunk-bits", type=int, default=24, help="log2 of inputs per chunk")
    x.add_argument("--start", type=lambda s: int(s, 0), default=0, help="first bit pattern")
    x.add_argument("--stop", type=lambda s: int(s, 0), default=1 << 32,
                   help="one past the last bit pattern (default 2^32)")
    cluster.add_options(x)
    return p


def _mac_options(p) -> None:
    p.add_argument("--x", help="product/dot: activation format")
    p.add_argument("--w", help="product/dot: weight format")
    p.add_argument("--lanes", type=int, default=16, help="dot: the MAC's lanes (default 16)")
    p.add_argument("--acc-w", type=int, default=16, help="dot: accumulator bits (default 16)")
    p.add_argument("--policy", default="wrap", choices=["wrap", "saturate"], help="dot: overflow policy")
    p.add_argument("--order", default="tree", choices=["tree", "sequential"], help="dot: accumulation order")
    p.add_argument("--shift-max", type=int, default=0, help="dot: pre-shift range B (0: none)")
    p.add_argument("--shift-w", type=int, default=None,
                   help="dot: bits of each lane's shift field (default: what B needs; 0: no shift "
                        "port, every product << B; wider: shifts above B, which the MAC clamps to B)")
    p.add_argument("--dot-random", type=int, default=2000, help="dot: seeded random vectors")


def main(argv: list[str] | None = None) -> int:
    from fp4ref.rtl_tb.sims import SimulatorMissing

    from fp4ref.rtl_tb.process import Terminated, terminate_on_sigterm

    parser = _parser()
    args = parser.parse_args(argv)
    terminate_on_sigterm()          # a simulator's process group dies with fp4ref (rtl_tb/process.py)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        if args.build_dir is not None:
            from fp4ref import paths

            if Path(args.build_dir).exists() and not Path(args.build_dir).is_dir():
                raise ValueError(f"--build-dir: {args.build_dir} exists and is not a folder")
            paths.set_build_dir(args.build_dir)
        status = COMMANDS[args.command](args)
        sys.stdout.flush()          # a full disk or a closed pipe on stdout fails here, not at exit
        return status
    except (ValueError, TypeError, OSError, SimulatorMissing) as err:
        _drop_unwritable_stdout()
        print(f"fp4ref {args.command}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        _drop_unwritable_stdout()
        print(f"fp4ref {args.command}: interrupted", file=sys.stderr)
        return 130
    except Terminated:
        _drop_unwritable_stdout()
        print(f"fp4ref {args.command}: terminated (SIGTERM)", file=sys.stderr)
        return 143
    except Exception as err:     # a bug, not bad input: still one line (FP4REF_DEBUG=1 for the trace)
        if os.environ.get("FP4REF_DEBUG"):
            raise
        _drop_unwritable_stdout()
        print(f"fp4ref {args.command}: internal error ({type(err).__name__}: {err}); "
              "rerun with FP4REF_DEBUG=1 and report it", file=sys.stderr)
        return 3


def _drop_unwritable_stdout() -> None:
    """If stdout cannot take what is still buffered (a full disk, a closed pipe), point it at
    /dev/null, so the interpreter's final flush does not fail again with a second message."""
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass


def cmd_formats(args) -> int:
    from fp4ref.emu import get_format, list_formats
    from fp4ref.emu.presets import ALIASES

    aliases: dict[str, list[str]] = {}
    for alias, name in ALIASES.items():
        aliases.setdefault(name, []).append(alias)
    print(f"{'name':<12} {'E':>2} {'M':>2} {'bias':>5} {'specials':<8} {'sub':<4} {'max':>10}  aliases")
    for name in list_formats():
        f = get_format(name)
        print(f"{name:<12} {f.exp_w:>2} {f.man_w:>2} {f.bias:>5} {f.specials:<8} "
              f"{'yes' if f.subnormals else 'no':<4} {float(f.max_value):>10g}  "
              f"{', '.join(aliases.get(name, []))}")
    from .lookup_cli import list_table
    print(list_table())
    return 0


def cmd_card(args) -> int:
    from fp4ref.emu.lookup import is_lookup

    from .card import format_card
    from .lookup_cli import card

    print(card(args.format) if is_lookup(args.format) else format_card(args.format))
    return 0


def _source_array(args) -> np.ndarray:
    import ml_dtypes

    dtype = ml_dtypes.bfloat16 if args.dtype == "bfloat16" else np.dtype(args.dtype)
    if args.bits:
        width = {"float64": 64, "float32": 32}.get(args.dtype, 16)
        try:
            pats = [int(v, 16) for v in args.values]
        except ValueError:
            raise ValueError(f"--bits: values must be hex bit patterns, got {args.values}") from None
        if any(not 0 <= v < 1 << width for v in pats):
            raise ValueError(f"--bits: {args.dtype} bit patterns are {width} bits wide")
        return np.array(pats, np.dtype(f"uint{width}")).view(dtype)
    out = []
    for v in args.values:
        try:
            out.append(float(v))
        except ValueError:
            raise ValueError(f"{v!r} is not a number") from None
    with np.errstate(over="ignore"):
        return np.array(out, np.float64).astype(dtype)


def cmd_encode(args) -> int:
    from fp4ref.emu import decode, encode, get_format
    from fp4ref.emu.flags import describe
    from fp4ref.emu.lookup import is_lookup

    from . import lookup_cli
    if is_lookup(args.format):
        return lookup_cli.cmd_encode(args, _source_array(args))
    if args.tie:
        raise ValueError("--tie applies to lookup formats (fp4ref formats lists them); float presets "
                         "take --rounding")
    fmt = get_format(args.format)
    x = _source_array(args)
    rand = None
    if args.rand is not None:
        try:
            rand = np.array([int(r, 0) for r in args.rand.split(",")], np.int64)
        except ValueError:
            raise ValueError(f"--rand: expected comma-separated integers, got {args.rand!r}") from None
    codes, flags = encode(x, fmt, rounding=args.rounding, overflow=args.overflow, nan=args.nan,
                          rand=rand, sr_bits=args.sr_bits, flags=True)
    values = decode(codes, fmt)
    bits = x.view(np.dtype(f"uint{x.dtype.itemsize * 8}"))
    print(f"{'input':>24} {'input bits':>18}  {'code':>5}  {'fields':<{fmt.bits + 2}} {'value':>14}  flags")
    for xi, bi, c, v, fl in zip(x, bits, codes, values, flags):
        print(f"{float(xi)!r:>24} {int(bi):#18x}  {int(c):#5x}  {fmt.fields(int(c)):<{fmt.bits + 2}} "
              f"{v:>14.10g}  {describe(int(fl))}")
    return 0


def cmd_decode(args) -> int:
    from fp4ref.emu import decode, get_format, int_map
    from fp4ref.emu.decode import FINITE, decode_int
    from fp4ref.emu.lookup import is_lookup

    from . import lookup_cli
    try:
        codes = np.array([int(c, 0) for c in args.codes], np.int64)
    except ValueError:
        raise ValueError(f"codes must be integers (0x.., 0b.. or decimal), got {args.codes}") from None
    if is_lookup(args.format):
        return lookup_cli.cmd_decode(args, codes)
    fmt = get_format(args.format)
    values = decode(codes, fmt)
    kinds = decode_int(codes, fmt).kind
    print(f"{'code':>5}  {'fields':<{fmt.bits + 2}} {'value':>24}  {'I':>8}")
    for c, v, k in zip(codes, values, kinds):
        i = str(int(int_map([c], fmt)[0])) if k == FINITE else "-"
        print(f"{int(c):#5x}  {fmt.fields(int(c)):<{fmt.bits + 2}} {float(v)!r:>24}  {i:>8}")
    return 0


def cmd_demo(args) -> int:
    from .demo import run_demo

    return run_demo()


def cmd_bench(args) -> int:
    from .bench import run_bench

    if args.size < 1 or args.repeat < 1:
        raise ValueError("--size and --repeat must be positive")
    run_bench(args.size, args.repeat, rtl=not args.no_rtl)
    return 0


def cmd_exhaustive(args) -> int:
    from fp4ref.emu.exhaustive import shards

    from .cluster import executor
    from .exhaustive import coverage, sweep, sweep_grid

    if args.jobs is not None and args.jobs < 1:
        raise ValueError(f"--jobs must be >= 1, got {args.jobs}")
    if args.all:
        with executor(args, args.jobs or 2) as ex:
            return coverage(ex, args.readme)
    if args.readme:
        raise ValueError("--readme writes the coverage table of --all; add --all")
    if args.reference == "grid" and (args.start != 0 or args.stop != 1 << 32):
        raise ValueError("--reference grid sweeps all 2^32 inputs; --start/--stop apply to ml_dtypes")
    parts = shards(args.format, args.rounding, args.reference, args.start, args.stop, args.chunk_bits)
    with executor(args, args.jobs or 1) as ex:
        return (sweep_grid if args.reference == "grid" else sweep)(parts, ex)


def cmd_golden(args) -> int:
    from . import packs

    return {"gen": packs.cmd_gen, "defaults": packs.cmd_defaults, "units": packs.cmd_units,
            "verify": packs.cmd_verify, "tb": packs.cmd_tb}[args.golden_command](args)


def cmd_verify(args) -> int:
    from .verify import cmd_verify_rtl

    if (args.copies is not None and not 1 <= args.copies <= 1024) or args.max_mismatches < 1:
        raise ValueError("--copies must be 1..1024 and --max-mismatches >= 1")
    for flag, value in (("--timeout", args.timeout), ("--stall", args.stall)):
        if value is not None and not value > 0:
            raise ValueError(f"{flag}: must be a positive number of seconds, got {value:g}")
    args.sim_given, args.sim = args.sim is not None, args.sim or "verilator"
    if args.dut:
        if args.unit or args.rtl or args.top or args.param:
            raise ValueError("--dut describes the design: leave out --unit, --rtl, --top and --param")
        if args.convention:
            raise ValueError("--convention: not with --dut yet; give --unit encode, --rtl and --top")
        from .dut import verify_dut
        return verify_dut(args)
    if not (args.unit and args.rtl and args.top):
        raise ValueError("give --dut FILE, or --unit, --rtl and --top (a module with fp4ref's port contract)")
    return cmd_verify_rtl(args)


def cmd_regress(args) -> int:
    from pathlib import Path

    from fp4ref.emu import get_format, list_formats

    from .cluster import executor
    from .regress import regress

    formats = tuple(args.formats.split(",")) if args.formats else tuple(list_formats())
    if args.jobs is not None and args.jobs < 1:
        raise ValueError("--jobs must be >= 1")
    for name in formats:                # an unknown name fails before a cluster starts
        get_format(name)
    sims = tuple(args.sim or ("icarus", "verilator"))
    with executor(args, args.jobs or os.cpu_count() or 2, needs=sims) as ex:
        return regress(formats, sims, Path(args.packs) if args.packs else None, ex, with_mac=not args.no_mac)


def cmd_width(args) -> int:
    from fp4ref.mac import preshift_range, worst_case_width
    from fp4ref.mac.width import SPEC_TABLE, check_accumulator

    if args.table:
        print(f"{'K':>6}  {'X x W':<18} {'no shift':>8} {'pre-shift':>9}   (bits)")
        for k, x, w in SPEC_TABLE:
            plain = worst_case_width(x, w, k).bits
            shifted = worst_case_width(x, w, k, preshift_range(x)).bits
            print(f"{k:>6}  {x + ' x ' + w:<18} {plain:>8} {shifted:>9}")
        return 0
    shift_max = args.shift_max if args.shift_max is not None else (preshift_range(args.x) if args.preshift else 0)
    bound = worst_case_width(args.x, args.w, args.lanes, shift_max)
    if args.acc_w is not None:
        from fp4ref.mac.accumulate import check_acc_w
        check_acc_w(args.acc_w)          # refuse before printing anything
    print(bound.explain())
    if args.acc_w is not None:
        print(check_accumulator(bound, args.acc_w))
    return 0


def cmd_llmfp4(args) -> int:
    from . import llmfp4

    return {"report": llmfp4.cmd_report, "export": llmfp4.cmd_export, "answer": llmfp4.cmd_answer,
            "weight-only": llmfp4.cmd_weight_only}[args.llmfp4_command](args)


def cmd_accuracy(args) -> int:
    from . import accuracy
    return accuracy.cmd_accuracy(args)


def cmd_cost(args) -> int:
    from . import cost
    return cost.cmd_cost(args)


def cmd_badinput(args) -> int:
    from . import badinput
    return badinput.cmd_badinput(args)


def cmd_gptq(args) -> int:
    from . import gptq
    return gptq.cmd_gptq(args)


def cmd_mutate(args) -> int:
    from . import mutate
    return mutate.cmd_mutate(args)


def cmd_dut(args) -> int:
    from . import dut
    return dut.cmd_dut(args)


def cmd_export(args) -> int:
    from . import export
    return export.cmd_export(args)


def cmd_explain(args) -> int:
    from . import explain
    return explain.cmd_explain(args)


def cmd_conventions(args) -> int:
    from . import explain
    return explain.cmd_conventions(args)


def cmd_exhaustive_rtl(args) -> int:
    from . import exhaustive_rtl
    return exhaustive_rtl.cmd_exhaustive_rtl(args)


def cmd_gguf(args) -> int:
    from . import gguf_cli
    return gguf_cli.cmd_gguf(args)


def cmd_layerpack(args) -> int:
    from . import layerpack
    return layerpack.cmd_layerpack(args)


COMMANDS = {"llmfp4": cmd_llmfp4, "width": cmd_width, "regress": cmd_regress, "golden": cmd_golden, "verify": cmd_verify, "formats": cmd_formats, "card": cmd_card, "encode": cmd_encode, "decode": cmd_decode,
            "demo": cmd_demo, "bench": cmd_bench, "exhaustive": cmd_exhaustive,
            "exhaustive-rtl": cmd_exhaustive_rtl, "gguf": cmd_gguf,
            "accuracy": cmd_accuracy, "cost": cmd_cost, "layerpack": cmd_layerpack,
            "badinput": cmd_badinput, "gptq": cmd_gptq, "mutate": cmd_mutate, "dut": cmd_dut,
            "explain": cmd_explain, "conventions": cmd_conventions, "export": cmd_export}


if __name__ == "__main__":
    raise SystemExit(main())
