"""A DUT file's design, elaborated and wrapped: the ports the simulator sees, the checks of the
mapping against them, and the generated Verilog glue the benches drive (docs/byo_rtl.md).

``elaborate`` runs Verilator's ``--json-only`` on the design (its parameters, defines and include
dirs applied) and reads every port of the top with its direction and width. ``check_ports``
compares the DUT file's mapping with them: a port the design does not have, a width that does
not match, a scale that cannot represent the field, an input left undriven. ``wrapper_verilog``
writes the glue: ``copies`` instances of the top behind flat ports, one per contract field
(``f_<field>`` in, ``g_<field>`` out: the design's raw bits; the bench converts), plus the timing
signals. The glue is Verilog-2005 that Icarus and Verilator both accept; the design itself is
never generated.
"""
from __future__ import annotations

import json
import math
import tempfile
from dataclasses import dataclass, field as dc_field
from pathlib import Path

from fp4ref.emu.unpack import SOURCES

from . import process
from .contracts import CONTRACTS, resolve
from .dut import NEUTRAL, UNITS, Dut, DutError
from .sims import sim_env, verilator_root

#: Verilator keywords of the basic types without a range
_BASIC_W = {"bit": 1, "logic": 1, "reg": 1, "wire": 1, "byte": 8, "shortint": 16, "int": 32,
            "integer": 32, "longint": 64, "time": 64}


@dataclass(frozen=True)
class Port:
    name: str
    direction: str      #: "input", "output", "inout"
    width: int


def design_args(dut: Dut) -> list[str]:
    """Include dirs, defines and parameters as Verilator/Icarus-style -I/-D/-G arguments."""
    args = [f"-I{d}" for d in dut.include_dirs]
    args += [f"-D{k}={v}" for k, v in dut.defines.items()]
    args += [f"-G{k}={_literal(v)}" for k, v in dut.parameters.items()]
    return args


def _literal(v) -> str:
    return f'"{v}"' if isinstance(v, str) else str(v)


def elaborate(dut: Dut) -> dict[str, Port]:
    """The top's ports as Verilator elaborates the design (DutError: the first compiler errors)."""
    root = verilator_root()
    with tempfile.TemporaryDirectory(prefix="fp4ref-elab-") as tmp:
        cmd = [str(root / "bin" / "verilator"), "--json-only", "-Wno-fatal", "-Wno-lint", "-Wno-style",
               "--top-module", dut.top, "-Mdir", tmp, *design_args(dut), *(str(s) for s in dut.sources)]
        if dut.language == "systemverilog":
            cmd.insert(1, "-sv")
        res = process.capture(cmd, 300, env=sim_env())
        if res.timed_out or res.returncode != 0:
            errors = [ln for ln in (res.stderr or "").splitlines() if "%Error" in ln][:3]
            raise DutError(f"{dut.where('design', 'sources')}: the design does not compile (Verilator): "
                           + (" | ".join(e.strip() for e in errors) or res.timed_out or "no message"))
        found = sorted(Path(tmp).glob("*.tree.json"))
        if not found:
            raise DutError(f"{dut.where('design')}: Verilator wrote no elaboration dump")
        tree = json.loads(found[0].read_text())
    return _ports_of(tree, dut.top)


def _ports_of(tree: dict, top: str) -> dict[str, Port]:
    index: dict[str, dict] = {}

    def walk(node):
        if isinstance(node, dict):
            if "addr" in node:
                index[node["addr"]] = node
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(tree)
    module = next((m for m in tree.get("modulesp", []) if m.get("origName") == top or m.get("name") == top),
                  None)
    if module is None:
        raise DutError(f"Verilator elaborated no module {top!r}")
    ports = {}
    for var in module.get("stmtsp", []):
        if var.get("type") == "VAR" and var.get("varType") == "PORT" or (
                var.get("type") == "VAR" and var.get("direction") in ("INPUT", "OUTPUT", "INOUT")):
            name = var.get("origName") or var["name"]
            ports[name] = Port(name, var["direction"].lower(), _width(index, var["dtypep"]))
    return ports


