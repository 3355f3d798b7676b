"""DUT description files: a user's RTL as it is, described in TOML (docs/byo_rtl.md).

``load(path)`` reads and checks a file into a ``Dut``: the design (sources, a filelist, include
dirs, defines, top, parameters, language, simulators), the golden unit and its options, how each
contract field maps onto the design's signals (a port, a bit slice, a lane pattern, a scale, a
signedness, a float encoding, an input code map, absent), constant ties, and the timing (comb,
pipeline, handshake, accumulate, cycle). Every problem is one ``DutError`` line naming the file,
the line, the section and the key.

The units of block-scaled hardware (docs/block.md §7-§12) take their [unit] keys from their
``fp4ref.golden.unit_pack.UnitDef`` (names, defaults, checks: one definition) and their fields from the
pack fields those options give: each per-lane field (``a`` for a0..a63, ``code`` for
code0..code31, ``blk`` for blk0..) has its own lane count. A field an option leaves out of the
packs (``acc`` with acc = 0) may be "absent"; one the packs have may not. A mapped input the
packs leave out is driven with its neutral value (``NEUTRAL``).

What the simulator elaborated is checked against the mapping by rtl_tb.dut_wrapper
(``check_ports``) before any vector runs.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field as dc_field
from pathlib import Path

from fp4ref.emu import get_format
from fp4ref.emu.round import MODES
from fp4ref.emu.unpack import SOURCES
from fp4ref.golden.unit_pack import parse_options, unit_def, unit_names

from .contracts import CONTRACTS


class DutError(ValueError):
    """A problem with a DUT file: one line naming the file, line, section and key."""


#: per unit: input fields, output fields, the fields carried per lane (dot), the fields one value
#: per pack drives (from the unit's options), and the unit options with their defaults
UNITS = {
    "encode": dict(inputs=("x", "rand", "mode", "sat"), outputs=("code", "flags"), laned=(),
                   shared=("mode", "sat"),
                   options={"format": None, "src": "bfloat16", "rounding": "rne", "overflow": "saturate",
                            "level": 1}),
    "decode": dict(inputs=("code",), outputs=("int", "f32", "nan", "inf"), laned=(), shared=(),
                   options={"format": None}),
    "product": dict(inputs=("code_x", "code_w"), outputs=("product",), laned=(), shared=(),
                    options={"x": None, "w": None}),
    "dot": dict(inputs=("x", "w", "s", "acc_in"), outputs=("acc", "ovf"), laned=("x", "w", "s"),
                shared=(),
                options={"x": None, "w": None, "lanes": 16, "acc_w": 16, "policy": "wrap", "order": "tree",
                         "shift_max": 0, "shift_w": None, "random": 2000}),
}


def _base(name: str) -> str:
    """The contract field of a pack field: 'a12' -> 'a', 'blk0' -> 'blk', 'res' -> 'res'."""
    return re.sub(r"\d+$", "", name)


def _combos(unit: str):
    """Every combination of the unit's options that have choices (others at their defaults)."""
    from itertools import product
    opts = unit_def(unit).options
    free = [o for o in opts if o.choices]
    for values in product(*(o.choices for o in free)):
        yield {**unit_def(unit).defaults(), **dict(zip((o.name for o in free), values))}


def _block_unit(unit: str) -> dict:
    """A block unit's UNITS entry, from its UnitDef: the contract fields (pack fields without their
    lane digits) over every option combination, in pack order; the shared ports of its Contract
    (mode_i -> mode, sat_i -> sat); the options with their defaults."""
    order: dict[str, list[str]] = {"input": [], "output": []}
    laned = set()
    lists = sorted((unit_def(unit).fields(o) for o in _combos(unit)), key=len, reverse=True)
    for fields in lists:                 # the longest first: its order is the pack's
        prev = {"input": None, "output": None}
        for f in fields:
            base = _base(f.name)
            if base != f.name:
                laned.add(base)
            names = order[f.role]
            if base not in names:
                names.insert(names.index(prev[f.role]) + 1 if prev[f.role] else 0, base)
            prev[f.role] = base
    shared = tuple(p[:-2] for p in CONTRACTS[unit].shared_inputs)
    return dict(inputs=tuple(order["input"]) + shared, outputs=tuple(order["output"]),
                laned=tuple(sorted(laned)), shared=shared, options=unit_def(unit).defaults(), block=True)


