"""`fp4ref dut init|check` and `fp4ref verify --dut FILE`: a user's RTL as it is, described in a
TOML file (docs/byo_rtl.md). Parsing, elaboration, the glue and the bench live in rtl_tb/
(dut.py, dut_wrapper.py, dut_run.py, bench_dut.py); this module parses, calls and prints."""
from __future__ import annotations

import sys
from pathlib import Path

from emu.flags import Flag
from emu.round import MODES
from golden.unit_pack import unit_def
from rtl_tb.contracts import CONTRACTS
from rtl_tb.dut import (BLOCK, NEUTRAL, TIMINGS, UNITS, pack_fields, timing_refusal, timings_of, toggling_option,
                        toml_value)

_UNIT_OPTIONS = {
    "encode": 'format = "e2m1"          # the code format\nsrc = "bfloat16"          # bfloat16, float16 '
              'or float32\nrounding = "rne"          # one mode, "all", or "rne,rtz" (several need a mode '
              'port)\noverflow = "saturate"     # saturate, inf or all',
    "decode": 'format = "e2m1"',
    "product": 'x = "e2m1"                # activation format\nw = "e2m1"                # weight format',
    "dot": 'x = "e2m1"\nw = "e2m1"\nlanes = 16                # pairs per dot vector\nacc_w = 16              '
           '  # accumulator bits (contract units: the product of the two integer mappings)\npolicy = "wrap"'
           '           # wrap or saturate\norder = "tree"            # tree (one adder tree per vector) or '
           'sequential',
}
_FIELD_HELP = {
    "x": "the input value's bit pattern", "rand": "stochastic-rounding draw (only with rounding sr)",
    "mode": f"rounding mode code ({' '.join(f'{i} {m}' for i, m in enumerate(MODES))}); absent: one only",
    "sat": "1 saturate, 0 overflow to Inf/NaN; absent: one policy only", "code": "the 4-bit code",
    "flags": " | ".join(f"{f.name.lower()} {int(f)}" for f in Flag), "int": "the integer mapping I(code)",
    "f32": "the exact value as float32 bits", "nan": "1 for NaN codes", "inf": "1 for Inf codes",
    "code_x": "activation code", "code_w": "weight code", "product": "I(x) * I(w), signed",
    "s": "per-lane pre-shift (only with shift_max > 0)", "acc_in": "accumulator input, signed",
    "acc": "accumulator output, signed", "ovf": "1 when the accumulator left its range",
}
_TIMING_HELP = {
    "comb": "",
    "pipeline": 'clock = "clk"\nreset = "rst_n"            # optional\nreset_active = "low"\nreset_sync = '
                'false\nenable = ""                # optional clock enable, held high\nlatency = 2          '
                '      # rising edges from an input to its output',
    "handshake": 'clock = "clk"\nreset = "rst"\nreset_active = "high"\nreset_sync = true\nin_valid = '
                 '"in_valid"\nin_ready = "in_ready"\nout_valid = "out_valid"\nout_ready = "out_ready"\n'
                 'seed = 1\ngaps = 0.25                # idle input cycles (probability)\nbackpressure = 0.25'
                 '        # out_ready low (probability)\nmax_wait = 1000           # cycles without a transfer '
                 'before the run is stuck',
    "accumulate": 'clock = "clk"\nreset = "rst_n"\nreset_active = "low"\nreset_sync = false\nenable = '
                  '"enable"\nclear = "acc_clear"\nclear_active = "high"\npairs_per_cycle = 1\nlatency = 2'
                  '               # edges from a pair to the accumulator output (2 with a product '
                  'register)',
    "cycle": 'clock = "{clock}"\nreset = "{reset}"            # optional\nreset_active = "low"\nreset_sync = true\n'
             'enable = ""                # optional clock enable: seeded idle cycles (enable low) between '
             'vectors\nlatency = 1                # rising edges from a vector\'s inputs to its outputs '
             '(1: registered outputs)',
}


