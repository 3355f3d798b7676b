"""`make demo`: the E2M1 format card, a sample tensor through encode, pack and decode, the MAC width
answer, LLM-FP4, lookup and block formats, the packs through the RTL, cost, accuracy, GPTQ and
a real-layer pack."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from fp4ref.emu import decode, encode, get_format, int_map, pack_x2
from fp4ref.emu.flags import describe

from fp4ref.golden import manifest
from fp4ref import paths

from .card import format_card

SEED = 20261124


def run_demo(build: Path | None = None) -> int:
    """Everything `make demo` shows; every output folder (packs, cost, accuracy-quick, gptq-quick,
    layerpack) under ``build``, by default the build folder (re-runnable into it)."""
    build = build or paths.build_dir()
    show_encoding()
    show_mac()
    show_llmfp4()
    show_lookup()
    print("\n== golden packs and the reference RTL on both simulators ==")
    from fp4ref.golden.defaults import DEMO_FORMATS

    from .regress import regress
    status = regress(DEMO_FORMATS, root=build / "packs")
    show_pack(build / "packs" / "encode-e2m1-bfloat16-rne-saturate")
    status |= write_outputs(build)
    return status


#: the demo's steps that write output folders: a title and an fp4ref command line each ({build}:
#: the build folder). tests/test_rerun.py runs each twice into one folder, as `make demo` twice does.
WRITING_STEPS = (
    ("hardware cost of the 4-bit formats (yosys) against their RTN error",
     ("cost", "--out", "{build}/cost")),
    ("RTN weight quantization of all-MiniLM-L6-v2 (quick; `fp4ref accuracy` runs all formats)",
     ("accuracy", "--quick", "--out", "{build}/accuracy-quick")),
    ("GPTQ vs RTN on all-MiniLM-L6-v2 (quick: 3 layers, 4 formats; `fp4ref gptq` runs all)",
     ("gptq", "--quick", "--out", "{build}/gptq-quick")),
    ("a GPTQ-quantized real layer on the MAC (`fp4ref layerpack`)",
     ("layerpack", "--layer", "encoder.layer.0.attention.self.query", "--tokens", "4", "--sim", "icarus",
      "--sim", "verilator", "--out", "{build}/layerpack")),
)


def step_argv(argv, build: Path) -> list[str]:
    return [a.replace("{build}", str(build)) for a in argv]


def write_outputs(build: Path) -> int:
    """The demo's steps that write output folders under ``build``, as the command line runs them."""
    from . import main
    status = 0
    for title, argv in WRITING_STEPS:
        print(f"\n== {title} ==")
        status |= main(step_argv(argv, build))
    return status


def show_lookup() -> None:
    """Supernormal E2M1 (the -0 code carries +8 or +5) and the llama.cpp zero question."""
    from fp4ref.emu import block
    from fp4ref.emu.lookup import decode as lut_decode, encode as lut_encode
    print("\n== supernormal E2M1, lookup formats, block formats (docs/lookup.md, docs/block.md) ==")
    x = np.array([-6.0, -0.25, 0.25, 2.5, 4.5, 5.0, 5.5, 7.0, 9.0], dtype=np.float32)
    print("  x (already scaled)     :", " ".join(f"{v:6g}" for v in x))
    for name in ("e2m1", "e2m1_sr", "e2m1_sp", "nf4"):
        c = lut_encode(x / (6 if name == "nf4" else 1), name)
        v = lut_decode(c, name) * (6 if name == "nf4" else 1)
        print(f"  {name:<8} codes / values:", " ".join(f"{int(k):04b}" for k in c), "/",
              " ".join(f"{float(u):g}" for u in v))
    print("  (ties to the lower neighbour, llm-datatypes' rule; e2m1 uses RNE; code 1000 is +8 in\n"
          "   E2M1-SR and +5 in E2M1-SP; NF4 scaled by 6 for the comparison)")
    row = np.zeros(32, dtype=np.float32)
    row[:4] = [-1.25, 0.0, -0.012, 3.5]
    q0 = block.dequantize_row_q4_0(block.quantize_row_q4_0(row))
    q1 = block.dequantize_row_q4_1(block.quantize_row_q4_1(row))
    print(f"  llama.cpp: does 0.0 survive? block [-1.25, 0, -0.012, 3.5, 0 ...]: Q4_0 gives "
          f"{float(q0[1])!r}, Q4_1 gives {float(q1[1])!r} (its grid is min + k*d)")


