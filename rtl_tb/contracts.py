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

from fp4ref.emu.round import MODES
from fp4ref.emu.spec import SPECIALS


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
    #: clock and reset ports (clk, rst_n) the wrapper passes to every copy; None: combinational
    clock: tuple[str, str] | None = None
    #: pack record -> width of every lane port of one copy, for units whose ports do not follow
    #: from the fields alone (a port no field fills still has the module's width)
    widths: object = None


def resolve(patterns: tuple[str, ...], names: list[str]) -> list[str]:
    """Field names for patterns: 'x*' is every field x<digits>, in numeric order; 'x?' is the
    field x when the pack has it (an option may leave it out)."""
    out = []
    for p in patterns:
        if p.endswith("?"):
            out += [p[:-1]] if p[:-1] in names else []
        elif p.endswith("*"):
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
    if unit in ("encode", "fp_mul"):
        # a rounding with no mode code (a tie variant of a named convention: rnz, rnm, rnp)
        # drives 0: a design that implements it has one fixed rounding and ignores mode_i
        values = {"mode_i": MODES.index(options["rounding"]) if options["rounding"] in MODES else 0,
                  "sat_i": 1 if options["overflow"] == "saturate" else 0}
    elif unit in ("mx_quant", "nvfp4_quant"):
        values = {"mode_i": MODES.index(options["rounding"])}
    override = json.loads(os.environ.get("FP4REF_SHARED") or "{}")
    unknown = set(override) - set(values)
    if unknown:
        raise ValueError(f"FP4REF_SHARED: {', '.join(sorted(unknown))} is not a shared port of {unit}")
    return {**values, **override}


def _fmt_params(prefix: str, rec: dict) -> dict[str, int]:
    if "exp_w" not in rec:                      # a lookup format: no ExMy parameters
        raise ValueError(f"{rec['name']}: {rec.get('rtl', 'no reference RTL for this format')} "
                         "(give your module with --rtl/--top)")
    return {f"{prefix}EXP_W": rec["exp_w"], f"{prefix}MAN_W": rec["man_w"], f"{prefix}BIAS": rec["bias"],
            f"{prefix}SUBNORMALS": int(rec["subnormals"])}


def reference_params(record: dict) -> dict[str, int]:
    """HDL parameters of the reference RTL for a pack."""
    unit, fmt, opt = record["unit"], record["format"], record["options"]
    if unit in ("encode", "decode"):
        params = {**_fmt_params("", fmt), "SPECIALS": SPECIALS.index(fmt["specials"])}
        if unit == "encode":
            from fp4ref.emu.unpack import SOURCES
            src = SOURCES[opt["src"]]
            params.update(SRC_EXP_W=src.exp_w, SRC_MAN_W=src.man_w, SR_W=opt["sr_bits"])
        else:
            params["INT_W"] = fmt["int_w"]
        return params
    if unit == "mx_block":                          # E2M1 and 32 elements are the contract's
        return {}
    if unit in BLOCK_PARAMS:
        return BLOCK_PARAMS[unit](record)
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
    if contract.widths is not None:
        return contract.widths(record)
    widths = {f["name"]: f["width"] for f in record["fields"]}
    names = [f["name"] for f in record["fields"]]
    out = {}
    for port, patterns in contract.lane_inputs.items():
        out[port] = sum(widths[n] for n in resolve(patterns, names))
    for port, name in contract.lane_outputs.items():
        out[port] = widths[name] if name else 1
    if contract.unit in ("product", "dot"):          # ports no field fills (docs/mac.md §5)
        opt = record["options"]
        lanes, shift_w = (1, 0) if contract.unit == "product" else (opt["lanes"], opt["shift_w"])
        out["shift_i"] = lanes * max(shift_w, 1)
        out["acc_i"] = widths["product"] if contract.unit == "product" else opt["acc_w"]
    return out


_MAC = dict(module="fp4_mac", sources=("fp4_mac.v",), bench="fp4ref.rtl_tb.bench_fp4_mac")