def _width(index: dict, addr: str, depth: int = 0) -> int:
    node = index.get(addr)
    if node is None or depth > 50:
        raise DutError(f"Verilator's dump has a port type it cannot resolve ({addr})")
    kind = node.get("type")
    if kind == "BASICDTYPE":
        if node.get("range"):
            hi, lo = (int(v) for v in node["range"].split(":"))
            return abs(hi - lo) + 1
        return _BASIC_W.get(node.get("keyword", "logic"), 1)
    if kind in ("REFDTYPE", "MEMBERDTYPE", "ENUMDTYPE", "CONSTDTYPE"):
        ref = node.get("refDTypep") or node.get("dtypep")
        if ref == addr and kind != "REFDTYPE":
            ref = node.get("dtypep")
        return _width(index, ref, depth + 1)
    if kind in ("STRUCTDTYPE", "UNIONDTYPE"):
        widths = [_width(index, m["addr"], depth + 1) for m in node.get("membersp", [])]
        return sum(widths) if kind == "STRUCTDTYPE" else max(widths)
    if kind == "PACKARRAYDTYPE":
        rng = node.get("range") or "0:0"
        hi, lo = (int(v) for v in rng.split(":"))
        sub = node.get("refDTypep") or node.get("childDTypep")
        sub = sub[0]["addr"] if isinstance(sub, list) and sub else sub
        return (abs(hi - lo) + 1) * _width(index, sub, depth + 1)
    raise DutError(f"a port of type {kind} cannot be driven by the bench (use packed types)")


# ---- the mapping against the elaborated ports -------------------------------------------------
@dataclass
class Layout:
    """What the bench needs: per field, the pack fields it carries and the bits per copy."""
    inputs: dict[str, list[str]]            #: contract field -> pack fields (lanes in order)
    in_width: dict[str, int]                #: contract field -> bits per copy on f_<field>
    outputs: dict[str, int]                 #: contract field -> raw bits per copy on g_<field>
    ports: dict[str, Port]
    #: contract field -> its lanes at once on f_<field> / g_<field> (1: a whole port)
    lanes: dict[str, int] = dc_field(default_factory=dict)
    #: output contract field -> the pack fields it is checked against (lanes in order)
    out_fields: dict[str, list[str]] = dc_field(default_factory=dict)
    #: design port -> the constant it is tied to: a mapped input the unit's options leave out of
    #: the packs, driven with its neutral value (rtl_tb.dut.NEUTRAL)
    neutral: dict[str, int] = dc_field(default_factory=dict)


def _lane_fields(name: str, names: list[str]) -> list[str]:
    """The pack fields of a per-lane contract field: name0, name1, ... in lane order."""
    return resolve((f"{name}*",), names)


