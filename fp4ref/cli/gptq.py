"""`fp4ref gptq`: GPTQ against RTN on all-MiniLM-L6-v2's Linear layers, per format and bit
width: layer-output error on held-out inputs and sentence-embedding cosine (quant.gptq_experiment)."""
from __future__ import annotations

import argparse
import csv
import io
import json
import platform
import time

from fp4ref.golden.atomic import check_target, write_folder
from fp4ref import paths

from .markers import md_table
from .progress import Progress

COLUMNS = ("format", "bits", "RTN rel. MSE", "GPTQ rel. MSE", "GPTQ act-order rel. MSE",
           "GPTQ/RTN", "GPTQ-AO/RTN", "cos RTN", "cos GPTQ", "cos GPTQ-AO", "GPTQ calib/RTN calib",
           "layers GPTQ > RTN")


def add_parser(sub) -> None:
    a = sub.add_parser(
        "gptq", help="GPTQ vs RTN weight quantization of MiniLM's Linear layers, per format",
        description="Quantize every Linear weight of all-MiniLM-L6-v2 in each format (3- and 4-bit "
        "integer grids and every 4-bit lookup format) with round-to-nearest, GPTQ and GPTQ with "
        "act-order (Hessian from the 48 calibration sentences), one layer at a time, and report the "
        "layer-output MSE on the held-out sentences relative to the float output's mean square "
        "(averaged over the layers), and the sentence-embedding cosine to float32 with all layers "
        "quantized. Writes gptq.md, gptq.csv and gptq.json to --out. Algorithm: docs/gptq.md.")
    a.add_argument("--formats", help="comma-separated formats (default: int3_sym, int3_asym, int4_sym, "
                   "int4_asym, e2m1, e2m1_sr, e2m1_sp, nf4, sf4_nu5, e1m2, e3m0, apot4; 'all' for "
                   "every grid)")
    a.add_argument("--group-size", type=int, default=128,
                   help="columns per scale group, -1 = one group per output channel (default 128)")
    a.add_argument("--act-order", action=argparse.BooleanOptionalAction, default=True,
                   help="also run GPTQ with act-order (default: yes)")
    a.add_argument("--damp", type=float, default=0.01,
                   help="GPTQ damping: fraction of mean(diag H) added to the diagonal, in (0, 1] "
                   "(default 0.01; raised x10 on a failed Cholesky, reported)")
    a.add_argument("--quick", action="store_true",
                   help="3 layers of the first encoder block, 4 formats, 16 sentences for the cosine")
    a.add_argument("--out", default=None, help="output folder (default: gptq/ in the build folder)")


def _formats(text):
    from fp4ref.quant.grids import DEFAULT_FORMATS, grid, grid_names
    if not text:
        return list(DEFAULT_FORMATS)
    if text.strip() == "all":
        return list(grid_names())
    names = [f.strip() for f in text.split(",") if f.strip()]
    if not names:
        raise ValueError("--formats: no format given")
    return [grid(n).name for n in names]


def _fmt(v, spec=".4e"):
    return "-" if v is None else format(v, spec)


def table(rows) -> list[list[str]]:
    out = []
    for r in rows:
        ao = r.rel_mse.get("gptq_ao")
        out.append([r.fmt, str(r.bits), _fmt(r.rel_mse["rtn"]), _fmt(r.rel_mse.get("gptq")), _fmt(ao),
                    _fmt(r.ratio("gptq"), ".3f"), _fmt(None if ao is None else r.ratio("gptq_ao"), ".3f"),
                    _fmt(r.cos_mean.get("rtn"), ".5f"), _fmt(r.cos_mean.get("gptq"), ".5f"),
                    _fmt(r.cos_mean.get("gptq_ao"), ".5f"),
                    _fmt(r.ratio_cal("gptq"), ".3f"),
                    f"{len(r.worse_layers('gptq'))}/{len(r.layer_rel_mse['rtn'])}"])
    return out


def markdown(t: list[list[str]]) -> str:
    return md_table(COLUMNS, t)


def cmd_gptq(args) -> int:
    from fp4ref.quant import gptq_experiment as X

    formats = list(X.QUICK_FORMATS) if args.quick and not args.formats else _formats(args.formats)
    if args.group_size <= 0 and args.group_size != -1:
        raise ValueError(f"--group-size must be positive or -1 (per output channel), got {args.group_size}")
    if not 0 < args.damp <= 1:
        raise ValueError(f"--damp must be in (0, 1], got {args.damp}")
    methods = X.METHODS if args.act_order else ("rtn", "gptq")
    t0 = time.perf_counter()
    layers = list(X.QUICK_LAYERS) if args.quick else None
    sentences = X.HELD_OUT[:16] if args.quick else None
    args.out = args.out or str(paths.build("gptq"))
    check_target(args.out)                     # before the model runs, not after
    prep = X.prepare(layers, sentences=sentences)
    bar = Progress(len(formats) * len(methods) * len(prep.layers), "layers")
    rows = X.run(formats, methods, args.group_size, args.damp, prep,
                 progress=lambda f, m, n: bar.update(1))
    bar.close()
    seconds = time.perf_counter() - t0
    t = table(rows)
    notes = X.hessian_notes(prep, rows)
    g = "per output channel" if args.group_size == -1 else f"group size {args.group_size}"
    head = (f"all-MiniLM-L6-v2, weight-only quantization of {len(prep.layers)} Linear layers, {g}, "
            f"damp {args.damp}, blocksize 128; Hessian from {len(X.CALIBRATION)} calibration "
            f"sentences; rel. MSE = layer-output MSE on {len(X.HELD_OUT)} held-out sentences / mean "
            f"square of the float output, averaged over layers; cosine: sentence embeddings of "
            f"{len(prep.sentences)} held-out sentences, all quantized layers at once, vs float32. "
            f"'GPTQ calib/RTN calib': the same ratio on the calibration inputs; 'layers GPTQ > RTN': "
            f"layers where GPTQ's held-out error exceeds RTN's. Run time {seconds:.0f} s "
            f"({platform.machine()}).\n\n")
    md = head + markdown(t)
    if notes:
        md += "\nHessian notes (damping handles these; no NaN):\n\n" + "".join(f"- {n}\n" for n in notes)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([list(COLUMNS)] + t)
    records = {"settings": {"formats": formats, "methods": list(methods), "group_size": args.group_size,
                            "damp": args.damp, "layers": list(prep.layers), "quick": args.quick,
                            "seconds": round(seconds, 1)},
               "rows": [dict(zip(COLUMNS, r)) for r in t],
               "per_layer_rel_mse": {r.fmt: r.layer_rel_mse for r in rows},
               "calibration_rel_mse": {r.fmt: r.rel_mse_cal for r in rows},
               "hessian_notes": notes}
    files = {"gptq.md": md.encode(), "gptq.csv": buf.getvalue().encode(),
             "gptq.json": (json.dumps(records, indent=1) + "\n").encode()}
    write_folder(args.out, files)
    print(md, end="")
    print(f"(written to {args.out}/gptq.md, .csv, .json)")
    return 0
