"""`fp4ref export c`: one format's reference model as C (a header and a source) for DPI-C
scoreboards in SystemVerilog and C test benches.

The encoder is C written from docs/encoding.md (golden/c/fp4ref_format.c.in: a second
implementation of the rules, not a translation of the Python engine); the tables (each code's
float32 value, the integer mapping, the products of two codes) are written here from the model.
tests/golden/test_c_export.py checks the C against the model on every float16 and bfloat16 input
in every mode and on 10^6 seeded float32 inputs.
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from fp4ref.emu import decode, decode_int, get_format, int_map
from fp4ref.emu.spec import FloatFormat

from . import units

TEMPLATES = Path(__file__).with_name("c")
_SPECIALS = {"fn": "fn (no Inf, no NaN)", "fn_nan": "fn_nan (one NaN per sign)", "ieee": "ieee (Inf, NaN)",
             "fnuz": "fnuz (one zero, the -0 code is NaN)"}


def _ints(values, per_line: int = 8) -> str:
    items = [str(int(v)) for v in values]
    rows = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return "\n    " + ",\n    ".join(rows) + "\n"


def _hex32(values, per_line: int = 8) -> str:
    items = [f"0x{int(v):08X}u" for v in values]
    rows = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return "\n    " + ",\n    ".join(rows) + "\n"


def sources(fmt: str | FloatFormat) -> dict[str, str]:
    """{file name: text} of the C export of ``fmt`` (a ValueError names what cannot be exported)."""
    from fp4ref.emu.lookup import lookup_names

    try:
        fmt = get_format(fmt)
    except ValueError:
        if isinstance(fmt, str) and fmt in lookup_names():
            raise ValueError(f"export c: {fmt} is a lookup format; the C export holds ExMy presets "
                             f"(its table: `fp4ref card {fmt}`)") from None
        raise
    if not isinstance(fmt, FloatFormat):
        raise ValueError(f"export c: {fmt} is not an ExMy format")
    if fmt.bits > 8:
        raise ValueError(f"export c: {fmt.name} has {fmt.bits} bits; the C export holds formats of at most 8 bits")
    units.check_f32_exact(fmt)               # every value a float32, exactly
    name = re.sub(r"\W", "_", fmt.name)
    codes = np.arange(fmt.n_codes)
    values = decode(codes, fmt)
    with np.errstate(invalid="ignore"):
        bits = values.astype(np.float32).view(np.uint32).astype(np.int64)
    kind = decode_int(codes, fmt).kind
    nan = np.isnan(values)
    neg = (codes & fmt.sign_bit) != 0
    bits[nan] = np.where(neg[nan], 0xFFC00000, 0x7FC00000)        # a quiet NaN with the code's sign
    ints = np.zeros(fmt.n_codes, np.int64)
    finite = kind == 0
    ints[finite] = int_map(codes[finite], fmt)
    prods = np.outer(ints.astype(object), ints.astype(object))
    fits = all(-(1 << 63) <= int(p) < (1 << 63) for p in prods.ravel())
    if fits:
        table = (f"static const int64_t PRODUCTS[{fmt.n_codes}][{fmt.n_codes}] = {{"
                 + ",".join("{" + _ints(row, 16) + "}" for row in prods) + "};\n")
        function = (f"int64_t fp4ref_{name}_product(uint8_t a, uint8_t b) "
                    f"{{ return PRODUCTS[a & {fmt.n_codes - 1}u][b & {fmt.n_codes - 1}u]; }}\n")
        decl = f"int64_t fp4ref_{name}_product(uint8_t a, uint8_t b); /* I(a) * I(b) */"
    else:
        table = f"/* no product table: products of {fmt.name} need more than 64 bits */\n"
        function = ""
        decl = f"/* no fp4ref_{name}_product: products of {fmt.name} need more than 64 bits */"
    subst = {
        "NAME": name, "UNAME": name.upper(), "EXP_W": fmt.exp_w, "MAN_W": fmt.man_w, "BIAS": fmt.bias,
        "SUBN": "on" if fmt.subnormals else "off", "SUBN_C": int(fmt.subnormals),
        "SPECIALS": _SPECIALS[fmt.specials], "SIGN_BIT": fmt.sign_bit, "MAX_CODE": fmt.max_code,
        "HAS_NAN": int(fmt.has_nan), "HAS_INF": int(fmt.has_inf), "FNUZ": int(fmt.specials == "fnuz"),
        "NAN_POS": fmt.nan_code(False) if fmt.has_nan else 0, "NAN_NEG": fmt.nan_code(True) if fmt.has_nan else 0,
        "INF_CODE": fmt.inf_code or 0, "N_CODES": fmt.n_codes, "CODE_MASK": fmt.n_codes - 1,
        "VALUES": _hex32(bits), "INTS": _ints(ints), "PRODUCT_TABLE": table, "PRODUCT_FUNCTION": function,
        "PRODUCT_DECL": decl,
    }

    def fill(text: str) -> str:
        out = re.sub(r"@([A-Z_]+)@", lambda m: str(subst[m.group(1)]), text)
        assert "@" not in out, "a template placeholder was left"
        return out
    return {f"fp4ref_{name}.h": fill((TEMPLATES / "fp4ref_format.h.in").read_text()),
            f"fp4ref_{name}.c": fill((TEMPLATES / "fp4ref_format.c.in").read_text())}