CONTRACTS = {
    "encode": Contract(
        unit="encode", module="fp4_encode", sources=("fp4_round.v", "fp4_encode.v"),
        bench="fp4ref.rtl_tb.bench_fp4_encode",
        lane_inputs={"x_i": ("x",), "rand_i": ("rand",)},
        lane_outputs={"code_o": "code", "flags_o": "flags"},
        shared_inputs={"mode_i": 3, "sat_i": 1}),
    "decode": Contract(
        unit="decode", module="fp4_decode", sources=("fp4_decode.v",), bench="fp4ref.rtl_tb.bench_fp4_decode",
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
        bench="fp4ref.rtl_tb.bench_fp4_mx_block",
        lane_inputs={"a_i": ("a*",), "b_i": ("b*",), "xa_i": ("xa",), "xb_i": ("xb",)},
        lane_outputs={"sum_o": "sum", "exp_o": "exp", "nan_o": "nan"}, copies=4),
    # lookup formats: one module per format; {name} is the pack's format (lut_reference() below)
    "lut_decode": Contract(
        unit="lut_decode", module="fp4_lut_{name}", sources=("lut/fp4_lut_{name}.v",),
        bench="fp4ref.rtl_tb.bench_fp4_lut",
        lane_inputs={"code_i": ("code",)},
        lane_outputs={"f32_o": "f32", "int_o": "int", "valid_o": "valid"}),
    "lut_mul": Contract(
        unit="lut_mul", module="cost_mul_{name}", sources=("cost/cost_mul_{name}.v",),
        bench="fp4ref.rtl_tb.bench_lut_mul",
        lane_inputs={"a_i": ("a",), "b_i": ("b",)},
        lane_outputs={"prod_o": "prod"}),
}


# ---- units of block-scaled hardware (docs/block.md §7-§12, docs/rtl_contract.md) ------------------
def _src_params(opt: dict) -> dict[str, int]:
    from fp4ref.emu.unpack import SOURCES
    src = SOURCES[opt["src"]]
    return {"SRC_EXP_W": src.exp_w, "SRC_MAN_W": src.man_w}


def _fmt_of(name: str, prefix: str, specials: bool = False) -> dict[str, int]:
    from fp4ref.emu import get_format
    from fp4ref.golden.codec_pack import fmt_record
    rec = fmt_record(get_format(name))
    out = _fmt_params(prefix, rec)
    if specials:
        out[f"{prefix}SPECIALS"] = SPECIALS.index(rec["specials"])
    return out


def _dot_params(record: dict) -> dict[str, int]:
    o = record["options"]
    p = {"BLOCKS": o["blocks"], "SEMANTICS": ("exact", "per_block").index(o["semantics"]),
         "RTZ": int(o["rounding"] == "rtz"), "FTZ": o["ftz"], "HAS_ACC": o["acc"]}
    if record["unit"] == "nvfp4_dot":
        p["HAS_TSCALE"] = o["tscale"]
    return p


BLOCK_PARAMS = {
    "mx_dot": _dot_params,
    "nvfp4_dot": _dot_params,
    "mx_quant": lambda r: {**_src_params(r["options"]),
                           "RULE": ("floor", "ceil", "even", "rceil").index(r["options"]["rule"]), "SR_W": 8},
    "nvfp4_quant": lambda r: {**_src_params(r["options"]), "SR_W": 8},
    "mac_stream": lambda r: {"LANES": r["options"]["lanes"], **_fmt_of(r["options"]["x"], "X_"),
                             **_fmt_of(r["options"]["w"], "W_"), "ACC_W": r["options"]["acc_w"],
                             "SATURATE": int(r["options"]["policy"] == "saturate")},
    "fp_mul": lambda r: {**_fmt_of(r["options"]["a"], "A_", True), **_fmt_of(r["options"]["b"], "B_", True),
                         **_fmt_of(r["options"]["o"], "O_", True), "SR_W": 8},
}


def _dot_widths(size: int, scales: tuple[str, str], tscale: bool):
    def widths(record: dict) -> dict[str, int]:
        k = record["options"]["blocks"]
        out = {"a_i": 4 * size * k, "b_i": 4 * size * k, scales[0]: 8 * k, scales[1]: 8 * k, "acc_i": 32,
               "res_o": 32, "flags_o": 4, "blk_o": 32 * k}
        if tscale:
            out.update(ta_i=32, tb_i=32)
        return out
    return widths


def _quant_widths(size: int, nv: bool):
    def widths(record: dict) -> dict[str, int]:
        from fp4ref.emu.unpack import SOURCES
        out = {"x_i": size * SOURCES[record["options"]["src"]].bits, "rand_i": size * 8,
               "scale_o": 8, "code_o": 4 * size}
        if nv:
            out["ts_i"] = 32
        return out
    return widths


def _stream_widths(record: dict) -> dict[str, int]:
    from fp4ref.emu import get_format
    o = record["options"]
    return {"clr_i": 1, "en_i": 1, "x_i": o["lanes"] * get_format(o["x"]).bits,
            "w_i": o["lanes"] * get_format(o["w"]).bits, "acc_o": o["acc_w"], "ovf_o": 1}


