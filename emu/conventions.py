"""DATA + tiny adapters: other libraries' conventions as named records of deltas (style.md).

Each record says which encode() options reproduce that library; the engine never branches on
a library.
"""
from __future__ import annotations

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
