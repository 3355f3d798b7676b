"""DATA: the units of block-scaled hardware (docs/block.md §7-§12) as UnitDefs: options,
fields and how each column comes from the stimulus (golden.*_pack) and the model (mac/, emu/).
"""
from __future__ import annotations

import numpy as np

from fp4ref.emu import get_format
from fp4ref.emu.block.quant import QUANT_SOURCES, mx_quant, nvfp4_quant
from fp4ref.emu.block.e8m0 import SCALE_RULES
from fp4ref.emu.round import MODES
from fp4ref.emu.unpack import SOURCES
from fp4ref.mac.block_dot import MAX_BLOCKS, MX_BLOCK, NV_BLOCK, SEMANTICS, mx_dot_fp32, nvfp4_dot_fp32
from fp4ref.mac.fp32_round import F32_MODES
from fp4ref.mac.fp_mul import fp_mul
from fp4ref.mac.stream import MAX_LANES, STREAM_POLICIES, mac_stream

from . import dot_pack, fp_mul_pack, quant_pack, stream_pack
from .cases import MAX_RANDOM
from .codec_pack import fmt_record
from .mac_pack import twos
from .unit_pack import Opt, UnitDef, f32_text, register
from .units import Field

U64 = np.uint64
BOOL = (0, 1)
_E2M1 = fmt_record(get_format("e2m1"))


def _random(default: int) -> Opt:
    return Opt("random", default, "seeded random vectors after the corners", kind="int", lo=0, hi=MAX_RANDOM)


def _u(a) -> np.ndarray:
    return np.asarray(a).astype(np.int64).astype(U64)


def _lanes(cols: dict, name: str, arr: np.ndarray) -> None:
    for j in range(arr.shape[1]):
        cols[f"{name}{j}"] = _u(arr[:, j])


# ---- mx_dot and nvfp4_dot ----------------------------------------------------------------------
_DOT_OPTS = (
    Opt("blocks", 1, "K: blocks per vector", kind="int", lo=1, hi=MAX_BLOCKS),
    Opt("semantics", "exact", "exact: one rounding of the exact sum; per_block: each block rounded, "
        "then FP32 additions in block order", choices=SEMANTICS),
    Opt("rounding", "rne", "rounding of every FP32 result", choices=F32_MODES),
    Opt("ftz", 0, "1: subnormal results flushed to signed zero", kind="int", choices=BOOL),
    Opt("acc", 1, "1: an FP32 accumulator input (field acc); 0: the accumulator input is +0",
        kind="int", choices=BOOL),
    Opt("blocks_out", 1, "1: check the per-block FP32 results (fields blk0..)", kind="int", choices=BOOL),
    _random(4000),
)


def _dot_fields(nv: bool):
    size = NV_BLOCK if nv else MX_BLOCK
    scale = ("sa", "sb") if nv else ("xa", "xb")

    def fields(o: dict) -> list[Field]:
        k = o["blocks"]
        out = [Field(f"a{j}", "input", 4) for j in range(size * k)]
        out += [Field(f"b{j}", "input", 4) for j in range(size * k)]
        out += [Field(f"{s}{j}", "input", 8) for s in scale for j in range(k)]
        if nv and o["tscale"]:
            out += [Field("ta", "input", 32), Field("tb", "input", 32)]
        if o["acc"]:
            out.append(Field("acc", "input", 32))
        out += [Field("res", "output", 32), Field("flags", "output", 4)]
        if o["blocks_out"]:
            out += [Field(f"blk{j}", "output", 32) for j in range(k)]
        return out
    return fields


def _dot_build(nv: bool):
    def build(o: dict, seed: int) -> dict:
        a, b, sa, sb, acc, ta, tb = dot_pack.stimulus(nv, o["blocks"], bool(o["acc"]), bool(o.get("tscale")),
                                                      o["random"], seed, edges=bool(o.get("edges")))
        kw = dict(acc=acc if o["acc"] else None, semantics=o["semantics"], rounding=o["rounding"],
                  ftz=bool(o["ftz"]))
        if nv:
            res, flags, blk = nvfp4_dot_fp32(a, b, sa, sb, ta if o["tscale"] else None,
                                             tb if o["tscale"] else None, **kw)
        else:
            res, flags, blk = mx_dot_fp32(a, b, sa, sb, **kw)
        cols = {}
        _lanes(cols, "a", a)
        _lanes(cols, "b", b)
        _lanes(cols, "sa" if nv else "xa", sa)
        _lanes(cols, "sb" if nv else "xb", sb)
        if nv and o["tscale"]:
            cols["ta"], cols["tb"] = _u(ta), _u(tb)
        if o["acc"]:
            cols["acc"] = _u(acc)
        cols["res"], cols["flags"] = _u(res), _u(flags)
        if o["blocks_out"]:
            _lanes(cols, "blk", blk)
        return cols
    return build


