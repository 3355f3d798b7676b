"""The commented DUT file a user starts from (`fp4ref dut init`, docs/byo_rtl.md): the [design]
keys, the unit's options with their defaults, every contract field mapped onto the reference
module's port names with what it carries, and the timing's keys. Block units take their options
and fields from their golden.unit_pack.UnitDef; the port names from rtl_tb.contracts."""
from __future__ import annotations

from fp4ref.emu.flags import Flag
from fp4ref.emu.round import MODES
from fp4ref.golden.unit_pack import unit_def

from .contracts import CONTRACTS
from .dut import BLOCK, NEUTRAL, UNITS, pack_fields, timing_refusal, toggling_option, toml_value

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
