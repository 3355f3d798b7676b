"""`fp4ref accuracy`: RTN weight quantization of all-MiniLM-L6-v2's 37 Linear weights in every
4-bit format (group size 128 and per output channel; block formats at their native block),
sorted by sentence-embedding cosine similarity to the float32 model."""
from __future__ import annotations

import csv
import io
import json

from fp4ref.golden.atomic import check_target, write_folder
from fp4ref import paths

from .markers import md_table
from .progress import Progress

QUICK_FORMATS = ["int4_sym", "e2m1", "e2m1_sr", "e2m1_sp", "nf4", "sf4_nu5", "apot4"]
COLUMNS = ("rank", "scheme", "bits/weight", "weight rel. MSE", "Student-t(5) rel. MSE",
           "cosine mean", "cosine min")


def add_parser(sub) -> None:
    a = sub.add_parser(
        "accuracy", help="RTN weight quantization of MiniLM in every 4-bit format, sorted",
        description="Quantize every Linear weight of all-MiniLM-L6-v2 with round-to-nearest in each "
        "4-bit format (lookup formats with absmax scaling per group of 128 and per output channel; "
        "MXFP4, NVFP4, ggml Q4_0/Q4_1 at their native blocks), run the model in float32 with the "
        "dequantized weights, and report the relative weight MSE, the relative MSE on seeded "
        "Student-t(nu = 5) data, and the sentence-embedding cosine similarity to float32 (96 "
        "sentences). Writes accuracy.md, accuracy.csv and accuracy.json to --out.")
    a.add_argument("--formats", help="comma-separated lookup formats (default: all; see emu.lookup)")
    a.add_argument("--groupings", default="g128,channel", help="g128 and/or channel (default both)")
    a.add_argument("--no-blocks", action="store_true", help="leave out MXFP4, NVFP4, Q4_0, Q4_1")
    a.add_argument("--quick", action="store_true",
                   help=f"{len(QUICK_FORMATS)} formats at g128, 16 sentences (about 20 s)")
    a.add_argument("--out", default=None, help="output folder (default: accuracy/ in the build folder)")


def _table(rows) -> list[list[str]]:
    out = []
    for i, r in enumerate(sorted(rows, key=lambda r: (-r.cos_mean, r.scheme.name)), 1):
        out.append([str(i), r.scheme.name, f"{r.scheme.bits_per_weight:.3f}",
                    f"{r.weight_rel_mse:.4e}", f"{r.t_rel_mse:.4e}", f"{r.cos_mean:.5f}", f"{r.cos_min:.5f}"])
    return out


def markdown(table: list[list[str]]) -> str:
    return md_table(COLUMNS, table)


def cmd_accuracy(args) -> int:
    from fp4ref.quant import rtn
    from fp4ref.quant.sentences import CALIBRATION, HELD_OUT

    if args.quick:
        formats, groupings, blocks, sentences = QUICK_FORMATS, ("g128",), False, HELD_OUT[:16]
    else:
        formats = args.formats.split(",") if args.formats else None
        groupings = tuple(g for g in args.groupings.split(",") if g)
        blocks, sentences = not args.no_blocks, CALIBRATION + HELD_OUT
    schemes = rtn.schemes(formats, groupings, blocks)
    args.out = args.out or str(paths.build("accuracy"))
    check_target(args.out)                     # before the model runs, not after
    bar = Progress(len(schemes), "schemes")
    rows = rtn.run(schemes, sentences, progress=lambda name: bar.update(1))
    bar.close()
    table = _table(rows)
    head = (f"all-MiniLM-L6-v2, RTN weight-only quantization of all 37 Linear layers, float32 "
            f"activations; cosine over {len(sentences)} sentences; Student-t: 2^20 samples, "
            f"nu = 5, seed {rtn.STUDENT_T_SEED}\n\n")
    md = head + markdown(table)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([list(COLUMNS)] + table)
    records = [dict(zip(COLUMNS, r)) for r in table]
    write_folder(args.out, {"accuracy.md": md.encode(), "accuracy.csv": buf.getvalue().encode(),
                            "accuracy.json": (json.dumps(records, indent=1) + "\n").encode()})
    print(md, end="")
    print(f"(written to {args.out}/accuracy.md, .csv, .json)")
    return 0
