"""Mismatch reports: input, expected and got, each split into fields with bitstring."""
from __future__ import annotations

from bitstring import Bits

from emu.flags import describe
from emu.unpack import SOURCES

#: source float layouts (exponent, mantissa widths) for splitting inputs
_SOURCE_FIELDS = {name: (s.exp_w, s.man_w) for name, s in SOURCES.items()}


def split(value: int, exp_w: int, man_w: int) -> str:
    """'S|EEEE|MMM' of a sign-magnitude float bit pattern."""
    b = Bits(uint=value, length=1 + exp_w + man_w).bin
    return "|".join(p for p in (b[0], b[1:1 + exp_w], b[1 + exp_w:]) if p)


def describe_mismatch(manifest: dict, index: int, inputs: dict[str, int],
                      expected: dict[str, int], got: dict[str, int]) -> str:
    """One multi-field line for a failing vector of a pack."""
    fmt = manifest["format"]
    code_split = lambda c: split(c, fmt["exp_w"], fmt["man_w"])   # noqa: E731 (local helper)
    if manifest["unit"] not in ("encode", "decode"):
        fmt = None
    if manifest["unit"] == "encode":
        src = manifest["options"]["src"]
        head = f"x={inputs['x']:#x} ({split(inputs['x'], *_SOURCE_FIELDS[src])})"
        if manifest["options"]["rounding"] == "sr":
            head += f" rand={inputs['rand']}"
        parts = []
        for name in expected:
            e, g = expected[name], got[name]
            if name == "code":
                parts.append(f"code expected {e:#x} ({code_split(e)}) got {g:#x} ({code_split(g)})")
            elif name == "flags":
                parts.append(f"flags expected {describe(e)} got {describe(g)}")
        return f"vector {index}: {head}: " + "; ".join(parts)
    if manifest["unit"] == "decode":
        head = f"code={inputs['code']:#x} ({code_split(inputs['code'])})"
    else:   # MAC units: every input field, in hex
        head = " ".join(f"{k}={v:#x}" for k, v in inputs.items())
    parts = [f"{name} expected {expected[name]:#x} got {got[name]:#x}" for name in expected]
    return f"vector {index}: {head}: " + "; ".join(parts)
