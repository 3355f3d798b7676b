"""`fp4ref export c --format NAME --out DIR`: a format's reference model as C (golden/c_export.py
writes the sources); this module parses, calls and prints."""
from __future__ import annotations

from pathlib import Path


def add_parser(sub) -> None:
    import argparse

    x = sub.add_parser("export", help="a format's reference model for other tools (C for DPI-C)",
                       description="Write a format's reference model for use outside Python.")
    xs = x.add_subparsers(dest="export_command", metavar="LANGUAGE", required=True)
    c = xs.add_parser("c", formatter_class=argparse.RawDescriptionHelpFormatter,
                      help="a C header and source: encode (every mode, sr with explicit bits), decode, "
                           "the integer mapping and products",
                      description="""\
Write fp4ref_<format>.h and fp4ref_<format>.c: the format's encoder written in C from
docs/encoding.md (float32 bit patterns in; every deterministic mode, the tie rules of named
conventions, stochastic rounding with explicit random bits; saturate or overflow to Inf/NaN;
the IEEE flags), each code's value as float32, the integer mapping and the product of two
codes, for DPI-C scoreboards in SystemVerilog (`import "DPI-C" function byte unsigned
fp4ref_e2m1_encode(...)`) and C test benches. float16 and bfloat16 inputs widen exactly with
fp4ref_f16_to_f32 and fp4ref_bf16_to_f32. Checked against the model on every float16 and
bfloat16 input in every mode (tests/golden/test_c_export.py); examples/dpi_c/ calls it from a
SystemVerilog testbench under Verilator.""")
    c.add_argument("-f", "--format", required=True, help="an ExMy preset or alias of at most 8 bits")
    c.add_argument("--out", required=True, help="the folder to write (atomically)")


def cmd_export(args) -> int:
    from fp4ref.golden.atomic import check_target, write_folder
    from fp4ref.golden.c_export import sources

    out = Path(args.out)
    files = sources(args.format)
    check_target(out)
    write_folder(out, {k: v.encode() for k, v in files.items()})
    print(f"wrote {out}: " + ", ".join(sorted(files)))
    return 0