def pack_fields(unit: str, options: dict) -> dict[str, list[str]]:
    """Contract field -> its pack fields (lanes in order) for a block unit's options."""
    out: dict[str, list[str]] = {}
    for f in unit_def(unit).fields(options):
        out.setdefault(_base(f.name), []).append(f.name)
    return out


def toggling_option(unit: str, options: dict, base: str, present: bool):
    """(option, value, pack Fields of ``base``): the one-option change from ``options`` (the
    option's default tried first) that puts ``base`` into the packs (present) or leaves it out;
    (None, None, []) when no option does."""
    for opt in unit_def(unit).options:
        for value in (opt.default,) + tuple(v for v in opt.choices if v != opt.default):
            if value == options[opt.name]:
                continue
            trial = {**options, opt.name: value}
            try:
                parse_options(unit, trial)
            except ValueError:
                continue
            fields = [f for f in unit_def(unit).fields(trial) if _base(f.name) == base]
            if bool(fields) == present:
                return opt.name, value, fields
    return None, None, []


def toml_value(value) -> str:
    """A value as TOML writes it (strings quoted)."""
    return f'"{value}"' if isinstance(value, str) else str(value)


UNITS.update({u: _block_unit(u) for u in unit_names()})
#: the units of block-scaled hardware (options and fields from golden.block_units)
BLOCK = tuple(u for u in UNITS if UNITS[u].get("block"))
#: what a mapped input is driven with when the unit's options leave its field out of the packs
#: (docs/block.md §8-§10: without acc the accumulator input is +0; without tscale the tensor
#: scales are 1.0; rand is read only by sr)
NEUTRAL = {"acc": 0, "ta": 0x3F800000, "tb": 0x3F800000, "rand": 0}
TIMINGS = {
    "comb": {},
    "pipeline": {"clock": None, "reset": "", "reset_active": "low", "reset_sync": False, "enable": "",
                 "latency": None, "copies": 4, "gaps": 0.2, "seed": 1},
    "handshake": {"clock": None, "reset": "", "reset_active": "low", "reset_sync": False, "enable": "",
                  "in_valid": None, "in_ready": None, "out_valid": None, "out_ready": None, "seed": 1,
                  "gaps": 0.25, "backpressure": 0.25, "max_wait": 1000},
    "accumulate": {"clock": None, "reset": "", "reset_active": "low", "reset_sync": False, "enable": "",
                   "clear": None, "clear_active": "high", "pairs_per_cycle": 1, "latency": None,
                   "gaps": 0.2, "seed": 1},
    # a clocked design with state (mac_stream): one pack vector per rising edge, in pack order
    "cycle": {"clock": None, "reset": "", "reset_active": "low", "reset_sync": False, "enable": "",
              "latency": 1, "gaps": 0.2, "seed": 1},
}
#: the timing kinds each unit runs in (a clocked unit with state only cycle by cycle; the others
#: are stateless: gaps and reordering copies do not change their results)
_STATELESS = ("comb", "pipeline", "handshake")


def timings_of(unit: str) -> tuple[str, ...]:
    """The timing kinds a unit's packs can run in."""
    if unit == "mac_stream":
        return ("cycle",)
    if unit in BLOCK:
        return _STATELESS
    return _STATELESS + ("accumulate",) if unit == "dot" else _STATELESS


def timing_refusal(unit: str, kind: str) -> str | None:
    """Why ``unit`` cannot run in timing ``kind`` (one line), or None."""
    if kind in timings_of(unit):
        return None
    if unit == "mac_stream":
        return (f"mac_stream is a clocked MAC with state, one pack vector per rising edge: kind = \"cycle\" "
                f"(not {kind!r})")
    kinds = " or ".join(f'"{k}"' for k in timings_of(unit))
    if kind == "cycle":
        return (f"cycle runs a clocked design with state vector by vector (unit mac_stream); {unit} is "
                f"stateless: kind = {kinds}")
    return f"accumulate runs dot packs: [unit] name = \"dot\" ({unit}: kind = {kinds})"