def _dot_describe(o: dict, v: dict) -> dict:
    return {"value": f32_text(v["res"])}


register(UnitDef(
    "mx_dot", "MXFP4 dot product: K blocks of 32 E2M1 pairs with E8M0 scales (+ FP32 acc) to FP32",
    _DOT_OPTS, _dot_fields(False), _dot_build(False), format=lambda o: _E2M1, describe=_dot_describe))
register(UnitDef(
    "nvfp4_dot", "NVFP4 dot product: K blocks of 16 E2M1 pairs with UE4M3 scales, FP32 tensor "
    "scales (+ FP32 acc) to FP32",
    _DOT_OPTS[:-1] + (Opt("tscale", 1, "1: FP32 per-tensor scales ta, tb; 0: both 1.0", kind="int",
                          choices=BOOL),
                      Opt("edges", 0, "1: also the FP32 edge corners (operands of +-2^127, inexact results "
                          "just above 2^-126, power-of-two blocks far below 2^-149)", kind="int",
                          choices=BOOL, quiet=True),
                      _DOT_OPTS[-1]),
    _dot_fields(True), _dot_build(True), format=lambda o: _E2M1, describe=_dot_describe))


# ---- mx_quant and nvfp4_quant ------------------------------------------------------------------
def _quant_fields(size: int, nv: bool):
    def fields(o: dict) -> list[Field]:
        out = [Field(f"x{j}", "input", SOURCES[o["src"]].bits) for j in range(size)]
        if nv:
            out.append(Field("ts", "input", 32))
        if o["rounding"] == "sr":
            out += [Field(f"rand{j}", "input", 8) for j in range(size)]
        return out + [Field("scale", "output", 8)] + [Field(f"code{j}", "output", 4) for j in range(size)]
    return fields


def _quant_build(size: int, nv: bool):
    def build(o: dict, seed: int) -> dict:
        x, ts, rand = quant_pack.stimulus(size, o["src"], o["random"], seed, nv)
        sr = o["rounding"] == "sr"
        if nv:
            scale, codes = nvfp4_quant(x, ts, o["src"], o["rounding"], rand if sr else None)
        else:
            scale, codes = mx_quant(x, o["src"], o["rule"], o["rounding"], rand if sr else None)
        cols = {}
        _lanes(cols, "x", x)
        if nv:
            cols["ts"] = _u(ts)
        if sr:
            _lanes(cols, "rand", rand)
        cols["scale"] = _u(scale)
        _lanes(cols, "code", codes)
        return cols
    return build


_SRC = Opt("src", "float32", "source type of the inputs (bit patterns)", choices=QUANT_SOURCES)
_ROUND = Opt("rounding", "rne", "element rounding (sr: 8 random bits per element, fields rand0..)",
             choices=MODES)
register(UnitDef(
    "mx_quant", "MX block quantizer: 32 floats to an E8M0 scale and 32 E2M1 codes",
    (_SRC, Opt("rule", "floor", "E8M0 scale rule (docs/block.md §3)", choices=SCALE_RULES), _ROUND,
     _random(4000)),
    _quant_fields(MX_BLOCK, False), _quant_build(MX_BLOCK, False), format=lambda o: _E2M1))
register(UnitDef(
    "nvfp4_quant", "NVFP4 block quantizer: 16 floats and an FP32 tensor scale to a UE4M3 scale and "
    "16 E2M1 codes", (_SRC, _ROUND, _random(4000)),
    _quant_fields(NV_BLOCK, True), _quant_build(NV_BLOCK, True), format=lambda o: _E2M1))