def check_ports(dut: Dut, ports: dict[str, Port], record: dict) -> Layout:
    """Check the mapping against the elaborated ports and a pack's fields (DutError on the first
    problem); the layout the wrapper and the bench share."""
    fields = {f["name"]: f for f in record["fields"]}
    names = [f["name"] for f in record["fields"]]
    spec = UNITS[dut.unit]

    def need(name: str, key: str, section="ports") -> Port:
        if name not in ports:
            raise dut.error(section, key, f"the design {dut.top} has no port {name!r} (its ports: "
                            f"{', '.join(ports) or 'none'})")
        return ports[name]

    def direction(p: Port, name: str, want: str) -> None:
        if p.direction != want:
            raise dut.error("ports", name, f"{p.name} is an {p.direction}, not an {want}")

    inputs, in_width, outputs, lanes, out_fields, neutral = {}, {}, {}, {}, {}, {}
    for name, pm in dut.ports.items():
        if pm.port is None:
            continue
        is_out = name in spec["outputs"]
        if is_out:
            pack_fields = _lane_fields(name, names) if name in spec["laned"] else [name]
            if not any(f in fields for f in pack_fields):
                continue                    # an output the unit's options leave out: unchecked
            per = len(pack_fields)
            fw = fields[pack_fields[0]]["width"]
            if pm.lanes is None:
                if per > 1:
                    raise dut.error("ports", name, f"{per} lanes need a lane pattern")
                p = need(pm.port, name)
                direction(p, name, "output")
                hi = p.width - 1 if pm.hi is None else pm.hi
                lo = 0 if pm.lo is None else pm.lo
                if hi >= p.width:
                    raise dut.error("ports", name, f"bit {hi} is past {p.name}'s {p.width} bits")
                width = hi - lo + 1
            else:
                for j in range(per):
                    p = need(pm.port_for(j), name)
                    direction(p, name, "output")
                    if pm.lanes == "packed":
                        top = pm.stride * j + pm.offset + pm.width
                        if top > p.width:
                            raise dut.error("ports", name, f"{per} lanes of the pattern reach bit {top - 1}; "
                                            f"{p.name} has {p.width} bits")
                width = pm.width if pm.lanes == "packed" else ports[pm.port_for(0)].width
                if pm.lanes == "named" and any(ports[pm.port_for(j)].width != width for j in range(per)):
                    raise dut.error("ports", name, f"the lane ports of {pm.port} differ in width")
            if pm.float:
                bits = SOURCES[pm.float].bits
                if width != bits:
                    raise dut.error("ports", name, f"{pm.float} bits are {bits} wide; the port gives {width}")
            elif width < fw + math.ceil(math.log2(pm.scale)):
                raise dut.error("ports", name, f"a {width}-bit port at scale {pm.scale} cannot represent the "
                                f"{fw}-bit field (it needs {fw + math.ceil(math.log2(pm.scale))} bits)")
            if width > 63:
                raise dut.error("ports", name, f"{width} bits: the bench reads outputs of up to 63 bits "
                                "(map a slice)")
            outputs[name] = width * per
            lanes[name] = per
            out_fields[name] = pack_fields
            continue
        if name in spec["laned"]:
            pack_fields = _lane_fields(name, names)
            if not pack_fields:
                if name == "s":             # no shift fields in the pack (shift_max 0): tie to 0
                    continue
                if dut.block and name in NEUTRAL:   # left out by an option: its neutral value
                    neutral.update({pm.port_for(j): NEUTRAL[name] for j in range(dut.lanes(name))}
                                   if pm.lanes == "named" else {pm.port: NEUTRAL[name]})
                    for port in neutral:
                        direction(need(port, name), name, "input")
                    continue
                raise dut.error("ports", name, f"the pack has no {name} fields")
            lane_w = fields[pack_fields[0]]["width"]
            per_cycle = dut.lanes(name)
            for j in range(per_cycle):
                if pm.lanes == "named":
                    p = need(pm.port_for(j), name)
                    direction(p, name, "input")
                    if p.width != lane_w:
                        raise dut.error("ports", name, f"{p.name} is {p.width} bits; a {name} lane is "
                                        f"{lane_w} bits")
                else:
                    width = lane_w if pm.lanes is None else pm.width
                    if pm.lanes == "packed" and pm.width != lane_w:
                        raise dut.error("ports", name, f"a lane is {pm.width} bits in the pattern; a "
                                        f"{name} lane is {lane_w} bits")
                    p = need(pm.port, name)
                    direction(p, name, "input")
                    top_bit = (pm.stride * (per_cycle - 1) + pm.offset + width) if pm.lanes else width
                    if pm.lanes == "packed" and top_bit > p.width:
                        raise dut.error("ports", name, f"{per_cycle} lanes of the pattern reach bit "
                                        f"{top_bit - 1}; {p.name} has {p.width} bits")
                    if pm.lanes is None and per_cycle == 1 and p.width != lane_w:
                        raise dut.error("ports", name, f"{p.name} is {p.width} bits; a {name} lane is "
                                        f"{lane_w} bits")
                    if pm.lanes is None and per_cycle > 1:
                        raise dut.error("ports", name, f"{per_cycle} lanes per cycle need a lane pattern")
            inputs[name] = pack_fields
            in_width[name] = lane_w * per_cycle      # one cycle's lanes on f_<field>
            lanes[name] = per_cycle
            continue
        p = need(pm.port, name)
        direction(p, name, "input")
        if name not in fields and name in spec["shared"]:
            width = CONTRACTS[dut.unit if dut.block else "encode"].shared_inputs[f"{name}_i"]   # mode_i, sat_i
        elif name not in fields and dut.block and name in NEUTRAL:
            if NEUTRAL[name] >= 1 << p.width:
                raise dut.error("ports", name, f"{p.name} is {p.width} bits; the {name} field is wider")
            neutral[p.name] = NEUTRAL[name]
            continue
        elif name not in fields:
            raise dut.error("ports", name, f"the pack has no field {name!r}")
        else:
            width = fields[name]["width"]
        if pm.map is not None and max(pm.map) >= 1 << p.width:
            raise dut.error("ports", name, f"map has a code past {p.name}'s {p.width} bits")
        if p.width < width:
            raise dut.error("ports", name, f"{p.name} is {p.width} bits; the {name} field is {width} bits")
        inputs[name] = [name]
        in_width[name] = p.width
        lanes[name] = 1
    for role, port in dut.controls().items():
        p = need(port, role, "timing")
        want = "output" if role in ("in_ready", "out_valid") else "input"
        if p.direction != want:
            raise dut.error("timing", role, f"{port} is an {p.direction}; {role} is an {want}")
        if p.width != 1:
            raise dut.error("timing", role, f"{port} is {p.width} bits; {role} is one bit")
    for name, value in dut.ties.items():
        p = need(name, name, "ties")
        if p.direction != "input":
            raise dut.error("ties", name, f"{name} is an {p.direction}; only inputs are tied")
        if value >= 1 << p.width:
            raise dut.error("ties", name, f"{value} does not fit {name}'s {p.width} bits")
        if name in neutral:
            raise dut.error("ties", name, f"{name} is mapped in [ports]: tie it or map it, not both")
    _no_overlap(dut, inputs, lanes, ports, neutral)
    layout = Layout(inputs, in_width, outputs, ports, lanes, out_fields, neutral)
    driven = _driven(dut, layout)
    for p in ports.values():
        if p.direction == "input" and p.name not in driven:
            raise DutError(f"{dut.where('ports')}: input {p.name} of {dut.top} is not driven: map it to a "
                           f"field, name it in [timing], or tie it in [ties] ({p.name} = 0)")
    return layout