def show_pack(path) -> None:
    """What a pack looks like: its manifest's layout and its first vectors."""
    record = manifest.load(path)
    shown = path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path
    print(f"\none pack, {shown}: {record['count']:,} vectors, manifest.json says")
    print("  line layout (MSB first): " + " | ".join(
        f"{f['name']} [{f['lsb'] + 4 * f['hex_digits'] - 1}:{f['lsb']}] {f['role']}" for f in record["fields"]))
    hex_lines = (path / "vectors.hex").read_text().splitlines()
    json_lines = (path / "vectors.jsonl").read_text().splitlines()
    for i in (0x3F40, 0x3FA0, 0x4020):     # bfloat16 0.75, 1.25 and 2.5: three ties
        print(f"  vectors.hex line {i + 1:>5}: {hex_lines[i]}    vectors.jsonl: {json_lines[i]}")


def show_llmfp4() -> None:
    """LLM-FP4 W4A4 on all-MiniLM-L6-v2 and on SmolLM2-135M (quick searches), and two of the users'
    questions."""
    from fp4ref.quant.answers import answer_b, answer_c

    from . import _parser
    from .llmfp4 import cmd_report

    def report(*argv: str) -> None:          # as the command line parses it: every option's default
        cmd_report(_parser().parse_args(["llmfp4", "report", "--quick", "--calib", "32", *argv]))

    print("\n== LLM-FP4 on all-MiniLM-L6-v2 (quick search; `fp4ref llmfp4 report` runs the full one) ==")
    report()
    print(answer_b())
    print(answer_c())
    print("\n== LLM-FP4 on SmolLM2-135M, a LLaMA-architecture LLM, by perplexity (quick: 2,048 tokens, FPQ n = 10, "
          "1 round; `fp4ref llmfp4 report --model smollm2` runs 20,480 tokens and the full search) ==")
    report("--model", "smollm2")


def show_mac() -> None:
    """The LLM-FP4 users' 13-bit accumulator question, answered by the width analysis."""
    from fp4ref.mac import worst_case_width
    from fp4ref.mac.width import check_accumulator
    print("\n== a 16-lane E2M1 MAC with a 13-bit accumulator (llm-fp4.md §6d) ==")
    for shift_max in (0, 3):
        bound = worst_case_width("e2m1", "e2m1", 16, shift_max)
        print(bound.explain())
        print(check_accumulator(bound, 13))


def show_encoding() -> None:
    fmt = get_format("e2m1")
    print(format_card(fmt))
    rng = np.random.default_rng(SEED)
    x = (rng.standard_normal((2, 8)) * 2.5).astype(np.float32)
    x[0, :4] = [0.25, 2.5, -0.0, 7.0]           # a tie to zero, a tie to even, -0, saturation
    codes, flags = encode(x, fmt, flags=True)
    print(f"\nsample tensor (float32, seed {SEED}) -> e2m1, RNE, saturating")
    print("  x       :", np.array2string(x, precision=4, max_line_width=120, prefix="  x       : "))
    print("  codes   :", " | ".join(" ".join(f"{c:x}" for c in row) for row in codes))
    print("  packed  :", " | ".join(" ".join(f"{b:02x}" for b in row) for row in pack_x2(codes, fmt)),
          "  (x2 per byte, first element in the low nibble)")
    print("  decoded :", np.array2string(decode(codes, fmt), max_line_width=120, prefix="  decoded : "))
    print("  I(code) :", np.array2string(int_map(codes, fmt), max_line_width=120, prefix="  I(code) : "),
          f"  (value = I * 2^{fmt.int_unit_exp})")
    print("  flags   :", " | ".join(" ".join(f"{f:x}" for f in row) for row in flags),
          "  (1 inexact, 2 underflow, 4 overflow, 8 invalid; e.g. 3 = " + describe(3) + ")")
