"""Hardware cost of the 4-bit formats with yosys, against their accuracy (`fp4ref cost`).

For each format: the code -> integer decoder (rtl/cost/cost_dec_<name>.v), a one-lane multiplier
(rtl/cost/cost_mul_<name>.v: two codes -> the exact product of their integer mappings) and a MAC
lane (rtl/cost/cost_mac.v: that multiplier + a 24-bit accumulator register) are synthesized with
yosys' generic flow and mapped by ABC onto a small gate set; the cell counts are weighted by the
X1 cell areas of the Nangate 45 nm open cell library into NAND2 equivalents (the area proxy).
Accuracy is llm-datatypes' RTN quantization MSE (emu.lookup_scale.fake_quantize, absmax scale per
group of 128) on seeded Student-t(nu = 5) data and on all 37 Linear weights of all-MiniLM-L6-v2.
Method, weights and the comparison with the papers: docs/cost.md.

A run is plan() (check the formats, find yosys, list the synthesis jobs), measure() (yosys in
parallel, the MSE meanwhile) and report() (table, CSV, JSON, plot, written to the output folder);
the command line (fp4ref/cost.py) parses its options into them and prints.
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from fp4ref.golden.markers import md_table
from fp4ref.rtl_tb import process
from fp4ref import paths

RTL_COST = paths.rtl() / "cost"

# The cost set, in table order, with the names the papers use.
FORMATS = ("int4_full", "e2m1", "e2m1_sr", "e2m1_sp", "e1m2", "e3m0", "apot4", "nf4", "sf4_nu5")
LABELS = {"int4_full": "INT4", "e2m1": "E2M1", "e2m1_sr": "E2M1-SR", "e2m1_sp": "E2M1-SP",
          "e1m2": "E1M2", "e3m0": "E3M0", "apot4": "APoT4", "nf4": "NF4", "sf4_nu5": "SF4"}
REFERENCE = "int4_full"          # the "relative to INT4" column
UNITS = ("dec", "mul", "mac")

# ABC maps onto these gates (NOT is always added); each has an X1 cell in the Nangate library.
GATES = "AND,NAND,OR,NOR,XOR,XNOR,MUX"
# Synthesis recipes. ABC's result depends on the structure it starts from by a few percent, so
# every unit is synthesized with each recipe and the smallest area proxy is reported (the spread
# is kept in the JSON as a measure of the flow's noise).
RECIPES = {
    "synth": "synth -flatten -top {top}; abc -g {gates}; opt_clean",
    "noabc": "synth -flatten -noabc -top {top}; abc -g {gates}; opt_clean",
    "abc2": "synth -flatten -top {top}; abc -g {gates}; opt_clean; abc -g {gates}; opt_clean",
}
QUICK_RECIPES = ("synth",)

# Area proxy. NangateOpenCellLibrary_typical.lib (Nangate 45 nm Open Cell Library, 2011), X1
# drive: every cell is a whole number of placement sites of 0.19 um x 1.4 um = 0.266 um^2.
# Weight = sites; a NAND2_X1 is 3 sites (0.798 um^2), so NAND2 equivalents = sites / 3.
CELL_SITES = {
    "$_NOT_": 2,     # INV_X1    0.532 um^2
    "$_BUF_": 3,     # BUF_X1    0.798
    "$_NAND_": 3,    # NAND2_X1  0.798
    "$_NOR_": 3,     # NOR2_X1   0.798
    "$_AND_": 4,     # AND2_X1   1.064
    "$_OR_": 4,      # OR2_X1    1.064
    "$_XOR_": 6,     # XOR2_X1   1.596
    "$_XNOR_": 6,    # XNOR2_X1  1.596
    "$_MUX_": 7,     # MUX2_X1   1.862
    "$_DFF_P_": 17,  # DFF_X1    4.522
}
NAND2_SITES = 3
SITE_UM2 = Fraction(266, 1000)
ACC_BITS = 24                    # cost_mac.v's accumulator

GROUP_SIZE = 128
STUDENT_T_NU = 5.0
STUDENT_T_SAMPLES = 1 << 20
QUICK_T_SAMPLES = 1 << 16
QUICK_MINILM_LINEARS = 6         # --quick: the first encoder layer's Linear weights only

# LLM-FP4 Table 6 (TSMC 40 nm, Cadence Genus, um^2; ../shared/spec/llm-fp4.md) and the
# llm-datatypes claim (formats.md §5.7).
LLMFP4_TABLE6 = {"INT4": {"adder": 93, "multiplier": 182, "MAC": 410},
                 "E2M1": {"adder": 111, "multiplier": 92, "MAC": 443}}
SUPERNORMAL_AREA_CLAIM = 0.0122

INSTALL_HINT = "run `make setup` (it installs the Debian package) or `sudo apt-get install yosys`"


# ------------------------------------------------------------------------------------ yosys

def find_yosys() -> str:
    """Path of the yosys binary; ValueError naming the install command when it is missing."""
    path = shutil.which("yosys")
    if path is None:
        raise ValueError(f"yosys is not installed: {INSTALL_HINT}")
    return path


def yosys_version(yosys: str) -> str:
    return (process.capture([yosys, "-V"], 60).stdout or "").strip()


def unit_files(unit: str, fmt: str) -> tuple[list[Path], str, list[str]]:
    """(Verilog files, top module, read_verilog defines) of one unit of one format."""
    if unit == "dec":
        return [RTL_COST / f"cost_dec_{fmt}.v"], f"cost_dec_{fmt}", []
    if unit == "mul":
        return [RTL_COST / f"cost_mul_{fmt}.v"], f"cost_mul_{fmt}", []
    if unit == "mac":
        return ([RTL_COST / "cost_mac.v", RTL_COST / f"cost_mul_{fmt}.v"], "cost_mac",
                [f"-DCOST_MUL=cost_mul_{fmt}"])
    raise ValueError(f"unknown unit {unit!r}; choose one of {', '.join(UNITS)}")


def yosys_script(files, top: str, recipe: str, defines=(), netlist: Path | None = None) -> str:
    """The yosys script of one synthesis run; it ends by printing `stat` on stdout (and, with
    `netlist`, first writes the mapped netlist there as Verilog: the tests simulate it)."""
    read = " ".join(["read_verilog", *defines, *(str(f) for f in files)])
    write = f"write_verilog -noattr {netlist}; " if netlist else ""
    return f"{read}; {RECIPES[recipe].format(top=top, gates=GATES)}; {write}tee -o /dev/stdout stat"


def run_yosys(yosys: str, script: str, what: str) -> dict[str, int]:
    """Run one script (yosys -q), return the cell counts of its `stat`."""
    res = process.capture([yosys, "-q", "-p", script], 300)
    if res.timed_out:
        raise ValueError(f"yosys on {what}: {res.timed_out}")
    if res.returncode != 0:
        lines = [ln for ln in (res.stderr + res.stdout).splitlines() if ln.strip()]
        raise ValueError(f"yosys failed on {what}: {lines[-1] if lines else f'exit {res.returncode}'}")
    return parse_stat(res.stdout)


def parse_stat(text: str) -> dict[str, int]:
    """Cell counts by type from yosys `stat` text (the last module printed), checked against
    its "Number of cells" total."""
    blocks = re.split(r"(?m)^\s*=== ", text)
    if len(blocks) < 2:
        raise ValueError("no `=== module ===` section in the yosys stat output")
    lines = blocks[-1].splitlines()
    total, cells = None, {}
    for ln in lines[1:]:
        parts = ln.split()
        if ln.strip().startswith("Number of cells:"):
            total = int(parts[-1])
        elif total is not None and len(parts) == 2 and parts[1].isdigit():
            cells[parts[0]] = int(parts[1])
        elif total is not None and parts:
            break                                  # past the cell list (hierarchy, area lines)
    if total is None:
        raise ValueError("no `Number of cells:` line in the yosys stat output")
    if sum(cells.values()) != total:
        raise ValueError(f"yosys stat: cell types add up to {sum(cells.values())}, not {total}")
    return dict(sorted(cells.items()))


def area_sites(cells: dict[str, int]) -> int:
    """Area in Nangate45 placement sites (0.266 um^2); ValueError for a cell type without a weight."""
    unknown = sorted(set(cells) - set(CELL_SITES))
    if unknown:
        raise ValueError(f"no area weight for yosys cell type(s) {', '.join(unknown)}")
    return sum(CELL_SITES[c] * n for c, n in cells.items())


def nand2_eq(cells: dict[str, int]) -> float:
    """The area proxy: NAND2 equivalents (sites / 3)."""
    return area_sites(cells) / NAND2_SITES


def synthesize_all(yosys: str, jobs: list[tuple[str, str, str]], progress=None, meanwhile=None):
    """{(unit, fmt, recipe): cells} for every job, run in parallel (one yosys per core); with
    `meanwhile`, that callable runs in this thread while yosys works: returns (runs, its result)."""
    def one(job):
        unit, fmt, recipe = job
        files, top, defines = unit_files(unit, fmt)
        cells = run_yosys(yosys, yosys_script(files, top, recipe, defines), f"{top} ({fmt}, {recipe})")
        if progress:
            with lock:
                progress(job)
        return job, cells

    lock = threading.Lock()
    with ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
        futures = [pool.submit(one, job) for job in jobs]
        other = meanwhile() if meanwhile else None
        runs = dict(f.result() for f in futures)
    return (runs, other) if meanwhile else runs


# ------------------------------------------------------------------------------------ accuracy

def pareto_front(costs, errors) -> list[int]:
    """Indices of the points no other point dominates (<= in both cost and error, < in one),
    minimizing both; ascending cost, then error, then index."""
    pts = list(zip(costs, errors))
    keep = [i for i, (c, e) in enumerate(pts)
            if not any(c2 <= c and e2 <= e and (c2 < c or e2 < e) for c2, e2 in pts)]
    return sorted(keep, key=lambda i: (pts[i][0], pts[i][1], i))


def mse(w, fmt: str) -> tuple[float, int]:
    """(sum of squared errors, element count) of RTN fake quantization at GROUP_SIZE."""
    import numpy as np

    from fp4ref.emu.lookup_scale import fake_quantize
    d = fake_quantize(w, fmt, GROUP_SIZE).astype(np.float64) - np.asarray(w, dtype=np.float64)
    return float(np.sum(d * d)), int(d.size)


def minilm_weights(quick: bool):
    from fp4ref.quant import minilm
    model, _ = minilm.load()
    names = minilm.linear_names(model)
    if quick:
        names = names[:QUICK_MINILM_LINEARS]
    return [model.get_submodule(n).weight.detach().numpy().astype("float32") for n in names]


def accuracy(formats, seed: int, quick: bool) -> dict[str, dict[str, float]]:
    """{fmt: {"student_t": MSE, "minilm": MSE}}."""
    from fp4ref.quant.rtn import student_t
    t = student_t(QUICK_T_SAMPLES if quick else STUDENT_T_SAMPLES, STUDENT_T_NU, seed)
    ws = minilm_weights(quick)
    out = {}
    for fmt in formats:
        s_t, n_t = mse(t, fmt)
        parts = [mse(w, fmt) for w in ws]
        out[fmt] = {"student_t": s_t / n_t,
                    "minilm": sum(p[0] for p in parts) / sum(p[1] for p in parts)}
    return out


# ------------------------------------------------------------------------------------ report

COLUMNS = ("format", "dec cells", "mul cells", "MAC cells", "mul area", "MAC area",
           "mul / INT4", "MAC / INT4", "MSE Student-t(5)", "MSE MiniLM", "Pareto")


def _rows(formats, best, acc):
    ref_mul = best[("mul", REFERENCE)]["nand2"]
    ref_mac = best[("mac", REFERENCE)]["nand2"]
    areas = [best[("mul", f)]["nand2"] for f in formats]
    front_t = pareto_front(areas, [acc[f]["student_t"] for f in formats])
    front_m = pareto_front(areas, [acc[f]["minilm"] for f in formats])
    table = []
    for i, f in enumerate(formats):
        mark = ", ".join(s for s, front in (("t", front_t), ("MiniLM", front_m)) if i in front)
        table.append([LABELS[f], str(best[("dec", f)]["count"]), str(best[("mul", f)]["count"]),
                      str(best[("mac", f)]["count"]), f"{best[('mul', f)]['nand2']:.1f}",
                      f"{best[('mac', f)]['nand2']:.1f}",
                      f"{best[('mul', f)]['nand2'] / ref_mul:.3f}",
                      f"{best[('mac', f)]['nand2'] / ref_mac:.3f}",
                      f"{acc[f]['student_t']:.4e}", f"{acc[f]['minilm']:.4e}", mark or "-"])
    return table, front_t, front_m


def comparison(best) -> dict:
    """The ratios docs/cost.md compares with LLM-FP4 Table 6 and the llm-datatypes claim."""
    def a(unit, f):
        return best[(unit, f)]["nand2"]

    out = {"llmfp4_table6": {
        "E2M1/INT4 multiplier": LLMFP4_TABLE6["E2M1"]["multiplier"] / LLMFP4_TABLE6["INT4"]["multiplier"],
        "E2M1/INT4 MAC": LLMFP4_TABLE6["E2M1"]["MAC"] / LLMFP4_TABLE6["INT4"]["MAC"]},
        "supernormal_claim": SUPERNORMAL_AREA_CLAIM}
    if ("mul", "e2m1") in best:
        out["ours"] = {"E2M1/INT4 multiplier": a("mul", "e2m1") / a("mul", REFERENCE),
                       "E2M1/INT4 MAC": a("mac", "e2m1") / a("mac", REFERENCE)}
        for v in ("e2m1_sr", "e2m1_sp"):
            if ("mul", v) in best:
                for unit in ("dec", "mul", "mac"):
                    out["ours"][f"{LABELS[v]}/E2M1 {unit} overhead"] = a(unit, v) / a(unit, "e2m1") - 1
    return out


def markdown(header: str, table, cmp: dict) -> str:
    lines = [header, "", md_table(COLUMNS, table)]
    paper = cmp["llmfp4_table6"]
    if "ours" in cmp:
        ours = cmp["ours"]
        lines.append(f"E2M1 / INT4: multiplier lane {ours['E2M1/INT4 multiplier']:.3f}, MAC lane "
                     f"{ours['E2M1/INT4 MAC']:.3f} (LLM-FP4 Table 6: multiplier "
                     f"{paper['E2M1/INT4 multiplier']:.3f}, MAC {paper['E2M1/INT4 MAC']:.3f}).")
        for v in ("E2M1-SR", "E2M1-SP"):
            if f"{v}/E2M1 mul overhead" in ours:
                lines.append(f"{v} over E2M1: decoder {100 * ours[f'{v}/E2M1 dec overhead']:+.1f}%, "
                             f"multiplier lane {100 * ours[f'{v}/E2M1 mul overhead']:+.1f}%, MAC lane "
                             f"{100 * ours[f'{v}/E2M1 mac overhead']:+.1f}% (llm-datatypes: "
                             f"{100 * cmp['supernormal_claim']:+.2f}% area).")
    return "\n".join(lines) + "\n"


# label placement (points) for the formats that sit close together on the plot
LABEL_OFFSETS = {"int4_full": (6, 5), "e2m1": (6, -12), "apot4": (-7, 3), "nf4": (-8, -3),
                 "sf4_nu5": (-8, -3)}


def plot_png(formats, best, acc, fronts) -> bytes:
    """MSE (log) against the multiplier lane's area proxy, one panel per dataset, Pareto front
    marked; deterministic PNG bytes (no metadata)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import NullFormatter

    fig = Figure(figsize=(11, 4.6), dpi=110)
    FigureCanvasAgg(fig)
    x = [best[("mul", f)]["nand2"] for f in formats]
    for k, (key, title) in enumerate((("student_t", "Student-t (nu = 5)"),
                                      ("minilm", "all-MiniLM-L6-v2 Linear weights"))):
        ax = fig.add_subplot(1, 2, k + 1)
        y = [acc[f][key] for f in formats]
        front = fronts[key]
        on = set(front)
        ax.scatter([x[i] for i in range(len(x)) if i not in on], [y[i] for i in range(len(y)) if i not in on],
                   facecolors="none", edgecolors="tab:gray", s=46, label="dominated")
        ax.scatter([x[i] for i in front], [y[i] for i in front], color="tab:red", s=46, zorder=3,
                   label="Pareto front")
        fx, fy = [x[i] for i in front], [y[i] for i in front]
        ax.step(fx, fy, where="post", color="tab:red", lw=1.2, zorder=2)
        for i, f in enumerate(formats):
            dx, dy = LABEL_OFFSETS.get(f, (7, -3))
            ax.annotate(LABELS[f], (x[i], y[i]), textcoords="offset points", fontsize=8,
                        ha="right" if dx < 0 else "left", xytext=(dx, dy))
        ax.set_xscale("log")
        ax.set_yscale("log")
        ticks = [t for t in (50, 70, 100, 150, 200, 300, 500, 700, 1000, 1500, 2000)
                 if min(x) / 1.3 <= t <= max(x) * 1.3]
        ax.set_xticks(ticks, [str(t) for t in ticks])
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel("multiplier lane area (NAND2 equivalents)")
        ax.set_ylabel(f"RTN MSE, absmax per group of {GROUP_SIZE}")
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(loc="upper right", fontsize=8)
    fig.suptitle("RTN quantization MSE vs one-lane multiplier area (yosys generic synth + ABC, "
                 "Nangate45 X1 cell areas)", fontsize=10)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