def _block_template(unit: str) -> tuple[list[str], list[str]]:
    """[unit] and [ports] lines of a block unit: every option of its UnitDef with its default and
    help; every field on the port of the reference module (docs/rtl_contract.md) that carries
    it, lanes as a packed pattern, a field the default options leave out mapped all the same
    (the bench then drives its neutral value)."""
    u = unit_def(unit)
    opts = u.defaults()
    head = [f"{o.name + ' = ' + toml_value(o.default):<29} # {o.help} ({o.allowed()})" for o in u.options]
    contract = CONTRACTS[unit]
    port_of = {pat.rstrip("*?"): port for port, pats in contract.lane_inputs.items() for pat in pats}
    port_of.update({pat.rstrip("*?"): port for port, pat in contract.lane_outputs.items() if pat})
    port_of.update({p[:-2]: p for p in contract.shared_inputs})
    fields = {f.name: f for f in u.fields(opts)}
    have = pack_fields(unit, opts)
    spec = UNITS[unit]
    lines = []
    for name in spec["inputs"] + spec["outputs"]:
        role = "output" if name in spec["outputs"] else "input"
        if name in spec["shared"]:
            lines.append(f"{name + ' = ' + toml_value(port_of[name]):<29} # {role}: {_FIELD_HELP[name]}")
            continue
        opt, value, alt = toggling_option(unit, opts, name, name not in have)
        group = [fields[f] for f in have[name]] if name in have else alt
        w = group[0].width
        if name in spec["laned"]:
            mapping = f"{port_of[name]}[{{lane}}*{w} +: {w}]"
            what = f"{group[0].name}..{group[-1].name}, {w} bits each" if len(group) > 1 else f"{group[0].name}, {w} bits"
        else:
            mapping, what = port_of[name], f"{w} bit{'s' if w > 1 else ''}" + (", signed" if group[0].signed else "")
        if name not in have:
            what += f"; in the packs with {opt} = {toml_value(value)}, otherwise driven with its neutral value"
        elif opt is not None:
            what += f"; {opt} = {toml_value(value)} leaves it out" + (
                f" (the port then gets {NEUTRAL[name]:#x})" if role == "input" else " (then absent is fine)")
        lines.append(f"{name + ' = ' + toml_value(mapping):<29} # {role}: {what}")
    return head, lines


