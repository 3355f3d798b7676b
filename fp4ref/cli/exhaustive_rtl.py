"""`fp4ref exhaustive-rtl` (`make exhaustive-rtl`): every float32 input through the RTL encoder
on Verilator, with no Python in the loop (rtl_tb.exhaustive). Parsing and printing only."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .progress import Progress

HELP = """Every float32 bit pattern (or the range --start..--stop) through the reference RTL
encoder rtl/fp4_encode.v (or your encoder with --rtl/--top and the same port contract) on
Verilator, compared code and flags with emu.encode's float32 table: the table `make exhaustive`
checks against ml_dtypes and the grid reference on all 2^32 inputs (docs/exhaustive_rtl.md says
why it is a sound oracle). A C++ harness enumerates the inputs itself, 16 encoder copies per
evaluation; the sweep runs in shards of 2^26 inputs whose verdicts are cached under
exhaustive-rtl/ in the build folder, so an interrupted sweep resumes and a finished one re-prints at once.
Overflow saturate, the format's NaN policy as in the encode packs.

  fp4ref exhaustive-rtl -f e2m1 -r rtz                  one mode, all 2^32 inputs
  fp4ref exhaustive-rtl -f e4m3 --start 0x3f000000 --stop 0x40000000
  fp4ref exhaustive-rtl --all --readme README.md         the six runs of `make exhaustive-rtl`

Exit status: 0 with no mismatch, 1 with mismatches (the first ones printed), 2 on bad input."""


def _int(text: str) -> int:
    try:
        return int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r} (decimal or 0x hex)") from None


def add_parser(sub) -> None:
    p = sub.add_parser("exhaustive-rtl", help="every float32 input through the RTL encoder on Verilator",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--all", action="store_true",
                   help="the runs of `make exhaustive-rtl`: E2M1 in rne rna rtz rup rdn, E4M3 in rne")
    p.add_argument("-f", "--format", default="e2m1", help="an ExMy preset (default e2m1)")
    p.add_argument("-r", "--rounding", default="rne", help="rne rna rtz rup rdn (default rne)")
    p.add_argument("--start", type=_int, default=0, help="first bit pattern (a multiple of 16)")
    p.add_argument("--stop", type=_int, default=1 << 32, help="one past the last (default 2^32)")
    p.add_argument("--jobs", type=int, default=2, help="shards run in parallel (default 2)")
    p.add_argument("--rtl", action="append", type=Path, metavar="FILE",
                   help="your encoder's Verilog (repeat per file); default the reference RTL")
    p.add_argument("--top", default="fp4_encode",
                   help="its module name: fp4_encode's ports (a 32-bit float32 x_i, mode_i, rand_i, sat_i, code_o, "
                        "flags_o; docs/rtl_contract.md), one format, no parameters needed")
    p.add_argument("--readme", metavar="FILE", help="--all: also write the table between the markers "
                   "<!-- fp4ref exhaustive-rtl --> ... <!-- /fp4ref exhaustive-rtl --> of FILE")


def cmd_exhaustive_rtl(args) -> int:
    from fp4ref.rtl_tb.exhaustive import RUNS, sweep, table_markdown

    if args.jobs < 1:
        raise ValueError(f"--jobs must be >= 1, got {args.jobs}")
    if args.readme and not args.all:
        raise ValueError("--readme writes the table of --all; add --all")
    if args.all and (args.start != 0 or args.stop != 1 << 32):
        raise ValueError("--all sweeps all 2^32 inputs of each run; --start/--stop apply to one run")
    if args.rtl and args.readme:
        raise ValueError("--readme records the reference RTL's sweep; drop --rtl")
    if args.readme:
        from .markers import check
        check(args.readme, "exhaustive-rtl")
    runs = RUNS if args.all else ((args.format, args.rounding),)
    t0 = time.perf_counter()
    bar = Progress(len(runs) * (args.stop - args.start), f"float32 through {args.top} on Verilator")
    results = []
    for fmt, mode in runs:
        res = sweep(fmt, mode, args.start, args.stop, args.jobs, args.rtl, args.top, progress=bar.update)
        results.append(res)
        for line in res.examples:
            print(f"{fmt} {mode}: {line}", file=sys.stderr)
    wall = bar.close()
    bad = sum(r.mismatches for r in results)
    if args.all:
        text = table_markdown(results, wall, args.jobs)
        print(text)
        if args.readme:
            from .markers import replace
            replace(args.readme, "exhaustive-rtl", text)
    else:
        r = results[0]
        print(f"{'PASS' if not bad else 'FAIL'}: float32 -> {r.fmt} {r.rounding} through {args.top} on verilator: "
              f"{r.inputs:,} inputs ({r.start:#010x}..{r.stop:#010x}), {r.mismatches:,} mismatches, "
              f"{r.seconds:.1f} CPU-s of simulation" + (f" ({r.cached_shards} shards cached)" if r.cached_shards else ""))
    return 1 if bad else 0