DESIGN_KEYS = {"sources", "filelist", "include_dirs", "defines", "top", "parameters", "language", "simulators"}
PORT_KEYS = {"port", "scale", "signed", "float", "map"}
#: the float encodings a port or a source may hold (their layouts: emu.unpack.SOURCES)
FLOATS = tuple(n for n in SOURCES if n != "float64")
LANGUAGES = ("verilog", "systemverilog")

_SLICE = re.compile(r"^(?P<name>[A-Za-z_]\w*)(?:\[(?P<hi>\d+)(?::(?P<lo>\d+))?\])?$")
_PACKED = re.compile(r"^(?P<name>[A-Za-z_]\w*)\[\s*\{lane\}\s*\*\s*(?P<stride>\d+)\s*(?:\+\s*(?P<off>\d+)\s*)?"
                     r"\+:\s*(?P<width>\d+)\s*\]$")
_NAMED = re.compile(r"^[A-Za-z_]\w*\{lane\}\w*$|^[A-Za-z_]\w*\{lane\}$|^\w*\{lane\}\w*$")


@dataclass
class PortMap:
    """How one contract field sits on the design. ``port`` None: absent."""
    field: str
    port: str | None
    hi: int | None = None           #: a bit slice [hi:lo] of the port (None: the whole port)
    lo: int | None = None
    lanes: str | None = None        #: None, "named" (io_x_{lane}) or "packed" (a[{lane}*4 +: 4])
    stride: int = 0                 #: packed: bits between lanes, the lane's offset and width
    offset: int = 0
    width: int = 0
    scale: int = 1                  #: the port holds scale x the field
    signed: bool | None = None      #: how the port is read (None: as the field is signed)
    float: str | None = None        #: the port holds float bits (float32/float16/bfloat16)
    map: tuple[int, ...] | None = None   #: input: the design's code for each pack code
    line: int | None = None

    def port_for(self, lane: int) -> str:
        return self.port.replace("{lane}", str(lane)) if self.lanes == "named" else self.port


@dataclass
class Dut:
    path: Path
    text: str
    sources: list[Path]
    include_dirs: list[Path]
    defines: dict[str, object]
    top: str
    parameters: dict[str, object]
    language: str
    simulators: tuple[str, ...]
    unit: str
    options: dict
    ports: dict[str, PortMap]
    ties: dict[str, int]
    timing: dict
    #: block units: contract field -> its pack fields for these options (lane order); others: {}
    fields: dict = dc_field(default_factory=dict)

    @property
    def kind(self) -> str:
        return self.timing["kind"]

    @property
    def block(self) -> bool:
        return self.unit in BLOCK

    def lanes(self, name: str) -> int:
        """Lanes of a per-lane field the design takes at once (per clock for accumulate)."""
        if self.unit == "dot":
            return self.timing["pairs_per_cycle"] if self.kind == "accumulate" else self.options["lanes"]
        if name in self.fields:
            return len(self.fields[name])
        if self.block and name in UNITS[self.unit]["laned"]:     # left out by an option: as if in
            return len(toggling_option(self.unit, self.options, name, True)[2] or [name])
        return 1

    def where(self, section: str, key: str | None = None) -> str:
        """'FILE:LINE: [section] key' for an error message."""
        n = _line(self.text, section, key)
        return f"{self.path}:{n or '?'}: [{section}]{' ' + key if key else ''}"

    def error(self, section: str, key: str | None, message: str) -> DutError:
        return DutError(f"{self.where(section, key)}: {message}")

    def controls(self) -> dict[str, str]:
        """Timing signal role -> the design's port (clock, reset, enable, clear, valid/ready)."""
        roles = ("clock", "reset", "enable", "clear", "in_valid", "in_ready", "out_valid", "out_ready")
        return {r: self.timing[r] for r in roles if self.timing.get(r)}


def _line(text: str, section: str, key: str | None) -> int | None:
    """The line of ``key`` in ``[section]`` (of the section header when key is None)."""
    current = None
    for n, raw in enumerate(text.splitlines(), 1):
        s = raw.strip()
        head = re.match(r"^\[\s*([^\]]+?)\s*\]", s)
        if head:
            current = head.group(1)
            if key is None and current == section:
                return n
            continue
        if current == section and key is not None and re.match(rf'^"?{re.escape(key)}"?\s*=', s):
            return n
    return None