def _no_overlap(dut: Dut, inputs: dict, lanes: dict, ports: dict[str, Port], neutral: dict) -> None:
    """Two input fields may share a port through lane patterns (a and b interleaved in one bus),
    never a bit."""
    owner: dict[tuple[str, int], str] = {}
    for name in inputs:
        pm = dut.ports[name]
        if pm.lanes == "packed":
            bits = [(pm.port, j * pm.stride + pm.offset + b) for j in range(lanes[name]) for b in range(pm.width)]
        else:
            bits = [(pm.port_for(j), b) for j in range(lanes[name] if pm.lanes == "named" else 1)
                    for b in range(ports[pm.port_for(j)].width)]
        for key in bits:
            if owner.setdefault(key, name) != name:
                raise dut.error("ports", name, f"bit {key[1]} of {key[0]} is also mapped to {owner[key]}")
    for port, _ in owner:
        if port in neutral:
            raise dut.error("ports", None, f"{port} carries a field and a field the options leave out")


def _driven(dut: Dut, layout: Layout) -> set[str]:
    out = set(dut.ties) | set(dut.controls().values()) | set(layout.neutral)
    for name in layout.inputs:
        pm = dut.ports[name]
        out |= {pm.port_for(j) for j in range(layout.lanes[name])} if pm.lanes == "named" else {pm.port}
    return out


# ---- the glue ---------------------------------------------------------------------------------
def copies_of(dut: Dut) -> int:
    """Instances per cycle: comb 16 (4 for dot; a block unit's Contract.copies: 2 for the dot
    products' 2,000-bit vectors), pipeline its copies, every other timing one."""
    comb = CONTRACTS[dut.unit].copies if dut.block else 16 if dut.unit != "dot" else 4
    return {"comb": comb, "pipeline": dut.timing.get("copies", 4)}.get(dut.kind, 1)


