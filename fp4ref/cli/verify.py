"""`fp4ref verify`: run the golden benches on a user's RTL module (docs/rtl_contract.md)."""
from __future__ import annotations

import sys
from pathlib import Path

from fp4ref.emu import get_format
from fp4ref.emu.round import MODES, ROUNDINGS
from fp4ref.golden.defaults import overflows
from fp4ref.emu.lookup import lookup_names
from fp4ref.golden.lut_pack import LUT_UNITS, LutPackSpec
from fp4ref.golden.mx_pack import MxPackSpec
from fp4ref.golden.pack import PackSpec, ensure
from fp4ref import paths
from fp4ref.rtl_tb.runner import STALL_S, run_unit
from fp4ref.rtl_tb.sims import require

from .packs import encode_choices, mac_spec_from_args, unit_spec_from_args


def _parse_params(items: list[str]) -> dict[str, int]:
    params = {}
    for item in items:
        name, sep, value = item.partition("=")
        try:
            params[name] = int(value, 0)
        except ValueError:
            raise ValueError(f"--param: expected NAME=INTEGER, got {item!r}") from None
        if not sep or not name.isidentifier():
            raise ValueError(f"--param: expected NAME=INTEGER, got {item!r}")
    return params


def pack_specs(args) -> list:
    if getattr(args, "convention", None) and args.unit not in ("encode", "mx_quant"):
        encode_choices(args, None)                 # the one-line refusal
    spec = unit_spec_from_args(args)
    if spec is not None:
        return [spec]
    if args.unit in ("product", "dot"):
        return [mac_spec_from_args(args)]
    if args.unit == "mx_block":
        return [MxPackSpec()]
    if args.unit in LUT_UNITS:                  # a lookup format (emu.lookup), not a preset
        if not args.format:
            raise ValueError(f"--unit {args.unit} needs --format (a lookup format: {', '.join(lookup_names())})")
        return [LutPackSpec(args.unit, args.format)]
    if not args.format:
        raise ValueError(f"--unit {args.unit} needs --format")
    fmt = get_format(args.format)
    if args.unit == "decode":
        return [PackSpec("decode", fmt)]
    c = encode_choices(args, fmt, rounding_default="all")
    modes = MODES if c["rounding"] == "all" else tuple(c["rounding"].split(","))
    for m in modes:
        if m not in ROUNDINGS or m == "sr" and args.convention:
            raise ValueError(f"--rounding: {m!r} is not one of {', '.join(ROUNDINGS)} (or 'all')")
    policies = overflows(fmt) if c["overflow"] == "all" else (c["overflow"],)
    vector_set = f"level{args.level}" if args.src == "float32" else "exhaustive"
    return [PackSpec("encode", fmt, args.src, m, o, vector_set, nan=c["nan"], signed_zero=c["signed_zero"])
            for m in modes for o in policies]


def report(run, top: str, packs: int, kind: str = "") -> bool:
    """Print one simulator's run: TIMEOUT with its causes, or a row per pack, the first
    mismatches and PASS/FAIL with the rate; True when every vector of every pack matched."""
    if run.timeout:
        t = run.timeout
        print(f"TIMEOUT: {top} on {run.sim}: {t.summary()}\n  {t.causes()}\n  log: {t.log}")
        return False
    print(f"{'pack':<52} {'vectors':>9} {'mismatches':>10}")
    for r in run.results:
        print(f"{r['pack']:<52} {r['count']:>9,} {r['mismatches']:>10,}")
    for r in run.results:
        for line in r.get("first", []):
            print(f"  {r['pack']}: {line}")
    missing = packs - len(run.results)
    ok = run.passed(packs)
    print(f"{'PASS' if ok else 'FAIL'}: {top} on {run.sim}: {run.vectors:,} vectors, {run.mismatches:,} mismatches"
          + (f", {missing} packs not run (stopped early)" if missing else "")
          + f", {run.rate:,.0f} vectors/s{f' ({kind})' if kind else ''}; logs (and waves with WAVES=1) in "
          f"{run.build}")
    if run.error:
        print(f"  the simulator stopped on an error: {run.error}"
              + (" (a combinational loop)" if "converge" in run.error else ""))
    return ok


def explain_run(run, examples: int = 1) -> None:
    """Under a failing run: where every mismatch is, and the diagnosis of each failing pack."""
    from fp4ref.rtl_tb.explain import explain_pack

    for r in run.results:
        if r.get("csv"):
            print(f"{r['pack']}: every mismatch in {r['csv']}")
            for line in explain_pack(Path(r["dir"]), Path(r["csv"]), examples):
                print(f"  {line}")


def cmd_verify_rtl(args) -> int:
    specs = pack_specs(args)                # every check before anything is generated
    params = _parse_params(args.param)
    rtl = [Path(p) for p in args.rtl]
    for p in rtl:
        if not p.is_file():
            raise ValueError(f"--rtl: {p} does not exist")
    require(args.sim)
    root = Path(args.packs) if args.packs else paths.build("packs")
    dirs = [ensure(s, root) for s in specs]
    stall = STALL_S if args.stall is None else args.stall
    if args.engine == "native":
        from fp4ref.rtl_tb.native_tb import run_native
        run = run_native(args.unit, args.sim, dirs, rtl, args.top, params, args.timeout)
        print(f"engine: native (a self-checking testbench per pack, no Python in the simulation; "
              f"`fp4ref golden tb` writes them); limit {run.limit:g} s per pack")
        if not report(run, args.top, len(specs), "native"):
            print(f"fp4ref verify: {args.top} fails the {args.unit} contract (native engine; rerun with "
                  "--engine cocotb for the diagnosis)", file=sys.stderr)
            return 1
        return 0
    run = run_unit(args.unit, args.sim, dirs, rtl=rtl, module=args.top, params=params,
                   copies=args.copies, max_mismatches=args.max_mismatches, timeout=args.timeout,
                   stall=stall)
    how = "set by --timeout" if args.timeout is not None else "default: 60 s + 2 x build + 1 s per 2,000 vectors"
    print(f"watchdog: {run.limit:g} s for the simulation ({how}); stall after {stall:g} s without a vector")
    if run.timeout:
        report(run, args.top, len(specs))
        print(f"fp4ref verify: {args.top} did not finish on {args.sim} ({run.timeout.why})", file=sys.stderr)
        return 1
    if not report(run, args.top, len(specs)):
        explain_run(run)
        what = (args.format if args.unit in ("encode", "decode", *LUT_UNITS) else "E2M1 blocks" if args.unit == "mx_block"
                else specs[0].name if hasattr(specs[0], "options") else f"{args.x} x {args.w}")
        if not params and hasattr(specs[0], "options"):
            from fp4ref.golden import manifest as manifests
            from fp4ref.rtl_tb.contracts import reference_params
            ref = reference_params(manifests.load(dirs[0]))
            print(f"  note: {args.top} got no --param; the reference RTL runs this pack with "
                  + " ".join(f"--param {k}={v}" for k, v in ref.items()))
        print(f"fp4ref verify: {args.top} fails the {args.unit} contract for {what}", file=sys.stderr)
        return 1
    return 0