# ------------------------------------------------------------------------------------ run

def select_formats(spec: str | None) -> list[str]:
    """The cost-set formats named in a comma-separated ``spec`` (all when empty), in table order,
    without duplicates; ValueError naming the unknown ones."""
    if not spec:
        return list(FORMATS)
    names = [s.strip().lower().replace("-", "_") for s in spec.split(",") if s.strip()]
    bad = [n for n in names if n not in FORMATS]
    if bad or not names:
        raise ValueError(f"--formats: {', '.join(map(repr, bad)) or 'empty'} not in the cost set "
                         f"({', '.join(FORMATS)})")
    return [f for f in FORMATS if f in names]          # table order, no duplicates


@dataclass(frozen=True)
class Plan:
    """One run, before any synthesis: what is measured, with which yosys and recipes."""
    formats: list[str]               #: the table's formats
    quick: bool
    seed: int                        #: Student-t seed
    yosys: str                       #: path of the binary
    version: str                     #: its `yosys -V`
    recipes: tuple[str, ...]
    synth_formats: list[str]         #: formats + the reference (the ratios need it)
    jobs: list[tuple[str, str, str]]  #: (unit, format, recipe) of every synthesis run


def plan(formats: str | None = None, quick: bool = False, seed: int | None = None) -> Plan:
    """Check the formats (ValueError), find yosys (ValueError naming the install command) and list
    the jobs. ``seed`` None: quant.rtn's Student-t seed."""
    from fp4ref.quant.rtn import STUDENT_T_SEED

    fmts = select_formats(formats)
    seed = STUDENT_T_SEED if seed is None else int(seed)
    yosys = find_yosys()
    version = yosys_version(yosys)
    recipes = QUICK_RECIPES if quick else tuple(RECIPES)
    synth_formats = fmts if REFERENCE in fmts else [REFERENCE] + fmts
    jobs = [(u, f, r) for f in synth_formats for u in UNITS for r in recipes]
    return Plan(fmts, quick, seed, yosys, version, recipes, synth_formats, jobs)


