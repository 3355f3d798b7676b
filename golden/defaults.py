"""DATA + a small generator: the default pack set (what `make demo` and the RTL tests run).

For every format: the decode pack; encode packs from bfloat16 and float16 (exhaustive) in every
rounding mode, saturating and, where the format has Inf or NaN, overflowing to them; and
TestFloat-style float32 packs at level 1 in every mode.
"""
from __future__ import annotations

from fp4ref.emu import get_format, list_formats
from fp4ref.emu.round import MODES

from .lut_pack import LutPackSpec, decoder_names
from .mac_pack import MacPackSpec
from .mx_pack import MxPackSpec
from .pack import PackSpec

#: the formats `make demo` shows; the tests run every preset
DEMO_FORMATS = ("e2m1", "e2m1_b0", "e3m0", "e1m2", "e2m3", "e3m2", "e4m3", "e5m2")
SOURCES_16 = ("bfloat16", "float16")


def overflows(fmt) -> tuple[str, ...]:
    return ("saturate", "inf") if (fmt.has_inf or fmt.has_nan) else ("saturate",)


def encode_specs(name: str, src: str, float32_level: int = 1) -> list[PackSpec]:
    """Every mode and overflow policy of one format from one source type."""
    fmt = get_format(name)
    vector_set = f"level{float32_level}" if src == "float32" else "exhaustive"
    return [PackSpec("encode", fmt, src, rounding, overflow, vector_set)
            for rounding in MODES for overflow in overflows(fmt)]


def default_specs(formats: tuple[str, ...] | None = None) -> list[list[PackSpec]]:
    """Groups of packs; each group shares one build (unit, format, source type)."""
    groups = []
    for name in formats or tuple(list_formats()):
        groups.append([PackSpec("decode", get_format(name))])
        for src in SOURCES_16 + ("float32",):
            groups.append(encode_specs(name, src))
    return groups


def default_set(formats: tuple[str, ...] | None = None, all_products: bool = False) -> list:
    """The packs of `fp4ref golden defaults`: the codec packs of ``formats`` (every preset when
    None; ValueError for an unknown name before any spec is built), the MAC and MX packs, with
    every preset also the lookup-format and block-unit packs (lookup formats are no presets), and
    with ``all_products`` every finite product of every ordered pair of presets."""
    for name in formats or ():
        get_format(name)
    specs = [s for group in default_specs(formats) for s in group] + mac_specs() + mx_specs()
    if formats is None:
        specs += lut_specs() + [s for group in block_specs() for s in group]
    if all_products:
        specs += [s for s in all_product_specs() if s.name not in {m.name for m in specs}]
    return specs


#: MAC products run through a one-lane fp4_mac (every finite code pair of each)
MAC_PRODUCT_PAIRS = (("e2m1", "e2m1"), ("e3m0", "e2m1"), ("e1m2", "e2m1"), ("e2m1", "e1m2"),
                     ("e2m1_b0", "e3m0_b0"), ("e2m1_nosub", "e2m1"), ("e2m1", "e2m1_nosub"),
                     ("e2m3", "e3m2"), ("e4m3", "e4m3"))
#: MAC dot-product configurations: x, w, lanes, acc_w, policy, order, shift_max
MAC_DOTS = (
    ("e2m1", "e2m1", 16, 13, "wrap", "tree", 0),          # the 13-bit question, no pre-shift
    ("e2m1", "e2m1", 16, 13, "saturate", "sequential", 0),
    ("e2m1", "e2m1", 16, 16, "saturate", "tree", 3),       # ... and with LLM-FP4's pre-shift
    ("e2m1", "e2m1", 16, 16, "wrap", "sequential", 3),
    ("e3m0_b0", "e2m1_b0", 16, 22, "saturate", "tree", 7),
    ("e1m2", "e2m1", 16, 13, "wrap", "tree", 1),
    ("e4m3", "e4m3", 4, 40, "saturate", "sequential", 0),
    ("e2m1", "e2m1", 1, 2, "saturate", "tree", 0),
    ("e2m1", "e2m1", 3, 10, "saturate", "tree", 1),        # a tree padded to 4 leaves
)
#: dot configurations of the shift port's contract (docs/mac.md §5): x, w, lanes, acc_w, policy,
#: order, shift_max, shift_w (bits per lane; the others use bit_length(shift_max))
MAC_DOTS_SHIFT_PORT = (
    ("e2m1", "e2m1", 8, 14, "wrap", "sequential", 3, 0),     # no shift port: every product << B
    ("e2m1", "e2m1", 8, 16, "saturate", "tree", 3, 3),       # shifts 4..7 on the port clamp to B = 3
)


