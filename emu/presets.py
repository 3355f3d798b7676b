"""DATA ONLY: one record per named format, plus the other libraries' names as aliases.

Sources: formats.md §2.3 (OCP MX elements), §6 and llm-fp4.md §1.3 (LLM-FP4 bias-0 grids),
§8 (ml_dtypes types). Adding a format is adding one line here (style.md, "Adding a format").
"""
from __future__ import annotations

from .spec import FloatFormat

_F = FloatFormat

PRESETS: dict[str, FloatFormat] = {f.name: f for f in (
    # OCP MX element formats (formats.md §2.3)
    _F("e2m1", exp_w=2, man_w=1, bias=1, specials="fn"),        # MXFP4 / NVFP4 element, max 6
    _F("e2m3", exp_w=2, man_w=3, bias=1, specials="fn"),        # MXFP6, max 7.5
    _F("e3m2", exp_w=3, man_w=2, bias=3, specials="fn"),        # MXFP6, max 28
    _F("e4m3", exp_w=4, man_w=3, bias=7, specials="fn_nan"),    # OFP8 E4M3FN, max 448
    _F("e5m2", exp_w=5, man_w=2, bias=15, specials="ieee"),     # OFP8 E5M2, max 57344
    # the other 4-bit splits with the IEEE bias 2^(E-1) - 1 (formats.md §6 table)
    _F("e3m0", exp_w=3, man_w=0, bias=3, specials="fn"),        # {0, 0.25, ..., 16} = llm-datatypes fp4_log
    _F("e1m2", exp_w=1, man_w=2, bias=0, specials="fn"),        # {0, 0.5, ..., 3.5}: uniform, = INT4 x 0.5
    # LLM-FP4's bias-0 grids S(e, m); the real bias 2^-b is a separate scale (llm-fp4.md §1.3)
    _F("e2m1_b0", exp_w=2, man_w=1, bias=0, specials="fn"),     # {0, 1, 2, 3, 4, 6, 8, 12}
    _F("e3m0_b0", exp_w=3, man_w=0, bias=0, specials="fn"),     # {0, 2, 4, ..., 128}
    # (E1M2's IEEE bias is already 0, so e1m2 is its own bias-0 grid: alias e1m2_b0)
    # E2M1 with exponent field 0 as zero only: {0, 1, 1.5, 2, 3, 4, 6} (formats.md §6)
    _F("e2m1_nosub", exp_w=2, man_w=1, bias=1, subnormals=False, specials="fn"),
    # further 8-bit types that ml_dtypes also implements (independent oracle for each policy)
    _F("e4m3_ieee", exp_w=4, man_w=3, bias=7, specials="ieee"),   # ml_dtypes float8_e4m3
    _F("e3m4", exp_w=3, man_w=4, bias=3, specials="ieee"),        # ml_dtypes float8_e3m4
    _F("e4m3fnuz", exp_w=4, man_w=3, bias=8, specials="fnuz"),    # ml_dtypes float8_e4m3fnuz
    _F("e5m2fnuz", exp_w=5, man_w=2, bias=16, specials="fnuz"),   # ml_dtypes float8_e5m2fnuz
    _F("e4m3b11fnuz", exp_w=4, man_w=3, bias=11, specials="fnuz"),  # ml_dtypes float8_e4m3b11fnuz
)}

#: other libraries' names for the same formats (never second definitions)
ALIASES: dict[str, str] = {
    "float4_e2m1fn": "e2m1",
    "fp4_e2m1": "e2m1",
    "float6_e2m3fn": "e2m3",
    "float6_e3m2fn": "e3m2",
    "float8_e4m3fn": "e4m3",
    "e4m3fn": "e4m3",
    "float8_e5m2": "e5m2",
    "float8_e4m3": "e4m3_ieee",
    "float8_e3m4": "e3m4",
    "float8_e4m3fnuz": "e4m3fnuz",
    "float8_e5m2fnuz": "e5m2fnuz",
    "float8_e4m3b11fnuz": "e4m3b11fnuz",
    "fp4_log": "e3m0",
    "llmfp4_e2m1": "e2m1_b0",
    "llmfp4_e3m0": "e3m0_b0",
    "llmfp4_e1m2": "e1m2",
    "e1m2_b0": "e1m2",
}
