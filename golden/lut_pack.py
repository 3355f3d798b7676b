"""Pack specs for the lookup-format units (docs/rtl_contract.md), expectations from emu.lookup only.

- lut_decode (module fp4_lut_<name>): every one of the 16 codes -> f32 (the float32 constant's bit
  pattern), int (the integer mapping I, two's complement in 16 bits; 0 where the format has none)
  and valid. A code the format does not use expects valid = 0, f32 = 0, int = 0.
- lut_mul (module cost_mul_<name>): every ordered pair of valid codes (a, b) -> prod = Ia * Ib,
  signed 16 bits, with (Ia, Ib) from LookupFormat.mul_ints(): the exact integer mapping, or for
  NF4/SF4 the constants rounded (RNE) to int8 fixed point v * 127 (a hardware choice).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from fp4ref.emu.lookup import LookupFormat, get_lookup, lookup_names

from .codec_pack import DEFAULT_SEED
from .mac_pack import twos
from .units import Field

LUT_UNITS = ("lut_decode", "lut_mul")
CODE_W, F32_W, INT_W, VALID_W = 4, 32, 16, 1    #: code_i, f32_o, int_o, valid_o (the contract)
PROD_W = 16                                     #: prod_o of cost_mul_<name>
FLOAT_VIEWS = ("e2m1", "e1m2", "e3m0")          #: presets seen as tables: decoded by rtl/fp4_decode.v


def decoder_names() -> tuple[str, ...]:
    """Lookup formats with an rtl/lut/fp4_lut_<name>.v decoder (every one but the preset views)."""
    return tuple(n for n in lookup_names() if n not in FLOAT_VIEWS)


def _fraction(unit: Fraction | None) -> str | None:
    return None if unit is None else str(unit)


def lookup_record(fmt: LookupFormat) -> dict:
    return {"name": fmt.name, "title": fmt.title, "layout": fmt.layout, "unit": _fraction(fmt.unit),
            "int_w": fmt.int_width, "valid_codes": sum(fmt.valid)}


@dataclass(frozen=True)
class LutPackSpec:
    unit: str
    fmt: str                    #: a lookup format name (emu.lookup.lookup_names())
    seed: int = DEFAULT_SEED    #: unused (the sets are exhaustive); kept for the manifest schema

    def __post_init__(self):
        if self.unit not in LUT_UNITS:
            raise ValueError(f"unit: must be one of {', '.join(LUT_UNITS)}, got {self.unit!r}")
        object.__setattr__(self, "fmt", get_lookup(self.fmt).name)   # canonical; ValueError if unknown
        if self.unit == "lut_decode":
            w = self.lookup.int_width
            if w is not None and w > INT_W:
                raise ValueError(f"lut_decode: {self.fmt}'s integer mapping needs {w} bits, int_o has {INT_W}")
        else:
            ints, _ = self.lookup.mul_ints()
            big = max(abs(int(i)) for i in ints) ** 2
            if big >= 1 << (PROD_W - 1):
                raise ValueError(f"lut_mul: {self.fmt}'s products reach {big}, prod_o is {PROD_W} bits signed")

    @property
    def lookup(self) -> LookupFormat:
        return get_lookup(self.fmt)

    @property
    def vector_set(self) -> str:
        return "exhaustive"

    @property
    def name(self) -> str:
        return f"{self.unit}-{self.fmt}"

    def header(self) -> dict:
        fmt = self.lookup
        if self.unit == "lut_decode":
            options = {"int_w": INT_W}
        else:
            _, unit = fmt.mul_ints()
            options = {"prod_w": PROD_W, "int_unit": _fraction(unit), "exact": fmt.ints is not None}
        return {"unit": self.unit, "format": lookup_record(fmt), "options": options,
                "vector_set": self.vector_set, "seed": self.seed}

    # ---- vectors ------------------------------------------------------------------------------
    def build(self):
        fmt = self.lookup
        valid = np.array(fmt.valid, bool)
        if self.unit == "lut_decode":
            codes = np.arange(16)
            ints = np.array(fmt.ints if fmt.ints is not None else (0,) * 16, np.int64)
            f32 = np.array(fmt.f32_bits, np.uint64)
            fields = [Field("code", "input", CODE_W), Field("f32", "output", F32_W),
                      Field("int", "output", INT_W, signed=True), Field("valid", "output", VALID_W)]
            return fields, {"code": codes.astype(np.uint64),
                            "f32": np.where(valid, f32, np.uint64(0)).astype(np.uint64),
                            "int": twos(np.where(valid, ints, 0), INT_W),
                            "valid": valid.astype(np.uint64)}
        ints = np.array(fmt.mul_ints()[0], np.int64)
        codes = np.flatnonzero(valid)
        a, b = (g.ravel() for g in np.meshgrid(codes, codes, indexing="ij"))
        fields = [Field("a", "input", CODE_W), Field("b", "input", CODE_W),
                  Field("prod", "output", PROD_W, signed=True)]
        return fields, {"a": a.astype(np.uint64), "b": b.astype(np.uint64),
                        "prod": twos(ints[a] * ints[b], PROD_W)}

    # ---- JSONL for people ---------------------------------------------------------------------
    def jsonl(self, columns) -> bytes:
        fmt = self.lookup
        values = [repr(float(v)) if ok else None for v, ok in zip(fmt.values, fmt.valid)]
        signed = lambda v, w: int(v) - (1 << w) if int(v) >> (w - 1) else int(v)   # noqa: E731
        lines = []
        if self.unit == "lut_decode":
            for c, f, i, ok in zip(*(columns[k].tolist() for k in ("code", "f32", "int", "valid"))):
                lines.append(json.dumps({"code": f"{c:#06b}", "valid": ok, "value": values[c],
                                         "f32": f"{f:#010x}", "int": signed(i, INT_W),
                                         "unit": _fraction(fmt.unit)}) + "\n")
            return "".join(lines).encode()
        ints, unit = fmt.mul_ints()
        for a, b, p in zip(*(columns[k].tolist() for k in ("a", "b", "prod"))):
            lines.append(json.dumps({"a": f"{a:#06b}", "b": f"{b:#06b}", "value_a": values[a],
                                     "value_b": values[b], "ia": int(ints[a]), "ib": int(ints[b]),
                                     "prod": signed(p, PROD_W), "unit": _fraction(unit * unit)}) + "\n")
        return "".join(lines).encode()