def mac_specs() -> list[MacPackSpec]:
    """The default MAC packs: one build each."""
    specs = [MacPackSpec("product", get_format(x), get_format(w)) for x, w in MAC_PRODUCT_PAIRS]
    return specs + [dot_spec(*row) for row in MAC_DOTS + MAC_DOTS_SHIFT_PORT]


def dot_spec(x: str, w: str, lanes: int, acc_w: int, policy: str, order: str, shift_max: int,
             shift_w: int | None = None) -> MacPackSpec:
    """The dot pack spec of one MAC_DOTS or MAC_DOTS_SHIFT_PORT row."""
    return MacPackSpec("dot", get_format(x), get_format(w), lanes, acc_w, policy, order, shift_max,
                       shift_w=shift_w)


def mx_specs() -> list[MxPackSpec]:
    """The default MX block pack (corners and 20,000 seeded random blocks): one build."""
    return [MxPackSpec()]


#: lookup formats whose cost_mul_<name> multiplier (rtl/cost/) the lut_mul packs check
LUT_MUL_FORMATS = ("int4_full", "e2m1", "e2m1_sr", "e2m1_sp", "e1m2", "e3m0", "apot4", "nf4", "sf4_nu5")


def lut_specs() -> list[LutPackSpec]:
    """The lookup-format packs: every code of every rtl/lut decoder (lut_decode), every valid
    code pair of each multiplier's format (lut_mul)."""
    return ([LutPackSpec("lut_decode", name) for name in decoder_names()]
            + [LutPackSpec("lut_mul", name) for name in LUT_MUL_FORMATS])


def all_product_specs() -> list[MacPackSpec]:
    """Every ordered pair of presets: every finite product of each (docs/mac.md §1)."""
    return [MacPackSpec("product", get_format(x), get_format(w))
            for x in list_formats() for w in list_formats()]


