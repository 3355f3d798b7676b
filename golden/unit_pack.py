"""One pack spec for every unit whose options are data (docs/block.md §7-§12): the block dot
products, the block quantizers, the streaming MAC and the FP multiplier.

A unit is a ``UnitDef``: its options (name, default, allowed values, help), its fields for a
set of options, and a builder that returns every column (inputs from its stimulus, outputs from
the model in mac/ or emu/). ``UnitPackSpec(unit, options)`` validates the options (one-line
errors naming the option), names the pack after them, and renders like every other spec.
`fp4ref golden units` prints the table; `--opt KEY=VALUE` on `golden gen` and `verify` fills it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .cases import MAX_RANDOM
from .codec_pack import DEFAULT_SEED
from .units import Field


@dataclass(frozen=True)
class Opt:
    name: str
    default: object
    help: str
    choices: tuple = ()                 #: allowed values (strings or ints), or () for a range
    lo: int | None = None               #: integer range when no choices
    hi: int | None = None
    kind: str = "str"                   #: str | int | format
    #: left out of the pack's name and manifest while at its default: an option added after
    #: its unit's packs existed, whose packs (and the mutation verdicts cached under their
    #: names) stay byte-identical
    quiet: bool = False

    def parse(self, value):
        """The option's value from a string or a value; ValueError naming the option."""
        if self.kind == "int":
            try:
                v = int(value, 0) if isinstance(value, str) else value
            except ValueError:
                v = None
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
                raise ValueError(f"{self.name}: must be an integer, got {value!r}")
            v = int(v)
            if self.choices and v not in self.choices:
                raise ValueError(f"{self.name}: must be one of {', '.join(map(str, self.choices))}, got {v}")
            if (self.lo is not None and v < self.lo) or (self.hi is not None and v > self.hi):
                raise ValueError(f"{self.name}: must be {self.lo}..{self.hi:,}, got {v:,}")
            return v
        v = str(value)
        if self.kind == "format":
            from fp4ref.emu import get_format
            return get_format(v).name
        if self.choices and v not in self.choices:
            raise ValueError(f"{self.name}: must be one of {', '.join(self.choices)}, got {v!r}")
        return v

    def allowed(self) -> str:
        if self.kind == "format":
            return "a preset format"
        if self.choices:
            return ", ".join(map(str, self.choices))
        return f"{self.lo}..{self.hi:,}"


@dataclass(frozen=True)
class UnitDef:
    name: str
    summary: str
    options: tuple[Opt, ...]
    fields: Callable[[dict], list[Field]]
    #: (options, seed) -> {field: column} for every field (uint64, or object for > 64 bits)
    build: Callable[[dict, int], dict[str, np.ndarray]]
    check: Callable[[dict], None] = lambda o: None      #: conflicts between options
    format: Callable[[dict], dict] = lambda o: {}       #: the manifest's "format" record
    #: for people: extra JSONL keys of one vector (its fields as ints) -> dict
    describe: Callable[[dict, dict], dict] = lambda o, v: {}

    def defaults(self) -> dict:
        return {o.name: o.default for o in self.options}


#: unit name -> UnitDef, filled by the unit modules (golden.block_units)
REGISTRY: dict[str, UnitDef] = {}


def register(unit: UnitDef) -> UnitDef:
    REGISTRY[unit.name] = unit
    return unit


def unit_def(name: str) -> UnitDef:
    from . import block_units  # noqa: F401  (registers the units)
    if name not in REGISTRY:
        raise ValueError(f"unit: must be one of {', '.join(REGISTRY)}, got {name!r}")
    return REGISTRY[name]


def unit_names() -> tuple[str, ...]:
    from . import block_units  # noqa: F401
    return tuple(REGISTRY)


def parse_options(unit: str, items: list[str] | dict | None) -> dict:
    """Full options of ``unit`` from KEY=VALUE strings (or a dict): defaults filled, each value
    checked, conflicts refused, all as one-line ValueErrors."""
    u = unit_def(unit)
    known = {o.name: o for o in u.options}
    given = {}
    if isinstance(items, dict):
        given = dict(items)
    else:
        for item in items or []:
            key, sep, value = str(item).partition("=")
            if not sep or not key:
                raise ValueError(f"--opt: expected KEY=VALUE, got {item!r}")
            given[key.strip()] = value.strip()
    for key in given:
        if key not in known:
            raise ValueError(f"--opt {key}: not an option of {unit} (its options: {', '.join(known)})")
    opts = {name: (o.parse(given[name]) if name in given else o.default) for name, o in known.items()}
    u.check(opts)
    return opts


@dataclass(frozen=True)
class UnitPackSpec:
    unit: str
    options: dict = field(default_factory=dict)
    seed: int = DEFAULT_SEED

    def __post_init__(self):
        object.__setattr__(self, "options", parse_options(self.unit, self.options))
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"seed: must be a non-negative integer, got {self.seed!r}")

    def __hash__(self):
        return hash((self.unit, json.dumps(self.options, sort_keys=True), self.seed))

    @property
    def definition(self) -> UnitDef:
        return unit_def(self.unit)

    @property
    def vector_set(self) -> str:
        return "corners+random"

    def named_options(self) -> dict:
        """The options the pack's name and manifest record: all but quiet ones at their default
        (a manifest without such an option had its default)."""
        quiet = {o.name: o.default for o in self.definition.options if o.quiet}
        return {k: v for k, v in self.options.items() if not (k in quiet and v == quiet[k])}

    @property
    def name(self) -> str:
        parts = [f"{k}_{v}" for k, v in self.named_options().items()]
        return "-".join([self.unit] + parts)

    def header(self) -> dict:
        return {"unit": self.unit, "format": self.definition.format(self.options),
                "options": self.named_options(), "vector_set": self.vector_set, "seed": self.seed}

    def build(self):
        d = self.definition
        fields = d.fields(self.options)
        cols = d.build(self.options, self.seed)
        count = len(cols[fields[0].name])
        if count > MAX_RANDOM * 2:
            raise ValueError(f"{self.unit}: {count:,} vectors is more than a pack holds")
        return fields, cols

    def jsonl(self, columns) -> bytes:
        fields = self.definition.fields(self.options)
        names = [f.name for f in fields]
        lines = []
        for i in range(len(columns[names[0]])):
            v = {n: int(columns[n][i]) for n in names}
            lines.append(json.dumps({**v, **self.definition.describe(self.options, v)}) + "\n")
        return "".join(lines).encode()


def f32_text(bits: int) -> str:
    """The value of a binary32 bit pattern, for people (repr of the float)."""
    return repr(float(np.uint32(bits).view(np.float32)))
