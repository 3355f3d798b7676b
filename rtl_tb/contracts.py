"""DATA + tiny adapters: each unit's port contract and how pack fields map to its ports.

docs/rtl_contract.md (encode, decode) and docs/mac.md §5 (fp4_mac, which runs the product and
dot packs). The bench replicates the module ``copies`` times per cycle; copy i of a w-bit port
sits at bits [i*w, (i+1)*w) of the wrapper's flat port. A lane input lists the pack fields it
carries, first field in the least significant bits ("x*" stands for x0, x1, ... in order); an
empty list drives zeros. A lane output names the field it is checked against (None: unchecked).
Shared ports carry one value per pack, taken from the pack's options.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field

from emu.round import MODES
from emu.spec import SPECIALS


@dataclass(frozen=True)
class Contract:
    unit: str
    module: str                                     #: the reference RTL module
    sources: tuple[str, ...]                        #: reference RTL files under rtl/
    bench: str                                      #: cocotb module
    lane_inputs: dict[str, tuple[str, ...]]         #: port -> pack fields (LSB first)
    lane_outputs: dict[str, str | None]             #: port -> pack field checked
    shared_inputs: dict[str, int] = field(default_factory=dict)   #: port -> width
    copies: int = 16                                #: module copies per cycle in the bench
    #: lane inputs the port contract says are ignored when no pack field fills them: the
    #: benches drive them with ones, so "ignored" is checked rather than assumed
    idle_ones: tuple[str, ...] = ()


def resolve(patterns: tuple[str, ...], names: list[str]) -> list[str]:
    """Field names for patterns: 'x*' is every field x<digits>, in numeric order."""
    out = []
    for p in patterns:
        if p.endswith("*"):
            hits = [n for n in names if re.fullmatch(re.escape(p[:-1]) + r"\d+", n)]
            out += sorted(hits, key=lambda n: int(n[len(p) - 1:]))
        else:
            out.append(p)
    return out


def shared_values(unit: str, options: dict) -> dict[str, int]:
    """Values of the shared ports for a pack's options. FP4REF_SHARED (JSON, set by the runner's
    ``shared``) overrides some: e.g. {"mode_i": 6} drives a reserved rounding-mode code, which
    the contract says behaves as rne, with an rne pack."""
    values = {}
    if unit == "encode":
        values = {"mode_i": MODES.index(options["rounding"]),
                  "sat_i": 1 if options["overflow"] == "saturate" else 0}
    override = json.loads(os.environ.get("FP4REF_SHARED") or "{}")
    unknown = set(override) - set(values)
    if unknown:
        raise ValueError(f"FP4REF_SHARED: {', '.join(sorted(unknown))} is not a shared port of {unit}")
    return {**values, **override}


def _fmt_params(prefix: str, rec: dict) -> dict[str, int]:
    return {f"{prefix}EXP_W": rec["exp_w"], f"{prefix}MAN_W": rec["man_w"], f"{prefix}BIAS": rec["bias"],
            f"{prefix}SUBNORMALS": int(rec["subnormals"])}


def reference_params(record: dict) -> dict[str, int]:
    """HDL parameters of the reference RTL for a pack."""
    unit, fmt, opt = record["unit"], record["format"], record["options"]
    if unit in ("encode", "decode"):
        params = {**_fmt_params("", fmt), "SPECIALS": SPECIALS.index(fmt["specials"])}
        if unit == "encode":
            from emu.unpack import SOURCES
            src = SOURCES[opt["src"]]
            params.update(SRC_EXP_W=src.exp_w, SRC_MAN_W=src.man_w, SR_W=opt["sr_bits"])
        else:
            params["INT_W"] = fmt["int_w"]
        return params
    if unit == "mx_block":                          # E2M1 and 32 elements are the contract's
        return {}
    if unit in ("lut_decode", "lut_mul"):           # one parameterless module per lookup format
        return {}
    widths = {f["name"]: f["width"] for f in record["fields"]}
    params = {**_fmt_params("X_", fmt["x"]), **_fmt_params("W_", fmt["w"])}
    if unit == "product":
        return {"LANES": 1, **params, "SHIFT_W": 0, "SHIFT_MAX": 0, "ACC_W": widths["product"],
                "SATURATE": 0, "TREE": 1}
    return {"LANES": opt["lanes"], **params, "SHIFT_W": opt["shift_w"], "SHIFT_MAX": opt["shift_max"],
            "ACC_W": opt["acc_w"], "SATURATE": int(opt["policy"] == "saturate"),
            "TREE": int(opt["order"] == "tree")}


def port_widths(contract: Contract, record: dict) -> dict[str, int]:
    """Bits of each lane port of one module copy, from the pack's fields and parameters."""
    widths = {f["name"]: f["width"] for f in record["fields"]}
    names = [f["name"] for f in record["fields"]]
    out = {}
    for port, patterns in contract.lane_inputs.items():
        out[port] = sum(widths[n] for n in resolve(patterns, names))
    for port, name in contract.lane_outputs.items():
        out[port] = widths[name] if name else 1
    if contract.unit in ("product", "dot"):          # ports no field fills (docs/mac.md §5)
        p = reference_params(record)
        out["shift_i"] = p["LANES"] * max(p["SHIFT_W"], 1)
        out["acc_i"] = p["ACC_W"]
    return out