def measure(p: Plan, progress=None):
    """(best, acc): per (unit, format) the recipe of smallest area with its cells, count, sites,
    NAND2 equivalents and every recipe's count and sites; per format its MSEs (accuracy()).
    ``progress(job)`` is called (under a lock) after each yosys run."""
    runs, acc = synthesize_all(p.yosys, p.jobs, progress=progress,
                               meanwhile=lambda: accuracy(p.formats, p.seed, p.quick))
    best = {}
    for u in UNITS:
        for f in p.synth_formats:
            per = {r: runs[(u, f, r)] for r in p.recipes}
            sites = {r: area_sites(c) for r, c in per.items()}
            pick = min(p.recipes, key=lambda r: (sites[r], sum(per[r].values()), p.recipes.index(r)))
            best[(u, f)] = {"recipe": pick, "cells": per[pick], "count": sum(per[pick].values()),
                            "sites": sites[pick], "nand2": sites[pick] / NAND2_SITES,
                            "per_recipe": {r: {"count": sum(per[r].values()), "sites": sites[r]}
                                           for r in p.recipes}}
    return best, acc


def report(p: Plan, best, acc, out_dir: Path, plot: bool = True) -> tuple[str, list[str]]:
    """Write cost.md, cost.csv, cost.json and (with ``plot``) cost.png to ``out_dir`` (atomically,
    golden.atomic); returns (the cost.md text, the names written)."""
    formats, quick, seed, recipes = p.formats, p.quick, p.seed, p.recipes
    table, front_t, front_m = _rows(formats, best, acc)
    cmp = comparison(best)

    n_t = QUICK_T_SAMPLES if quick else STUDENT_T_SAMPLES
    header = (f"{p.version}; script per unit: read_verilog; <recipe>; stat, recipes "
              f"{', '.join(recipes)} (smallest area kept); ABC gates {GATES},NOT. Area proxy: NAND2 "
              f"equivalents from Nangate45 X1 cell areas (docs/cost.md); MAC = multiplier + "
              f"{ACC_BITS}-bit accumulator register. MSE: RTN, absmax per group of {GROUP_SIZE}; "
              f"Student-t nu = 5, {n_t} samples, seed {seed}; all-MiniLM-L6-v2 "
              f"{QUICK_MINILM_LINEARS if quick else 37} Linear weights. Pareto: on multiplier "
              f"area vs MSE (t = Student-t).{' QUICK run.' if quick else ''}")
    md = markdown(header, table, cmp)

    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([list(COLUMNS)] + table)
    record = {
        "yosys": p.version, "gates": GATES + ",NOT", "recipes": {r: RECIPES[r] for r in recipes},
        "cell_sites": CELL_SITES, "nand2_sites": NAND2_SITES, "site_um2": float(SITE_UM2),
        "acc_bits": ACC_BITS, "group_size": GROUP_SIZE, "student_t": {"nu": STUDENT_T_NU,
                                                                       "samples": n_t, "seed": seed},
        "minilm_linears": QUICK_MINILM_LINEARS if quick else 37, "quick": quick,
        "formats": [{"name": f, "label": LABELS[f],
                     **{u: best[(u, f)] for u in UNITS},
                     "mse": acc[f] if f in acc else None} for f in p.synth_formats],
        "pareto": {"student_t": [formats[i] for i in front_t], "minilm": [formats[i] for i in front_m]},
        "comparison": cmp,
    }
    files = {"cost.md": md.encode(), "cost.csv": buf.getvalue().encode(),
             "cost.json": (json.dumps(record, indent=1, sort_keys=True) + "\n").encode()}
    if plot:
        files["cost.png"] = plot_png(formats, best, acc, {"student_t": front_t, "minilm": front_m})
    from fp4ref.golden.atomic import write_folder
    write_folder(out_dir, files)
    return md, list(files)
