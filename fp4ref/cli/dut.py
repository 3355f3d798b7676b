"""`fp4ref dut init|check` and `fp4ref verify --dut FILE`: a user's RTL as it is, described in a
TOML file (docs/byo_rtl.md). The template, parsing, elaboration, the glue and the bench live in
rtl_tb/ (dut_template.py, dut.py, dut_wrapper.py, dut_run.py, bench_dut.py); this module parses,
calls and prints."""
from __future__ import annotations

import sys
from pathlib import Path

from fp4ref import paths
from fp4ref.rtl_tb.dut import TIMINGS, UNITS, timings_of
from fp4ref.rtl_tb.dut_template import template


def add_parser(sub) -> None:
    d = sub.add_parser("dut", help="DUT description files: a template, a check of the mapping",
                       description="A DUT file (TOML) describes your RTL as it is: sources, top, how "
                       "the contract's fields map onto your ports, and its timing (comb, pipeline, "
                       "handshake, accumulate, cycle). `fp4ref verify --dut FILE` runs it. docs/byo_rtl.md.")
    dsub = d.add_subparsers(dest="dut_command", metavar="ACTION", required=True)
    i = dsub.add_parser("init", help="print a commented template")
    i.add_argument("--unit", required=True, choices=list(UNITS))
    i.add_argument("--timing", choices=list(TIMINGS),
                   help="default: comb (cycle for mac_stream, a clocked MAC with state)")
    e = dsub.add_parser("examples", help="run every example of examples/ and its broken variants",
                        description="Every DUT file under examples/ on each simulator it lists: the "
                        "designs must pass, their broken variants must fail with mismatches. Prints "
                        "the vectors per second of each timing kind.")
    e.add_argument("--readme", metavar="FILE", help="also write the table between <!-- fp4ref dut-rates "
                   "--> and <!-- /fp4ref dut-rates --> of FILE (README.md)")
    e.add_argument("--packs", help="pack cache folder (default build/packs)")
    c = dsub.add_parser("check", help="elaborate the design once and check the mapping against its ports")
    c.add_argument("file", help="the DUT file (.toml)")
    c.add_argument("--packs", help="pack cache folder (default build/packs)")


def cmd_dut(args) -> int:
    if args.dut_command == "init":
        print(template(args.unit, args.timing or timings_of(args.unit)[0]), end="")
        return 0
    if args.dut_command == "examples":
        return examples(args)
    from fp4ref.rtl_tb.dut import load
    from fp4ref.rtl_tb.dut_run import port_mapping, prepare

    dut = load(args.file)
    dirs, layout = prepare(dut, Path(args.packs) if args.packs else paths.build("packs"))
    mapped = port_mapping(dut, layout)
    print(f"{dut.top}: elaborated by Verilator, {len(layout.ports)} ports")
    print(f"  {'port':<20} {'dir':<7} {'bits':>5}  mapped to")
    for p in layout.ports.values():
        print(f"  {p.name:<20} {p.direction:<7} {p.width:>5}  {mapped.get(p.name, '-')}")
    print(f"OK: {args.file}: the mapping matches the design; unit {dut.unit}, timing {dut.kind}, "
          f"{len(dirs)} pack{'s' if len(dirs) != 1 else ''}; simulators {', '.join(dut.simulators)}")
    return 0


def verify_dut(args) -> int:
    """`fp4ref verify --dut FILE`: every simulator the file lists (or --sim), one report each."""
    from fp4ref.rtl_tb.dut import load
    from fp4ref.rtl_tb.dut_run import prepare, run_dut
    from fp4ref.rtl_tb.runner import STALL_S
    from fp4ref.rtl_tb.sims import require

    from .verify import explain_run, report
    dut = load(args.dut)
    sims = [args.sim] if args.sim_given else list(dut.simulators)
    for sim in sims:
        require(sim)
    prepared = prepare(dut, Path(args.packs) if args.packs else paths.build("packs"))
    stall = STALL_S if args.stall is None else args.stall
    status = 0
    for sim in sims:
        run = run_dut(dut, sim, None, args.timeout, stall, args.max_mismatches, prepared)
        t = dut.timing
        seeded = dut.kind == "handshake" or (t.get("enable") and t.get("gaps"))     # random gaps
        print(f"== {dut.top} ({dut.path.name}: {dut.unit}, {dut.kind}"
              + (f", seed {t['seed']}: gaps {t['gaps']:g}" + (f", backpressure {t['backpressure']:g}"
                                                             if dut.kind == "handshake" else "")
                 if seeded else "") + f") on {sim} ==")
        print(f"watchdog: {run.limit:g} s for the simulation; stall after {stall:g} s without a vector")
        ok = report(run, dut.top, len(prepared[0]), dut.kind)
        if not ok:
            explain_run(run)
        status |= 0 if ok else 1
    if status:
        print(f"fp4ref verify: {dut.top} fails its {dut.unit} packs ({args.dut})", file=sys.stderr)
    return status


def examples(args) -> int:
    from fp4ref.rtl_tb.dut_run import run_examples

    from .markers import check, md_table, replace
    if args.readme:
        check(args.readme, "dut-rates")
    rows = run_examples(paths.data("examples"), Path(args.packs) if args.packs else paths.build("packs"),
                        progress=lambda r: print(f"  {r['example']:<28} {r['sim']:<9} "
                                                 f"{'FAIL' if not r['passed'] else 'PASS'}"
                                                 f"{'' if r['as_expected'] else '  (NOT AS EXPECTED)'}",
                                                 file=sys.stderr))
    good = [r for r in rows if not r["broken"]]
    table = [[r["example"], r["kind"], r["sim"], f"{r['vectors']:,}", f"{r['rate']:,.0f}",
              "PASS" if r["passed"] else "FAIL"] for r in good]
    broken = [r for r in rows if r["broken"]]
    caught = sum(r["as_expected"] for r in broken)
    text = (f"`fp4ref dut examples`: {len(good)} runs of the {len({r['example'] for r in good})} examples, "
            f"{sum(r['passed'] for r in good)} pass; {caught} of {len(broken)} runs of "
            f"{len({r['example'] for r in broken})} broken variants fail as they must. A vector is one "
            f"pack line: for accumulate 16 code pairs, one per clock; for handshake one transfer with "
            f"seeded 25 % input gaps and 25 % backpressure.\n\n"
            + md_table(("example", "timing", "simulator", "vectors", "vectors/s", "result"), table))
    print(text, end="")
    if args.readme:
        replace(args.readme, "dut-rates", text)
    bad = [r for r in rows if not r["as_expected"]]
    if bad:
        print(f"fp4ref dut examples: error: {len(bad)} runs not as expected: "
              + ", ".join(f"{r['example']} on {r['sim']}" for r in bad), file=sys.stderr)
        return 1
    return 0
