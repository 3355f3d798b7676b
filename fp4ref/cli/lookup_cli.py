"""`fp4ref formats | card | encode | decode` for the lookup formats of emu.lookup (NF4, SF4,
E2M1-SR/SP, APoT4, INT4, bitsandbytes FP4, ...). The float presets keep their own commands; a
name that is not a preset but is a lookup format (emu.lookup.is_lookup) comes here."""
from __future__ import annotations

import numpy as np

from fp4ref.emu.lookup import TIE_HELP, decode, encode, get_lookup, lookup_names
from fp4ref.emu.registry import list_formats


def _value(bits: int) -> float:
    return float(np.array(bits, dtype=np.uint32).view(np.float32))


def list_table() -> str:
    lines = ["", "lookup formats (emu.lookup; docs/lookup.md): fp4ref card NAME shows every code",
             f"{'name':<14} {'layout':<15} {'unit':>6} {'max':>8} {'tie':<10}  title"]
    for n in lookup_names():
        if n in list_formats():
            continue
        f = get_lookup(n)
        unit = "-" if f.unit is None else str(f.unit)
        lines.append(f"{n:<14} {f.layout:<15} {unit:>6} {f.max_value:>8g} {f.default_tie:<10}  {f.title}")
    return "\n".join(lines)


def card(name: str) -> str:
    f = get_lookup(name)
    lines = [f"{f.name}: {f.title}", f"  source: {f.source}; code layout: {f.layout}; RTN scale rule: "
             f"{f.scale_rule} (max value {f.max_value:g}); default tie rule: {f.default_tie}",
             "  integer mapping: " + ("none (the decoder outputs float32 constants)" if f.unit is None
                                       else f"value = I * {f.unit}"),
             f"{'code':>6}  {'float32 bits':>14}  {'value':>24}  {'I':>5}"]
    for c in range(16):
        if not f.valid[c]:
            lines.append(f"  {c:04b}  {'-':>14}  {'unused':>24}  {'-':>5}")
            continue
        i = "-" if f.ints is None else str(f.ints[c])
        lines.append(f"  {c:04b}  0x{f.f32_bits[c]:08x}    {_value(f.f32_bits[c])!r:>24}  {i:>5}")
    lines.append("  rtl/lut/fp4_lut_%s.v decodes these codes" % f.name
                 if f.name not in ("e2m1", "e1m2", "e3m0") else "")
    return "\n".join(lines).rstrip()


def cmd_encode(args, x: np.ndarray) -> int:
    f = get_lookup(args.format)
    tie = args.tie or f.default_tie
    codes = encode(x.astype(np.float32), f, tie)
    values = decode(codes, f)
    print(f"{f.name}, nearest value, ties: {tie} ({TIE_HELP[tie]})")
    print(f"{'input':>24}  {'code':>6}  {'value':>24}")
    for xi, c, v in zip(x, codes, values):
        print(f"{float(xi)!r:>24}  {int(c):04b}  {float(v)!r:>24}")
    return 0


def cmd_decode(args, codes: np.ndarray) -> int:
    f = get_lookup(args.format)
    values = decode(codes, f)
    print(f"{'code':>6}  {'value':>24}  {'I':>5}")
    for c, v in zip(codes, values):
        i = "-" if f.ints is None else str(f.ints[int(c)])
        print(f"  {int(c):04b}  {float(v)!r:>24}  {i:>5}")
    return 0
