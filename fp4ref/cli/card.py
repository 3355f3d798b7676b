"""The format card: every code with its fields, exact value, integer mapping and RNE interval."""
from __future__ import annotations

from fp4ref.emu import decode, get_format, int_map
from fp4ref.emu.decode import FINITE, int_table
from fp4ref.emu.intervals import nearest_intervals
from fp4ref.emu.spec import FloatFormat


def _g(v) -> str:
    return f"{float(v):.10g}"


def format_card(fmt: str | FloatFormat) -> str:
    fmt = get_format(fmt)
    layout = "S|" + "E" * fmt.exp_w + ("|" + "M" * fmt.man_w if fmt.man_w else "")
    lines = [
        f"format {fmt}",
        f"  {fmt.bits}-bit codes {layout}, {fmt.n_codes} codes; max {_g(fmt.max_value)}, "
        f"min normal {_g(fmt.min_normal)}, " + (f"min subnormal {_g(fmt.min_subnormal)}"
                                                if fmt.min_subnormal < fmt.min_normal else "no subnormals"),
        f"  NaN: {'yes' if fmt.has_nan else 'none'}; Inf: {'yes' if fmt.has_inf else 'none'}; "
        f"negative zero: {'yes' if fmt.has_neg_zero else 'no'}",
        f"  integer mapping: value = I * 2^{fmt.int_unit_exp}, |I| <= {fmt.int_max}, "
        f"signed int{fmt.int_w}",
        "",
        f"  {'code':>5}  {'fields':<{fmt.bits + 2}}  {'value':>14}  {'I':>6}  RNE inputs (saturating)",
    ]
    values = decode(range(fmt.n_codes), fmt)
    kinds = int_table(fmt).kind
    ints = int_map([c for c in range(fmt.n_codes) if kinds[c] == FINITE], fmt)
    int_of = dict(zip([c for c in range(fmt.n_codes) if kinds[c] == FINITE], ints))
    interval = {row.code: row for row in nearest_intervals(fmt, "rne")}
    for code in range(fmt.n_codes):
        mag = code & fmt.mag_mask
        if not fmt.is_canonical(code):
            where = "non-canonical: decodes as zero, never produced"
        elif mag not in interval or (code != mag and not fmt.has_neg_zero):
            where = ""   # NaN, Inf, or fnuz's would-be negative zero
        elif code == mag:
            where = str(interval[mag])
        else:
            where = interval[mag].negated()
        i = str(int_of[code]) if code in int_of else "-"
        lines.append(f"  {code:#5x}  {fmt.fields(code):<{fmt.bits + 2}}  {values[code]:>14.10g}  "
                     f"{i:>6}  {where}")
    return "\n".join(lines)