def wrapper_verilog(dut: Dut, layout: Layout, copies: int, top: str = "tb_dut") -> str:
    """``copies`` instances of the design; f_<field> in, g_<field> out, c_<role> timing inputs
    (shared), s_<role> timing outputs (one bit per copy)."""
    decl = []
    for name, w in layout.in_width.items():
        decl.append(f"    input  wire [{copies * w - 1}:0] f_{name}")
    for name, w in layout.outputs.items():
        decl.append(f"    output wire [{copies * w - 1}:0] g_{name}")
    roles = dut.controls()
    for role in roles:
        if role in ("in_ready", "out_valid"):
            decl.append(f"    output wire [{copies - 1}:0] s_{role}")
        else:
            decl.append(f"    input  wire c_{role}")
    body = []
    for p in layout.ports.values():
        body.append(f"            wire [{p.width - 1}:0] p_{p.name};")
    assigned = set()
    packed: dict[str, set[int]] = {}            # port -> bits the lane patterns drive
    for name, pack_fields in layout.inputs.items():
        pm = dut.ports[name]
        w = layout.in_width[name]
        if name in UNITS[dut.unit]["laned"]:
            per = layout.lanes[name]
            lane_w = w // per
            for j in range(per):
                src = f"f_{name}[i*{w} + {j * lane_w} +: {lane_w}]"
                if pm.lanes == "named":
                    body.append(f"            assign p_{pm.port_for(j)} = {src};")
                    assigned.add(pm.port_for(j))
                elif pm.lanes == "packed":
                    body.append(f"            assign p_{pm.port}[{j * pm.stride + pm.offset} +: {lane_w}] = {src};")
                else:
                    body.append(f"            assign p_{pm.port} = {src};")
            if pm.lanes == "packed":       # several fields may share a port (a, b interleaved)
                assigned.add(pm.port)
                packed.setdefault(pm.port, set()).update(
                    j * pm.stride + pm.offset + b for j in range(per) for b in range(lane_w))
            else:
                assigned.add(pm.port)
        else:
            body.append(f"            assign p_{pm.port} = f_{name}[i*{w} +: {w}];")
            assigned.add(pm.port)
    for port, used in packed.items():           # the bits no lane drives: 0
        body += [f"            assign p_{port}[{b}] = 1'b0;" for b in range(layout.ports[port].width)
                 if b not in used]
    for port, value in {**dut.ties, **layout.neutral}.items():
        body.append(f"            assign p_{port} = {layout.ports[port].width}'d{value};")
        assigned.add(port)
    for role, port in roles.items():
        if role in ("in_ready", "out_valid"):
            body.append(f"            assign s_{role}[i] = p_{port};")
        else:
            body.append(f"            assign p_{port} = c_{role};")
            assigned.add(port)
    for name, w in layout.outputs.items():
        pm = dut.ports[name]
        per = layout.lanes[name]
        lane_w = w // per
        for j in range(per):
            dst = f"g_{name}[i*{w} + {j * lane_w} +: {lane_w}]" if per > 1 else f"g_{name}[i*{w} +: {w}]"
            if pm.lanes == "named":
                src = f"p_{pm.port_for(j)}"
            elif pm.lanes == "packed":
                src = f"p_{pm.port}[{j * pm.stride + pm.offset} +: {lane_w}]"
            else:
                port_w = layout.ports[pm.port].width
                hi = port_w - 1 if pm.hi is None else pm.hi
                lo = 0 if pm.lo is None else pm.lo
                src = f"p_{pm.port}[{hi}:{lo}]"
            body.append(f"            assign {dst} = {src};")
    params = ", ".join(f".{k}({_literal(v)})" for k, v in dut.parameters.items())
    conns = ",\n".join(f"                .{p}(p_{p})" for p in layout.ports)
    return "\n".join([
        "`timescale 1ns / 1ps",
        f"// {copies} instance{'s' if copies > 1 else ''} of {dut.top} for the fp4ref {dut.unit} bench "
        f"({dut.kind}); generated from {dut.path.name}",
        f"module {top} (",
        ",\n".join(decl),
        ");",
        "    genvar i;",
        "    generate",
        f"        for (i = 0; i < {copies}; i = i + 1) begin : gen_copy",
        *body,
        f"            {dut.top} {'#(' + params + ') ' if params else ''}u_dut (",
        conns,
        "            );",
        "        end",
        "    endgenerate",
        "endmodule",
        "",
    ])
