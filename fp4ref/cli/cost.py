"""`fp4ref cost`: hardware cost of the 4-bit formats with yosys, against their accuracy.

The command line only: its options, the calls into hw.cost (plan, measure, report: the synthesis,
the area proxy, the MSE and the written folder) and what it prints. Method: docs/cost.md.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

from fp4ref import paths
from fp4ref.hw import cost

from .progress import Progress


def add_parser(subparsers) -> None:
    c = subparsers.add_parser(
        "cost", help="hardware cost (yosys) of each format's decoder, multiplier and MAC vs accuracy",
        description="Synthesize each format's code -> integer decoder, one-lane multiplier and MAC "
        "lane (multiplier + 24-bit accumulator) from rtl/cost/ with yosys (generic synth, ABC onto "
        f"{cost.GATES},NOT; the smallest of {len(cost.RECIPES)} recipes), weight the cells by Nangate45 X1 "
        "areas into NAND2 equivalents, and set them against the RTN quantization MSE on Student-t "
        "(nu = 5) data and on all-MiniLM-L6-v2's Linear weights (group size 128). Writes cost.md, "
        "cost.csv, cost.json and cost.png (MSE vs area, Pareto front) to --out. Method: docs/cost.md.")
    c.add_argument("--out", default=None, help="output folder (default: cost/ in the build folder)")
    c.add_argument("--formats", help=f"comma-separated subset of {','.join(cost.FORMATS)} (default: all)")
    c.add_argument("--no-plot", action="store_true", help="skip cost.png")
    c.add_argument("--quick", action="store_true",
                   help=f"one synthesis recipe, 2^16 Student-t samples, MiniLM's first "
                   f"{cost.QUICK_MINILM_LINEARS} Linear weights")
    c.add_argument("--seed", type=int, default=None, help="Student-t seed (default quant.rtn's)")


def cmd_cost(args) -> int:
    start = time.perf_counter()
    p = cost.plan(getattr(args, "formats", None), bool(getattr(args, "quick", False)),
                  getattr(args, "seed", None))
    out_dir = Path(getattr(args, "out", None) or paths.build("cost"))
    print(f"fp4ref cost: {p.version}; {len(p.jobs)} synthesis runs ({len(p.synth_formats)} formats x "
          f"{len(cost.UNITS)} units x {len(p.recipes)} recipes)", file=sys.stderr)
    print(f"fp4ref cost: meanwhile, quantization MSE (Student-t nu = 5, seed {p.seed}; "
          f"all-MiniLM-L6-v2)", file=sys.stderr)
    bar = Progress(len(p.jobs), "yosys runs")
    best, acc = cost.measure(p, progress=lambda job: bar.update(1))
    bar.close()
    md, names = cost.report(p, best, acc, out_dir, plot=not getattr(args, "no_plot", False))
    print(md, end="")
    print(f"(written to {out_dir}: {', '.join(names)}; "
          f"{time.perf_counter() - start:.1f} s)")
    return 0
