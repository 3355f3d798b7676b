"""`fp4ref mutate`: the mutation campaigns of issue 8 (docs/mutation.md).

RTL (default): mutants of every rtl/ module, each built with Verilator and run through the golden
benches (rtl_tb.mutation). With --python: AST mutants of the emu/ and mac/ model files, each run
against a fixed selection of the property and exhaustive tests in a copy of the package
(rtl_tb.mutation_py). Both print a per-module table (mutants, stillborn, killed, survived,
equivalent, timeout, score = (killed + timeout) / (killed + survived + timeout), proven-equivalent
survivors left out) and write mutation.md and mutation.json to --out. Results are cached per mutant in
build/mutation/, so a second run only runs what changed. The mutants run in local processes
(--jobs), or on a Dask cluster (--scheduler, --cluster; docs/distributed.md).
"""
from __future__ import annotations

import os
import time
from pathlib import Path

from fp4ref import paths


def add_parser(sub) -> None:
    m = sub.add_parser(
        "mutate", help="mutation campaign: RTL mutants through the golden benches (or --python)",
        description=__doc__.split("\n\n", 1)[1])
    m.add_argument("--modules", help="comma-separated modules or patterns (RTL: fp4_encode, "
                   "fp4_lut_*, cost_mul_*; --python: emu/round.py, mac/*); default: all")
    m.add_argument("--max-per-module", type=int, default=None,
                   help="at most N mutants per module, drawn with a fixed seed (default: all)")
    m.add_argument("--sim", choices=["verilator", "icarus"], default="verilator",
                   help="simulator of the RTL campaign (default verilator)")
    m.add_argument("--jobs", type=int, default=None, help="mutants in parallel (default: cores)")
    m.add_argument("--python", action="store_true", help="mutate the Python model instead of the RTL")
    m.add_argument("--ids", help="RTL: only these mutants (comma-separated ids as in the report), e.g. "
                                 "to see a reviewed survivor fail on icarus: --sim icarus --ids "
                                 "fp4_mac:swap:L144:0")
    m.add_argument("--timeout", type=float, default=None,
                   help="seconds per bench run (RTL, default 240) or per mutant (--python, default 120)")
    m.add_argument("--report-only", action="store_true",
                   help="RTL: run nothing; report the cached verdicts, the rest as pending")
    m.add_argument("--readme", metavar="FILE", help="also write the score table between the markers "
                   "<!-- fp4ref mutate-rtl --> (or mutate-python) and its closing marker in FILE (README.md); "
                   "with --modules M, between <!-- fp4ref mutate-rtl M --> and its closing marker")
    m.add_argument("--out", default=None, help="report folder (default: mutation/rtl or "
                   "mutation/python in the build folder)")
    from .cluster import add_options
    add_options(m)


def cmd_mutate(args) -> int:
    modules = [s.strip() for s in args.modules.split(",") if s.strip()] if args.modules else None
    jobs = args.jobs if args.jobs is not None else (os.cpu_count() or 1)
    if jobs < 1:
        raise ValueError("--jobs: must be at least 1")
    if args.max_per_module is not None and args.max_per_module < 1:
        raise ValueError("--max-per-module: must be at least 1")
    if args.timeout is not None and not args.timeout > 0:     # a 0 s limit would "detect" every mutant
        raise ValueError(f"--timeout: must be a positive number of seconds, got {args.timeout}")
    if args.python and (getattr(args, "report_only", False) or getattr(args, "ids", None)):
        raise ValueError("--report-only and --ids apply to the RTL campaign, not to --python")
    # the README section of the whole campaign, or of one --modules selection (named by it)
    name = ("mutate-python" if args.python else "mutate-rtl") + (f" {args.modules.strip()}" if modules else "")
    if args.readme:
        if getattr(args, "ids", None):
            raise ValueError("--readme publishes a campaign's table, not single mutants: drop --ids")
        if modules and ("--" in args.modules or ">" in args.modules):
            raise ValueError(f"--modules {args.modules!r} cannot name a README section (no '--' or '>')")
        from .markers import check
        check(args.readme, name)
    out = Path(args.out) if args.out else paths.build("mutation", "python" if args.python else "rtl")
    from fp4ref.golden.atomic import check_target
    check_target(out)                      # before the campaign, not after an hour of it
    from fp4ref.rtl_tb.campaign import Local

    from .cluster import executor
    t0 = time.time()
    if args.python:
        from fp4ref.rtl_tb import mutation_py

        with executor(args, jobs) as ex:
            rows = mutation_py.run_campaign(modules, args.max_per_module, jobs, out,
                                            args.timeout if args.timeout is not None else 120.0, executor=ex)
    else:
        from fp4ref.rtl_tb import mutation
        from fp4ref.rtl_tb.sims import require

        require(args.sim)
        ids = [s.strip() for s in args.ids.split(",") if s.strip()] if getattr(args, "ids", None) else None
        report_only = getattr(args, "report_only", False)
        # --report-only runs nothing: no cluster to start
        with (Local(jobs) if report_only else executor(args, jobs, needs=(args.sim,))) as ex:
            # banks are a Verilator build-time saving; other simulators build each mutant alone
            rows = mutation.run_campaign(modules, args.max_per_module, args.sim, jobs, out,
                                         args.timeout if args.timeout is not None else 240.0,
                                         report_only=report_only, ids=ids,
                                         bank=args.sim == "verilator", executor=ex)
    print(f"report: {out / 'mutation.md'}")
    if args.readme:
        from fp4ref.rtl_tb.mutation import table_markdown

        from .markers import replace
        total = rows[-1]
        what = ("the Python model (emu/, mac/) against its property and exhaustive tests" if args.python
                else f"every benched RTL module through the golden benches on {args.sim}")
        command = "fp4ref mutate" + (" --python" if args.python else "")
        if modules:
            what = what.replace("every benched RTL module", "the RTL modules") + f" (--modules {args.modules.strip()})"
            command += f" --modules '{args.modules.strip()}'"
        sample = f", at most {args.max_per_module} per module (seeded sample)" if args.max_per_module else ""
        summary = (f"{total['mutants']:,} mutants of {what}{sample}: {total['killed']:,} killed, "
                   f"{total['equivalent']:,} proven equivalent, {total['survived']:,} surviving, "
                   f"{total['stillborn']:,} stillborn (do not compile), {total['timeout']} timeouts"
                   + (f", {total['pending']:,} not run yet" if total.get("pending") else "") + "; "
                   f"score {'-' if total['score'] is None else format(total['score'], '.1%')} ((killed + timeouts) / (killed + surviving + timeouts): a "
                   f"mutant that hangs the checks is detected). "
                   + (f"`{command} --report-only`: the verdicts cached by the campaign's runs."
                      if getattr(args, "report_only", False) and not args.python else
                      f"`{command}`, "
                      f"{total.get('cpu_seconds', 0) / 60:.0f} CPU-minutes of checks (each verdict's time as "
                      f"first measured; this run took {(time.time() - t0) / 60:.0f} min with {ex.workers} "
                      f"job{'s' if ex.workers != 1 else ''}, reusing cached verdicts)."))
        replace(args.readme, name, summary + "\n\n" + table_markdown(rows) + "\n")
    return 0