def _mul_widths(record: dict) -> dict[str, int]:
    from fp4ref.emu import get_format
    o = record["options"]
    return {"a_i": get_format(o["a"]).bits, "b_i": get_format(o["b"]).bits, "rand_i": 8,
            "code_o": get_format(o["o"]).bits, "flags_o": 4}


_DOT_OUT = {"res_o": "res", "flags_o": "flags", "blk_o": "blk*"}
CONTRACTS.update({
    # one vector is up to 8 blocks (2,112 input bits): 2 copies per cycle
    "mx_dot": Contract(
        unit="mx_dot", module="fp4_mx_dot", sources=("fp4_e2m1_sum.v", "fp4_fp32_round.v", "fp4_mx_dot.v"),
        bench="fp4ref.rtl_tb.bench_fp4_mx_dot",
        lane_inputs={"a_i": ("a*",), "b_i": ("b*",), "xa_i": ("xa*",), "xb_i": ("xb*",), "acc_i": ("acc?",)},
        lane_outputs=_DOT_OUT, copies=2, widths=_dot_widths(32, ("xa_i", "xb_i"), False)),
    "nvfp4_dot": Contract(
        unit="nvfp4_dot", module="fp4_nvfp4_dot", sources=("fp4_e2m1_sum.v", "fp4_fp32_round.v", "fp4_nvfp4_dot.v"),
        bench="fp4ref.rtl_tb.bench_fp4_nvfp4_dot",
        lane_inputs={"a_i": ("a*",), "b_i": ("b*",), "sa_i": ("sa*",), "sb_i": ("sb*",), "ta_i": ("ta?",),
                     "tb_i": ("tb?",), "acc_i": ("acc?",)},
        lane_outputs=_DOT_OUT, copies=2, widths=_dot_widths(16, ("sa_i", "sb_i"), True)),
    "mx_quant": Contract(
        unit="mx_quant", module="fp4_mx_quant", sources=("fp4_round.v", "fp4_quant_elem.v", "fp4_mx_quant.v"),
        bench="fp4ref.rtl_tb.bench_fp4_mx_quant",
        lane_inputs={"x_i": ("x*",), "rand_i": ("rand*",)}, lane_outputs={"scale_o": "scale", "code_o": "code*"},
        shared_inputs={"mode_i": 3}, copies=4, widths=_quant_widths(32, False)),
    "nvfp4_quant": Contract(
        unit="nvfp4_quant", module="fp4_nvfp4_quant", sources=("fp4_round.v", "fp4_quant_elem.v", "fp4_nvfp4_quant.v"),
        bench="fp4ref.rtl_tb.bench_fp4_nvfp4_quant",
        lane_inputs={"x_i": ("x*",), "ts_i": ("ts",), "rand_i": ("rand*",)},
        lane_outputs={"scale_o": "scale", "code_o": "code*"},
        shared_inputs={"mode_i": 3}, copies=4, widths=_quant_widths(16, True)),
    # clocked: one copy, one pack vector per rising edge (rtl_tb.bench_fp4_mac_stream)
    "mac_stream": Contract(
        unit="mac_stream", module="fp4_mac_stream", sources=("fp4_mac.v", "fp4_mac_stream.v"),
        bench="fp4ref.rtl_tb.bench_fp4_mac_stream",
        lane_inputs={"clr_i": ("clr",), "en_i": ("en",), "x_i": ("x*",), "w_i": ("w*",)},
        lane_outputs={"acc_o": "acc", "ovf_o": "ovf"}, copies=1, clock=("clk", "rst_n"),
        widths=_stream_widths),
    "fp_mul": Contract(
        unit="fp_mul", module="fp4_fp_mul", sources=("fp4_round.v", "fp4_encode.v", "fp4_fp_mul.v"),
        bench="fp4ref.rtl_tb.bench_fp4_fp_mul",
        lane_inputs={"a_i": ("a",), "b_i": ("b",), "rand_i": ("rand?",)},
        lane_outputs={"code_o": "code", "flags_o": "flags"},
        shared_inputs={"mode_i": 3, "sat_i": 1}, widths=_mul_widths),
})
BLOCK_UNITS = tuple(BLOCK_PARAMS)


def lut_reference(unit: str, name: str) -> tuple[str, tuple[str, ...]]:
    """(module, sources under rtl/) of the reference RTL of a lookup unit for format ``name``."""
    c = CONTRACTS[unit]
    return c.module.format(name=name), tuple(s.format(name=name) for s in c.sources)