def template(unit: str, timing: str) -> str:
    """A commented DUT file for ``unit`` and ``timing`` (ValueError: a unit that cannot run in
    that timing)."""
    refusal = timing_refusal(unit, timing)
    if refusal and (unit in BLOCK or timing == "cycle"):
        raise ValueError(f"--unit {unit} --timing {timing}: {refusal}")
    spec = UNITS[unit]
    if unit in BLOCK:
        unit_lines, port_lines = _block_template(unit)
    else:
        unit_lines, port_lines = [_UNIT_OPTIONS[unit]], []
    lines = [f"# fp4ref DUT file: a {unit} design, {timing} timing (docs/byo_rtl.md).",
             "# Check the mapping with `fp4ref dut check FILE`, run it with `fp4ref verify --dut FILE`.",
             "", "[design]", 'sources = ["my_design.v"]   # paths relative to this file',
             '# filelist = "files.f"     # or a -f file: sources, +incdir+DIR, +define+NAME=VALUE',
             "include_dirs = []", "defines = {}", 'top = "my_design"', "parameters = {}",
             'language = "verilog"        # or "systemverilog"',
             'simulators = ["icarus", "verilator"]', "", "[unit]", f'name = "{unit}"', *unit_lines, "",
             "[ports]",
             "# each field: \"PORT\", \"PORT[HI:LO]\" (outputs), a lane pattern (\"io_x_{lane}\" or",
             "# \"x[{lane}*4 +: 4]\"), a table { port = ..., scale = 4, signed = true, float = \"float16\",",
             "# map = [...] }, or \"absent\" (an output the design does not have)."]
    if port_lines:
        lines += [f"# The port names are those of the reference module {CONTRACTS[unit].module} "
                  "(docs/rtl_contract.md): use yours.", *port_lines]
    for name in () if port_lines else spec["inputs"] + spec["outputs"]:
        role = "output" if name in spec["outputs"] else "input"
        value = f'"{name}_{{lane}}"' if name in spec["laned"] else f'"{name}"'
        if name in ("rand", "mode", "sat", "s", "flags", "f32", "nan", "inf", "ovf"):
            value = '"absent"'
        what = {"x": "activation code, one per lane", "w": "weight code, one per lane"}.get(name) \
            if unit == "dot" else None
        lines.append(f"{name} = {value:<22} # {role}: {what or _FIELD_HELP[name]}")
    lines += ["", "[ties]", "# inputs held at a constant: sparse_en = 0", "", "[timing]", f'kind = "{timing}"']
    if _TIMING_HELP[timing]:
        clock, reset = CONTRACTS[unit].clock or ("clk", "rst_n")
        lines.append(_TIMING_HELP[timing].replace("{clock}", clock).replace("{reset}", reset))
    return "\n".join(lines) + "\n"


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
    from rtl_tb.dut import load
    from rtl_tb.dut_run import prepare
    from rtl_tb.runner import REPO

    dut = load(args.file)
    dirs, layout = prepare(dut, Path(args.packs) if args.packs else REPO / "build" / "packs")
    mapped: dict[str, str] = {}

    def note(port: str, text: str) -> None:             # several fields may share a bus
        mapped[port] = f"{mapped[port]}, {text}" if port in mapped else text
    for name, pm in dut.ports.items():
        if pm.port:
            lanes = layout.lanes.get(name, dut.lanes(name))
            unchecked = " (not in the packs: unchecked)" if (name in UNITS[dut.unit]["outputs"]
                                                             and name not in layout.outputs) else ""
            if pm.lanes == "named":
                for j in range(lanes):
                    note(pm.port_for(j), f"{name}{j}{unchecked}")
            elif pm.lanes == "packed":
                note(pm.port, (f"{name}0..{name}{lanes - 1}" if lanes > 1 else f"{name}0") + unchecked)
            else:
                note(pm.port, name + unchecked)
    for role, port in dut.controls().items():
        mapped[port] = f"timing {role}"
    for port, value in dut.ties.items():
        mapped[port] = f"tied to {value}"
    for port, value in layout.neutral.items():
        mapped[port] = f"{mapped.get(port, port)}: not in the packs, driven with {value:#x}"
    print(f"{dut.top}: elaborated by Verilator, {len(layout.ports)} ports")
    print(f"  {'port':<20} {'dir':<7} {'bits':>5}  mapped to")
    for p in layout.ports.values():
        print(f"  {p.name:<20} {p.direction:<7} {p.width:>5}  {mapped.get(p.name, '-')}")
    print(f"OK: {args.file}: the mapping matches the design; unit {dut.unit}, timing {dut.kind}, "
          f"{len(dirs)} pack{'s' if len(dirs) != 1 else ''}; simulators {', '.join(dut.simulators)}")
    return 0


def verify_dut(args) -> int:
    """`fp4ref verify --dut FILE`: every simulator the file lists (or --sim), one report each."""
    from rtl_tb.dut import load
    from rtl_tb.dut_run import prepare, run_dut
    from rtl_tb.runner import REPO, STALL_S
    from rtl_tb.sims import require

    from .verify import explain_run, report
    dut = load(args.dut)
    sims = [args.sim] if args.sim_given else list(dut.simulators)
    for sim in sims:
        require(sim)
    prepared = prepare(dut, Path(args.packs) if args.packs else REPO / "build" / "packs")
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
    from rtl_tb.dut_run import run_examples
    from rtl_tb.runner import REPO

    from .markers import check, md_table, replace
    if args.readme:
        check(args.readme, "dut-rates")
    rows = run_examples(REPO / "examples", Path(args.packs) if args.packs else REPO / "build" / "packs",
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
