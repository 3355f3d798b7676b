"""DATA + tiny adapters: other libraries' conventions as named records of deltas (style.md).

Each record says which options reproduce that library; the engine never branches on a library.
The named conventions (OCP MX, ml_dtypes, ggml, ...) are records of emu/conventions.toml, each
fixing the choices where implementations differ (formats.md §10), cited in docs/conventions.md.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .registry import get_format
from .spec import FloatFormat

#: fp4ref preset -> ml_dtypes type name (one code per byte, value in the low bits)
ML_DTYPES_NAMES: dict[str, str] = {
    "e2m1": "float4_e2m1fn",
    "e2m3": "float6_e2m3fn",
    "e3m2": "float6_e3m2fn",
    "e4m3": "float8_e4m3fn",
    "e5m2": "float8_e5m2",
    "e4m3_ieee": "float8_e4m3",
    "e3m4": "float8_e3m4",
    "e4m3fnuz": "float8_e4m3fnuz",
    "e5m2fnuz": "float8_e5m2fnuz",
    "e4m3b11fnuz": "float8_e4m3b11fnuz",
}


def ml_dtypes_options(fmt: str | FloatFormat) -> dict:
    """encode() options that reproduce ml_dtypes' float32 -> fmt cast (formats.md §8).

    RNE; formats without Inf or NaN saturate (ml_dtypes' infinity() is the max, so ±inf -> ±max);
    formats with NaN or Inf overflow to them (E4M3FN: 465 -> NaN; E5M2: 61440 -> inf);
    NaN follows 'from_sign ? -quiet_NaN : quiet_NaN' (+NaN -> the -0 code in FP4/FP6).
    """
    fmt = get_format(fmt)
    overflow = "inf" if (fmt.has_inf or fmt.has_nan) else "saturate"
    return {"rounding": "rne", "overflow": overflow, "nan": "ml_dtypes"}


# ---- named conventions (issue 15): emu/conventions.toml, one record each ----------------------
#: every field of a record, its allowed values and what each means (docs/conventions.md §1)
FIELDS: dict[str, dict[str, str]] = {
    "element_ties": {
        "rne": "nearest, ties to the even significand",
        "rna": "nearest, ties away from zero",
        "rnz": "nearest, ties toward zero (the smaller magnitude, the lower code)",
        "rnm": "nearest, ties toward -infinity (the lower neighbour)",
        "rnp": "nearest, ties toward +infinity",
        "unspecified": "not fixed by the source",
    },
    "overflow": {
        "saturate": "beyond the largest finite value: +-max",
        "inf": "beyond the largest finite value: +-Inf, or NaN where the format has no Inf",
        "unspecified": "not fixed by the source",
    },
    "nan_input": {
        "nan": "the format's NaN",
        "zero": "zero with the input's sign",
        "max": "+-max",
        "ml_dtypes": "+NaN -> the -0 code, -NaN -> +0 (formats without NaN)",
        "block": "the whole block is NaN (its scale is the NaN code)",
        "undefined": "undefined behaviour in the source",
        "unspecified": "not fixed by the source",
    },
    "signed_zero": {
        "kept": "-0.0 and negative values that round to zero give the -0 code",
        "positive": "every zero result is the +0 code",
        "unspecified": "not fixed by the source",
    },
    "subnormals": {
        "kept": "subnormal inputs and results are exact values",
        "flushed": "subnormal inputs or results are flushed to zero",
        "unspecified": "not fixed by the source",
    },
    "nibble_order": {
        "low_first": "element 2i in the low nibble, 2i + 1 in the high nibble",
        "high_first": "element 2i in the high nibble",
        "ggml_halves": "element j low and j + 16 high in a 32-element block",
        "ggml_nvfp4": "per 16-element sub-block, element j low and j + 8 high",
        "unpacked": "one code per byte",
        "unspecified": "not prescribed",
    },
    "scale_rule": {
        "floor": "E8M0 exponent floor(log2 amax) - emax_elem (OCP Algorithm 1)",
        "ceil": "E8M0 exponent ceil(log2 amax - emax_elem)",
        "even": "amax rounded to the element's mantissa width, then floor",
        "rceil": "E8M0 = amax / max_elem rounded up (cvt.rp.ue8m0x2.f32)",
        "nvfp4": "UE4M3 block scale amax / 6 over an FP32 tensor scale (two levels)",
        "absmax": "a real-valued scale: the block's absolute maximum over the table's maximum",
        "signed_max": "the block's signed maximum over the most negative code value (ggml Q4_0)",
        "min_max": "an asymmetric scale and minimum from the block's min and max (ggml Q4_1)",
        "calibrated": "a per-tensor or per-channel scale from calibration and search",
        "none": "no scale",
    },
    "scale_rounding": {
        "exact": "the scale is a power of two computed without rounding",
        "e4m3_rne": "the UE4M3 scale rounded to nearest even",
        "e4m3_half_up": "the UE4M3 scale rounded half up, [248, 448] collapsed to 448 (ggml)",
        "fp32": "the scale is a float32 value",
        "fp16": "the scale is stored as float16",
        "real": "a real value kept in floating point (no stored format)",
        "none": "no scale",
    },
}

CONVENTIONS_FILE = Path(__file__).with_name("conventions.toml")


@dataclass(frozen=True)
class Convention:
    """One named convention: the choices where implementations differ (formats.md §10)."""
    name: str
    title: str
    source: str          #: where each choice is documented or read (docs/conventions.md cites it)
    element_ties: str
    overflow: str
    nan_input: str
    signed_zero: str
    subnormals: str
    nibble_order: str
    scale_rule: str
    scale_rounding: str
    notes: str = ""

    def choices(self) -> dict[str, str]:
        return {f: getattr(self, f) for f in FIELDS}


@lru_cache(maxsize=None)
def conventions() -> dict[str, Convention]:
    """Every named convention of emu/conventions.toml, in file order."""
    data = tomllib.loads(CONVENTIONS_FILE.read_text())
    out = {}
    for name, rec in data.items():
        missing = [f for f in ("title", "source", *FIELDS) if f not in rec]
        unknown = sorted(set(rec) - {"title", "source", "notes", *FIELDS})
        if missing or unknown:
            raise ValueError(f"{CONVENTIONS_FILE.name} [{name}]: missing {missing}, unknown {unknown}")
        for f, allowed in FIELDS.items():
            if rec[f] not in allowed:
                raise ValueError(f"{CONVENTIONS_FILE.name} [{name}]: {f} = {rec[f]!r} is not one of "
                                 f"{', '.join(allowed)}")
        out[name] = Convention(name=name, **rec)
    return out


def get_convention(name: str) -> Convention:
    """The convention ``name``; a ValueError listing the known ones otherwise."""
    known = conventions()
    if name not in known:
        raise ValueError(f"unknown convention {name!r}; known: {', '.join(known)}")
    return known[name]


def encode_options(conv: Convention | str, fmt: str | FloatFormat) -> dict:
    """The emu.encode() options (rounding, overflow, nan, signed_zero) that a convention fixes for
    ``fmt``; the choices it leaves unspecified are absent (fp4ref's defaults apply). A ValueError
    names a choice that encode() cannot reproduce (flushed subnormals)."""
    from .encode import NAN_POLICIES

    conv = get_convention(conv) if isinstance(conv, str) else conv
    fmt = get_format(fmt)
    out = {}
    if conv.element_ties != "unspecified":
        out["rounding"] = conv.element_ties
    if conv.overflow == "inf" and not (fmt.has_inf or fmt.has_nan):
        out["overflow"] = "saturate"        # nothing to overflow to: every library saturates then
    elif conv.overflow != "unspecified":
        out["overflow"] = conv.overflow
    if conv.nan_input in NAN_POLICIES and not (conv.nan_input == "nan" and not fmt.has_nan):
        out["nan"] = conv.nan_input
    if conv.signed_zero == "positive":
        out["signed_zero"] = "positive"
    if conv.subnormals == "flushed":
        raise ValueError(f"convention {conv.name}: subnormals = 'flushed' has no encode option "
                         "(fp4ref keeps subnormals)")
    return out


def mx_quant_options(conv: Convention | str) -> dict:
    """The mx_quant unit's options (rule, rounding) that a convention fixes; a ValueError names
    a choice the MX quantizer packs cannot make (a scale rule that is not an E8M0 rule, zero
    results without their sign)."""
    from .block import SCALE_RULES

    conv = get_convention(conv) if isinstance(conv, str) else conv
    if conv.scale_rule not in SCALE_RULES:
        raise ValueError(f"convention {conv.name}: its scale rule {conv.scale_rule!r} is not an E8M0 rule "
                         f"of mx_quant ({', '.join(SCALE_RULES)})")
    if conv.signed_zero == "positive":
        raise ValueError(f"convention {conv.name}: signed_zero 'positive' has no mx_quant option "
                         "(the MX quantizer packs keep the sign of zero)")
    out = {"rule": conv.scale_rule}
    if conv.element_ties != "unspecified":
        out["rounding"] = conv.element_ties
    return out