# ---- mac_stream --------------------------------------------------------------------------------
def _stream_fields(o: dict) -> list[Field]:
    fx, fw = get_format(o["x"]), get_format(o["w"])
    return ([Field("clr", "input", 1), Field("en", "input", 1)]
            + [Field(f"x{j}", "input", fx.bits) for j in range(o["lanes"])]
            + [Field(f"w{j}", "input", fw.bits) for j in range(o["lanes"])]
            + [Field("acc", "output", o["acc_w"], signed=True), Field("ovf", "output", 1)])


def _stream_build(o: dict, seed: int) -> dict:
    clr, en, x, w = stream_pack.stimulus(o["x"], o["w"], o["lanes"], o["acc_w"], o["cycles"], seed)
    acc, ovf = mac_stream(clr, en, x, w, o["x"], o["w"], o["acc_w"], o["policy"])
    cols = {"clr": _u(clr), "en": _u(en)}
    _lanes(cols, "x", x)
    _lanes(cols, "w", w)
    cols["acc"], cols["ovf"] = twos(acc, o["acc_w"]), _u(ovf)
    return cols


def _stream_check(o: dict) -> None:
    for k in ("x", "w"):
        f = get_format(o[k])
        if f.bits > 8:
            raise ValueError(f"{k}: {f.name} has {f.bits} bits; mac_stream takes formats of at most 8 bits")


register(UnitDef(
    "mac_stream", "clocked MAC: L code pairs per cycle, W-bit accumulator and sticky overflow "
    "after every clock edge",
    (Opt("x", "e2m1", "activation format", kind="format"), Opt("w", "e2m1", "weight format", kind="format"),
     Opt("lanes", 1, "L: pairs per cycle", kind="int", lo=1, hi=MAX_LANES),
     Opt("acc_w", 12, "W: accumulator bits", kind="int", lo=2, hi=48),
     Opt("policy", "wrap", "accumulator overflow: wrap (mod 2^W) or saturate", choices=STREAM_POLICIES),
     Opt("cycles", 6000, "seeded random cycles after the structured ones", kind="int", lo=0, hi=MAX_RANDOM)),
    _stream_fields, _stream_build, check=_stream_check,
    format=lambda o: {"name": f"{o['x']} x {o['w']}", "x": fmt_record(get_format(o["x"])),
                      "w": fmt_record(get_format(o["w"]))}))


# ---- fp_mul ------------------------------------------------------------------------------------
def _mul_fields(o: dict) -> list[Field]:
    fa, fb, fo = (get_format(o[k]) for k in "abo")
    out = [Field("a", "input", fa.bits), Field("b", "input", fb.bits)]
    if o["rounding"] == "sr":
        out.append(Field("rand", "input", 8))
    return out + [Field("code", "output", fo.bits), Field("flags", "output", 4)]


def _mul_build(o: dict, seed: int) -> dict:
    a, b, rand = fp_mul_pack.stimulus(o["a"], o["b"], o["rounding"], seed)
    codes, flags = fp_mul(a, b, o["a"], o["b"], o["o"], o["rounding"], o["overflow"],
                          rand if o["rounding"] == "sr" else None)
    cols = {"a": _u(a), "b": _u(b)}
    if o["rounding"] == "sr":
        cols["rand"] = _u(rand)
    cols["code"], cols["flags"] = _u(codes), _u(flags)
    return cols


def _mul_check(o: dict) -> None:
    fo = get_format(o["o"])
    if o["overflow"] == "inf" and not (fo.has_inf or fo.has_nan):
        raise ValueError(f"overflow: inf needs an output format with Inf or NaN; {fo.name} has neither "
                         "(use saturate)")
    for k in "abo":
        if get_format(o[k]).bits > 8:
            raise ValueError(f"{k}: fp_mul takes formats of at most 8 bits, got {o[k]}")


register(UnitDef(
    "fp_mul", "FP multiplier: two codes to their product rounded into a third format, with flags",
    (Opt("a", "e2m1", "first operand format", kind="format"), Opt("b", "e2m1", "second operand format", kind="format"),
     Opt("o", "e2m1", "output format", kind="format"),
     Opt("rounding", "rne", "rounding mode (sr: 8 random bits, field rand)", choices=MODES),
     Opt("overflow", "saturate", "saturate or inf (the output format's Inf, or NaN)", choices=("saturate", "inf"))),
    _mul_fields, _mul_build, check=_mul_check,
    format=lambda o: {"name": f"{o['a']} x {o['b']} -> {o['o']}", **{k: fmt_record(get_format(o[k])) for k in "abo"}}))