#: the block units' default packs (docs/block.md §7-§12), grouped by build: each row is one
#: parameter set of the reference RTL (unit, options shared by the group) and the options that
#: vary per pack (only shared ports: the rounding mode of the quantizers and fp_mul). Every
#: option value of every unit appears in some row.
BLOCK_BUILDS = (
    ("mx_dot", {"blocks": 1}, [{}]),
    ("mx_dot", {"blocks": 2, "semantics": "per_block", "rounding": "rtz", "ftz": 1}, [{}]),
    ("mx_dot", {"blocks": 3, "acc": 0, "blocks_out": 0, "ftz": 1}, [{}]),
    ("mx_dot", {"blocks": 8, "semantics": "per_block", "random": 500}, [{}]),
    ("nvfp4_dot", {"blocks": 1}, [{}]),
    ("nvfp4_dot", {"blocks": 2, "semantics": "per_block", "rounding": "rtz", "ftz": 1, "tscale": 0}, [{}]),
    ("nvfp4_dot", {"blocks": 4, "acc": 0, "blocks_out": 0, "random": 1000}, [{}]),
    # per-block results of blocks 2 and 3 and full-width tensor scales in them (their stuck-at
    # and scale-decode mutants survive the rows above: docs/mutation.md)
    ("nvfp4_dot", {"blocks": 4, "random": 500}, [{}]),
    ("mx_quant", {"src": "float32", "rule": "floor", "random": 1500}, [{"rounding": m} for m in ("rne", "rna", "rtz", "rup", "rdn", "sr")]),
    ("mx_quant", {"src": "bfloat16", "rule": "rceil", "random": 1500}, [{"rounding": m} for m in ("rne", "sr")]),
    ("mx_quant", {"src": "float16", "rule": "even", "random": 1500}, [{"rounding": m} for m in ("rne", "rtz")]),
    ("mx_quant", {"src": "float32", "rule": "ceil", "random": 1500}, [{"rounding": m} for m in ("rne", "rna")]),
    ("nvfp4_quant", {"src": "float32", "random": 1500}, [{"rounding": m} for m in ("rne", "rna", "rtz", "rup", "rdn", "sr")]),
    ("nvfp4_quant", {"src": "bfloat16", "random": 1500}, [{"rounding": m} for m in ("rne", "sr")]),
    ("nvfp4_quant", {"src": "float16", "random": 1500}, [{"rounding": m} for m in ("rne", "rtz")]),
    ("mac_stream", {"lanes": 1, "acc_w": 12}, [{}]),
    ("mac_stream", {"lanes": 4, "acc_w": 10, "policy": "saturate"}, [{}]),
    ("mac_stream", {"x": "e4m3", "w": "e2m1", "lanes": 2, "acc_w": 20}, [{}]),
    ("fp_mul", {"a": "e2m1", "b": "e2m1", "o": "e2m1"},
     [{"rounding": m} for m in ("rne", "rna", "rtz", "rup", "rdn", "sr")]),
    ("fp_mul", {"a": "e2m1", "b": "e2m1", "o": "e4m3"},
     [{"rounding": m, "overflow": v} for m in ("rne", "rtz", "sr") for v in ("saturate", "inf")]),
    ("fp_mul", {"a": "e5m2", "b": "e5m2", "o": "e5m2"},
     [{"rounding": m, "overflow": v} for m in ("rne", "rup", "sr") for v in ("saturate", "inf")]),
    ("fp_mul", {"a": "e4m3", "b": "e2m1", "o": "e2m1"}, [{"rounding": m} for m in ("rne", "rdn")]),
    # the source-float width of fp4_fp_mul at its tightest, NaN schemes, no fraction bits (these
    # rows kill mutants the rows above let through: docs/mutation.md)
    ("fp_mul", {"a": "e1m2", "b": "e2m1_nosub", "o": "e4m3"}, [{}]),
    ("fp_mul", {"a": "e3m4", "b": "e2m1", "o": "e4m3"}, [{}]),
    ("fp_mul", {"a": "e3m0", "b": "e4m3", "o": "e4m3"}, [{}]),
    ("fp_mul", {"a": "e4m3fnuz", "b": "e3m0", "o": "e4m3"}, [{}]),
    ("fp_mul", {"a": "e2m1_nosub", "b": "e5m2fnuz", "o": "e4m3"}, [{}]),
    # rceil on a float32 source: only float32 reaches q = fl32(amax / 6) = 0 with amax != 0 (amax <=
    # 3 * 2^-149, the corner amax = 2^-149), whose e = -128 clamps to scale 0x00; the bfloat16 rceil
    # row above never gets there (its mutant survives that row: docs/mutation.md). Last, so every
    # campaign target that runs mx_quant packs keeps its cached verdicts as a prefix.
    ("mx_quant", {"src": "float32", "rule": "rceil", "random": 500}, [{"rounding": "rne"}]),
    # the FP32 edge corners (golden.dot_pack.fp32_edges: operands of +-2^127, which are not Inf,
    # inexact results just above 2^-126, which are not tiny, a block that rounds to zero on one
    # sticky bit at the end of fp4_fp32_round's word) under per_block with tensor scales (the
    # additions' and block roundings' tests) and under exact (the Kulisch tail's accumulator
    # test): fp4_fp32_round's mutants that misread them survive the rows above (docs/mutation.md).
    # Last, so the targets that run nvfp4_dot packs (fp4_nvfp4_dot and the files it shares with
    # fp4_mx_dot) keep their cached verdicts as a prefix.
    ("nvfp4_dot", {"blocks": 2, "semantics": "per_block", "edges": 1, "random": 500}, [{}]),
    ("nvfp4_dot", {"blocks": 3, "rounding": "rtz", "ftz": 1, "edges": 1, "random": 500}, [{}]),
)


def block_specs():
    """Groups of block-unit pack specs of one field layout (a run): each BLOCK_BUILDS row (one
    reference-RTL build), its sr packs apart (they add the random-bit fields)."""
    from .unit_pack import UnitPackSpec
    groups = []
    for unit, shared, packs in BLOCK_BUILDS:
        specs = [UnitPackSpec(unit, {**shared, **per}) for per in packs]
        for sr in (False, True):
            part = [s for s in specs if (s.options.get("rounding") == "sr") == sr]
            if part:
                groups.append(part)
    return groups