_MAC = dict(module="fp4_mac", sources=("fp4_mac.v",), bench="rtl_tb.bench_fp4_mac")

CONTRACTS = {
    "encode": Contract(
        unit="encode", module="fp4_encode", sources=("fp4_round.v", "fp4_encode.v"),
        bench="rtl_tb.bench_fp4_encode",
        lane_inputs={"x_i": ("x",), "rand_i": ("rand",)},
        lane_outputs={"code_o": "code", "flags_o": "flags"},
        shared_inputs={"mode_i": 3, "sat_i": 1}),
    "decode": Contract(
        unit="decode", module="fp4_decode", sources=("fp4_decode.v",), bench="rtl_tb.bench_fp4_decode",
        lane_inputs={"code_i": ("code",)},
        lane_outputs={"int_o": "int", "f32_o": "f32", "is_nan_o": "nan", "is_inf_o": "inf"}),
    # every product through a one-lane MAC with zero shift and zero accumulator
    "product": Contract(
        unit="product", **_MAC,
        lane_inputs={"x_i": ("code_x",), "w_i": ("code_w",), "shift_i": (), "acc_i": ()},
        lane_outputs={"acc_o": "product", "ovf_o": None}, idle_ones=("shift_i",)),
    "dot": Contract(
        unit="dot", **_MAC,
        lane_inputs={"x_i": ("x*",), "w_i": ("w*",), "shift_i": ("s*",), "acc_i": ("acc_in",)},
        lane_outputs={"acc_o": "acc", "ovf_o": "ovf"}, copies=4, idle_ones=("shift_i",)),
    # one MX block (32 E2M1 pairs, two E8M0 scales: 272 input bits) per copy; 4 copies: at 8
    # or 16 Verilator splits its C++ and builds a 145 MB precompiled header, and neither
    # simulator streams faster
    "mx_block": Contract(
        unit="mx_block", module="fp4_mx_block", sources=("fp4_mx_block.v",),
        bench="rtl_tb.bench_fp4_mx_block",
        lane_inputs={"a_i": ("a*",), "b_i": ("b*",), "xa_i": ("xa",), "xb_i": ("xb",)},
        lane_outputs={"sum_o": "sum", "exp_o": "exp", "nan_o": "nan"}, copies=4),
    # lookup formats: one module per format; {name} is the pack's format (lut_reference() below)
    "lut_decode": Contract(
        unit="lut_decode", module="fp4_lut_{name}", sources=("lut/fp4_lut_{name}.v",),
        bench="rtl_tb.bench_fp4_lut",
        lane_inputs={"code_i": ("code",)},
        lane_outputs={"f32_o": "f32", "int_o": "int", "valid_o": "valid"}),
    "lut_mul": Contract(
        unit="lut_mul", module="cost_mul_{name}", sources=("cost/cost_mul_{name}.v",),
        bench="rtl_tb.bench_lut_mul",
        lane_inputs={"a_i": ("a",), "b_i": ("b",)},
        lane_outputs={"prod_o": "prod"}),
}


def lut_reference(unit: str, name: str) -> tuple[str, tuple[str, ...]]:
    """(module, sources under rtl/) of the reference RTL of a lookup unit for format ``name``."""
    c = CONTRACTS[unit]
    return c.module.format(name=name), tuple(s.format(name=name) for s in c.sources)