def load(path: str | Path) -> Dut:
    """Read and check a DUT file (DutError on the first problem)."""
    path = Path(path)
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as err:
        raise DutError(f"{path}: cannot read it: {getattr(err, 'strerror', None) or err}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise DutError(f"{path}: not valid TOML: {err}") from None
    shell = Dut(path, text, [], [], {}, "", {}, "verilog", (), "", {}, {}, {}, {})
    unknown = set(data) - {"design", "unit", "ports", "ties", "timing"}
    if unknown:
        name = sorted(unknown)[0]
        raise shell.error(name, None, "unknown section (expected [design], [unit], [ports], [ties], [timing])")
    for section in ("design", "unit", "ports", "timing"):
        if not isinstance(data.get(section), dict):
            raise DutError(f"{path}: missing section [{section}] (docs/byo_rtl.md; `fp4ref dut init` "
                           "prints a template)")
    base = path.parent
    design = _design(shell, data["design"], base)
    unit, options = _unit(shell, data["unit"])
    timing = _timing(shell, data["timing"], unit)
    fields = pack_fields(unit, options) if unit in BLOCK else {}
    ports = _ports(shell, data["ports"], unit, fields)
    ties = _ties(shell, data.get("ties", {}))
    dut = Dut(path, text, *design, unit, options, ports, ties, timing, fields)
    _cross_checks(dut)
    return dut


# ---- sections ---------------------------------------------------------------------------------
def _need(shell: Dut, section: str, table: dict, key: str, kind, what: str):
    if key not in table:
        raise DutError(f"{shell.where(section)}: missing required key {key!r} ({what})")
    value = table[key]
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise shell.error(section, key, f"must be {what}, got {value!r}")
    return value


def _strings(shell: Dut, section: str, table: dict, key: str) -> list[str]:
    value = table.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise shell.error(section, key, f"must be a list of strings, got {value!r}")
    return value


def _design(shell: Dut, table: dict, base: Path):
    unknown = set(table) - DESIGN_KEYS
    if unknown:
        key = sorted(unknown)[0]
        raise shell.error("design", key, f"unknown key (expected one of {', '.join(sorted(DESIGN_KEYS))})")
    sources = [base / s for s in _strings(shell, "design", table, "sources")]
    includes = [base / s for s in _strings(shell, "design", table, "include_dirs")]
    defines = dict(table.get("defines", {}))
    if "filelist" in table:
        f_sources, f_incs, f_defs = _filelist(shell, base / _need(shell, "design", table, "filelist", str,
                                                                   "a file path"))
        sources += f_sources
        includes += f_incs
        defines.update(f_defs)
    if not sources:
        raise DutError(f"{shell.where('design')}: no sources (give sources = [...] or a filelist)")
    for s in sources:
        if not s.is_file():
            raise shell.error("design", "sources" if "sources" in table else "filelist",
                              f"{s} does not exist")
    for d in includes:
        if not d.is_dir():
            raise shell.error("design", "include_dirs", f"{d} is not a folder")
    top = _need(shell, "design", table, "top", str, "the top module's name")
    if not re.fullmatch(r"[A-Za-z_]\w*", top):
        raise shell.error("design", "top", f"{top!r} is not a module name")
    params = table.get("parameters", {})
    for name, table_ in (("defines", defines), ("parameters", params)):
        if not isinstance(table_, dict) or not all(isinstance(v, (int, str)) and not isinstance(v, bool)
                                                   for v in table_.values()):
            raise shell.error("design", name, "must be a table of NAME = integer or string")
    language = table.get("language", "verilog")
    if language not in LANGUAGES:
        raise shell.error("design", "language", f"must be verilog or systemverilog, got {language!r}")
    sims = tuple(_strings(shell, "design", table, "simulators") or ("icarus", "verilator"))
    bad = [s for s in sims if s not in ("icarus", "verilator")]
    if bad:
        raise shell.error("design", "simulators", f"{bad[0]!r}: expected icarus and/or verilator")
    return sources, includes, defines, top, dict(params), language, sims


def _filelist(shell: Dut, path: Path):
    """A -f file: one source per line, +incdir+DIR, +define+NAME[=VALUE], -y/-v ignored, // comments."""
    if not path.is_file():
        raise shell.error("design", "filelist", f"{path} does not exist")
    sources, incs, defs = [], [], {}
    for raw in path.read_text().splitlines():
        line = raw.split("//", 1)[0].split("#", 1)[0].strip()
        if not line:
            continue
        for tok in line.split():
            if tok.startswith("+incdir+"):
                incs += [path.parent / d for d in tok[len("+incdir+"):].split("+") if d]
            elif tok.startswith("+define+"):
                for d in tok[len("+define+"):].split("+"):
                    name, _, value = d.partition("=")
                    if name:
                        defs[name] = int(value) if value.isdigit() else (value or 1)
            elif tok.startswith("-"):
                continue
            else:
                sources.append(path.parent / tok)
    return sources, incs, defs


def _unit(shell: Dut, table: dict):
    name = _need(shell, "unit", table, "name", str, f"one of {', '.join(UNITS)}")
    if name not in UNITS:
        raise shell.error("unit", "name", f"{name!r}: expected one of {', '.join(UNITS)}")
    allowed = UNITS[name]["options"]
    unknown = set(table) - set(allowed) - {"name"}
    if unknown:
        key = sorted(unknown)[0]
        raise shell.error("unit", key, f"not an option of {name} (its options: {', '.join(allowed)})")
    if name in BLOCK:
        return name, _block_options(shell, name, {k: v for k, v in table.items() if k != "name"})
    options = {}
    for key, default in allowed.items():
        if key not in table and default is None and key != "shift_w":
            raise DutError(f"{shell.where('unit')}: missing required key {key!r} for unit {name}")
        options[key] = table.get(key, default)
    for key in ("format", "x", "w"):
        if key in options:
            try:
                get_format(options[key])
            except (ValueError, TypeError, KeyError) as err:
                raise shell.error("unit", key, str(err)) from None
    if name == "encode":
        rounding = options["rounding"]
        modes = MODES if rounding == "all" else tuple(rounding.split(",")) if isinstance(rounding, str) else ()
        if not modes or any(m not in MODES for m in modes):
            raise shell.error("unit", "rounding", f"{rounding!r}: expected 'all' or modes of {', '.join(MODES)}")
        options["modes"] = modes
        if options["overflow"] not in ("saturate", "inf", "all"):
            raise shell.error("unit", "overflow", f"{options['overflow']!r}: expected saturate, inf or all")
        if options["src"] not in FLOATS:
            raise shell.error("unit", "src", f"{options['src']!r}: expected bfloat16, float16 or float32")
    for key in ("lanes", "acc_w", "shift_max", "random", "level"):
        if key in options and (isinstance(options[key], bool) or not isinstance(options[key], int)):
            raise shell.error("unit", key, f"must be an integer, got {options[key]!r}")
    return name, options


def _block_options(shell: Dut, unit: str, given: dict) -> dict:
    """A block unit's options through its UnitDef (golden.unit_pack): each value parsed, then
    the conflicts between them; the error at the key's line."""
    for opt in unit_def(unit).options:
        if opt.name in given:
            try:
                opt.parse(given[opt.name])
            except (ValueError, TypeError) as err:
                raise shell.error("unit", opt.name, _unprefixed(str(err), opt.name)) from None
    try:
        return parse_options(unit, given)
    except (ValueError, TypeError) as err:
        key = str(err).split(":", 1)[0]
        key = key if key in given else None
        raise shell.error("unit", key, _unprefixed(str(err), key)) from None


def _unprefixed(message: str, key: str | None) -> str:
    """'blocks: must be 1..8' -> 'must be 1..8' (the location already names the key)."""
    return message[len(key) + 2:] if key and message.startswith(f"{key}: ") else message


def _timing(shell: Dut, table: dict, unit: str) -> dict:
    kind = _need(shell, "timing", table, "kind", str, f"one of {', '.join(TIMINGS)}")
    if kind not in TIMINGS:
        raise shell.error("timing", "kind", f"{kind!r}: expected one of {', '.join(TIMINGS)}")
    refusal = timing_refusal(unit, kind)
    if refusal:
        raise shell.error("timing", "kind", refusal)
    allowed = TIMINGS[kind]
    unknown = set(table) - set(allowed) - {"kind"}
    if unknown:
        key = sorted(unknown)[0]
        raise shell.error("timing", key, f"not a key of timing {kind!r} (its keys: {', '.join(allowed) or 'none'})")
    out = {"kind": kind}
    for key, default in allowed.items():
        if key not in table and default is None:
            raise DutError(f"{shell.where('timing')}: missing required key {key!r} for timing {kind!r}")
        out[key] = table.get(key, default)
    for key in ("latency", "pairs_per_cycle", "copies", "max_wait", "seed"):
        if key in out and (isinstance(out[key], bool) or not isinstance(out[key], int)):
            raise shell.error("timing", key, f"must be an integer, got {out[key]!r}")
    if "latency" in out and out["latency"] < 1:
        raise shell.error("timing", "latency", f"a clocked design has a latency of at least 1 cycle, got "
                          f"{out['latency']} (a combinational design is kind = \"comb\")")
    for key in ("reset_active", "clear_active"):
        if key in out and out[key] not in ("low", "high"):
            raise shell.error("timing", key, f"must be \"low\" or \"high\", got {out[key]!r}")
    for key in ("gaps", "backpressure"):
        if key in out and not (isinstance(out[key], (int, float)) and 0 <= out[key] < 1):
            raise shell.error("timing", key, f"must be a probability in [0, 1), got {out[key]!r}")
    if kind == "handshake" and out["max_wait"] < 1:
        raise shell.error("timing", "max_wait", "must be at least 1 cycle")
    if kind == "pipeline" and not 1 <= out["copies"] <= 64:
        raise shell.error("timing", "copies", f"must be 1..64, got {out['copies']}")
    if kind == "accumulate":
        if out["pairs_per_cycle"] < 1:
            raise shell.error("timing", "pairs_per_cycle", "must be at least 1")
    for key in ("clock", "reset", "enable", "clear", "in_valid", "in_ready", "out_valid", "out_ready"):
        if key in out and not isinstance(out[key], str):
            raise shell.error("timing", key, f"must be a port name, got {out[key]!r}")
    return out


def _ports(shell: Dut, table: dict, unit: str, packs: dict) -> dict[str, PortMap]:
    """Each listed field's mapping; every output the packs check must be listed (a block unit's
    output that its options leave out of the packs, blk with blocks_out = 0, need not)."""
    spec = UNITS[unit]
    fields = spec["inputs"] + spec["outputs"]
    unknown = set(table) - set(fields)
    if unknown:
        key = sorted(unknown)[0]
        raise shell.error("ports", key, f"not a field of unit {unit} (its fields: {', '.join(fields)})")
    out = {}
    for name, value in table.items():
        out[name] = _port(shell, name, value, name in spec["outputs"], name in spec["laned"])
    for name in spec["outputs"]:
        if name not in out and (unit not in BLOCK or name in packs):
            raise DutError(f"{shell.where('ports')}: output field {name!r} is not mapped: map it to a port "
                           f"or write {name} = \"absent\" (the design does not have it)")
    if all(out[n].port is None or (unit in BLOCK and n not in packs) for n in spec["outputs"] if n in out):
        raise DutError(f"{shell.where('ports')}: every output field is absent: nothing to check")
    return out


def _port(shell: Dut, name: str, value, is_output: bool, laned: bool) -> PortMap:
    line = _line(shell.text, "ports", name)
    if isinstance(value, str):
        value = {"port": value}
    if not isinstance(value, dict):
        raise shell.error("ports", name, f"must be a port (a string) or a table {{port = ..., scale = ...}}, "
                          f"got {value!r}")
    bad = set(value) - PORT_KEYS
    if bad:
        raise shell.error("ports", name, f"unknown key {sorted(bad)[0]!r} (expected {', '.join(sorted(PORT_KEYS))})")
    text = value.get("port")
    if not isinstance(text, str):
        raise shell.error("ports", name, "needs port = \"NAME\" (or \"absent\")")
    text = text.strip()
    if text == "absent":
        return PortMap(name, None, line=line)
    pm = PortMap(name, text, line=line)
    if "{lane}" in text:
        if not laned:
            raise shell.error("ports", name, f"{text!r}: a lane pattern, but {name} is not a per-lane field")
        m = _PACKED.match(text)
        if m:
            pm.port, pm.lanes = m["name"], "packed"
            pm.stride, pm.offset, pm.width = int(m["stride"]), int(m["off"] or 0), int(m["width"])
        elif re.fullmatch(r"[A-Za-z_]\w*", text.replace("{lane}", "0")):
            pm.lanes = "named"
        else:
            raise shell.error("ports", name, f"{text!r}: a lane pattern is NAME{{lane}}SUFFIX or "
                              "NAME[{lane}*STRIDE +: WIDTH]")
    else:
        m = _SLICE.match(text)
        if not m:
            raise shell.error("ports", name, f"{text!r}: expected PORT, PORT[HI:LO], PORT[BIT] or a lane pattern")
        pm.port = m["name"]
        if m["hi"] is not None:
            pm.hi = int(m["hi"])
            pm.lo = int(m["lo"]) if m["lo"] is not None else pm.hi
            if pm.lo > pm.hi:
                raise shell.error("ports", name, f"{text!r}: write slices [HI:LO] with HI >= LO")
            if not is_output:
                raise shell.error("ports", name, f"{text!r}: input fields drive whole ports (tie the rest of "
                                  "a shared port in [ties], or use a lane pattern)")
    if "scale" in value:
        s = value["scale"]
        if isinstance(s, bool) or not isinstance(s, int) or s < 1:
            raise shell.error("ports", name, f"scale must be a positive integer, got {s!r}")
        if not is_output:
            raise shell.error("ports", name, "scale applies to outputs (the port holds scale x the field)")
        pm.scale = s
    if "signed" in value:
        if not isinstance(value["signed"], bool):
            raise shell.error("ports", name, f"signed must be true or false, got {value['signed']!r}")
        pm.signed = value["signed"]
    if "float" in value:
        if value["float"] not in FLOATS:
            raise shell.error("ports", name, f"float must be one of {', '.join(FLOATS)}, got {value['float']!r}")
        if name != "f32":
            raise shell.error("ports", name, "float applies to the f32 output (a value compared as a value)")
        pm.float = value["float"]
    if "map" in value:
        mp = value["map"]
        if is_output or not isinstance(mp, list) or not all(isinstance(v, int) and not isinstance(v, bool)
                                                            for v in mp):
            raise shell.error("ports", name, "map is an input's list of the design's code for each pack code")
        pm.map = tuple(mp)
    return pm


def _ties(shell: Dut, table) -> dict[str, int]:
    if not isinstance(table, dict):
        raise DutError(f"{shell.path}: [ties] must be a table of PORT = integer")
    for name, value in table.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise shell.error("ties", name, f"must be a non-negative integer, got {value!r}")
    return dict(table)


def _cross_checks(dut: Dut) -> None:
    o = dut.options
    if dut.unit == "encode":
        for fld, key, many in (("mode", "rounding", len(o["modes"]) > 1),
                               ("sat", "overflow", o["overflow"] == "all")):
            if many and (fld not in dut.ports or dut.ports[fld].port is None):
                raise dut.error("unit", key, f"several {key} settings need a port: map {fld} in [ports]")
        if "rand" in dut.ports and dut.ports["rand"].port is None and "sr" in o["modes"]:
            raise dut.error("ports", "rand", "stochastic rounding (sr) needs the random draw: map rand")
    if dut.unit == "dot":
        per = dut.timing["pairs_per_cycle"] if dut.kind == "accumulate" else o["lanes"]
        for name in ("x", "w", "s"):
            pm = dut.ports.get(name)
            if pm and pm.port and pm.lanes is None and per > 1:
                raise dut.error("ports", name, f"{pm.port!r}: {name} has {per} lanes a cycle: use a lane "
                                f"pattern ({pm.port}_{{lane}} or {pm.port}[{{lane}}*4 +: 4])")
        if dut.kind == "accumulate":
            if o["order"] != "sequential":
                raise dut.error("unit", "order", "a MAC that takes pairs cycle by cycle accumulates in "
                                "sequential order: order = \"sequential\"")
            if o["lanes"] % dut.timing["pairs_per_cycle"]:
                raise dut.error("timing", "pairs_per_cycle", f"must divide lanes ({o['lanes']})")
    if dut.block:
        _block_checks(dut)
    required = {"encode": ("x",), "decode": ("code",), "product": ("code_x", "code_w"),
                "dot": ("x", "w") + (("acc_in",) if dut.kind != "accumulate" else ())}.get(dut.unit, ())
    if dut.unit == "dot" and o["shift_max"] and o["shift_w"] != 0:
        required += ("s",)
    for name in required:
        if name not in dut.ports or dut.ports[name].port is None:
            raise DutError(f"{dut.where('ports')}: input field {name!r} is not mapped: the packs drive it "
                           "(map it to the design's port)")
    if dut.kind == "accumulate" and dut.ports.get("acc_in") and dut.ports["acc_in"].port:
        raise dut.error("ports", "acc_in", "an accumulating MAC carries its accumulator itself: "
                        "acc_in = \"absent\"")
    for name, pm in dut.ports.items():
        if pm.map is not None:
            if dut.block:
                n_codes = _codes(dut, name)
            else:
                n_codes = get_format(o.get("format") or o.get("x" if name in ("x", "code_x") else "w")).n_codes
            if len(pm.map) != n_codes or len(set(pm.map)) != len(pm.map) or min(pm.map) < 0:
                raise dut.error("ports", name, f"map must list {n_codes} distinct codes, one per pack code")
    used = [r for r in dut.controls().values()]
    clash = {p.port for p in dut.ports.values() if p.port} & set(used)
    if clash:
        raise dut.error("timing", None, f"{sorted(clash)[0]!r} is both a timing signal and a mapped field")


def _codes(dut: Dut, name: str) -> int:
    """How many codes a block unit's input field has (a map lists one per code)."""
    widths = {f.name: f.width for f in unit_def(dut.unit).fields(dut.options)}
    first = (dut.fields.get(name) or [None])[0]
    if first is None or widths[first] > 8:
        raise dut.error("ports", name, "map applies to code inputs of at most 8 bits the packs drive")
    return 1 << widths[first]


def _block_checks(dut: Dut) -> None:
    """A block unit's fields against its options: what the packs drive must be mapped, what they
    check may be absent only when an option leaves it out, and a field of several lanes needs a
    lane pattern."""
    spec = UNITS[dut.unit]
    widths = {f.name: f.width for f in unit_def(dut.unit).fields(dut.options)}
    for name in spec["inputs"] + spec["outputs"]:
        if name in spec["shared"]:
            continue
        pm = dut.ports.get(name)
        is_out = name in spec["outputs"]
        if name in dut.fields and (pm is None or pm.port is None):
            opt, value, _ = toggling_option(dut.unit, dut.options, name, False)
            if is_out and opt is None:
                continue                    # an output the design does not have
            how = "map it to the design's port" + (f", or set {opt} = {toml_value(value)} in [unit]" if opt else "")
            now = f"with {opt} = {toml_value(dut.options[opt])} " if opt else ""
            verb = "check" if is_out else "drive"
            if pm is None:
                raise DutError(f"{dut.where('ports')}: {'output' if is_out else 'input'} field {name!r} is not "
                               f"mapped: {now}the packs {verb} it ({how})")
            raise dut.error("ports", name, f"absent, but {now}the packs {verb} it: {how}")
        if pm is None or pm.port is None:
            continue
        if not is_out and name not in dut.fields and name not in NEUTRAL:
            raise dut.error("ports", name, f"the packs have no field {name!r} with these options")
        lanes = dut.lanes(name)
        if lanes > 1 and pm.lanes is None:
            w = widths[dut.fields[name][0]] if name in dut.fields else \
                toggling_option(dut.unit, dut.options, name, True)[2][0].width
            raise dut.error("ports", name, f"{pm.port!r}: {name} has {lanes} lanes: use a lane pattern "
                            f"({pm.port}_{{lane}} or {pm.port}[{{lane}}*{w} +: {w}])")
