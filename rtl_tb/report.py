"""Mismatch reports: input, expected and got, each split into fields with bitstring."""
from __future__ import annotations

import re

import numpy as np
from bitstring import Bits

from emu.flags import describe
from golden.unit_pack import unit_names
from emu.unpack import SOURCES

#: source float layouts (exponent, mantissa widths) for splitting inputs
_SOURCE_FIELDS = {name: (s.exp_w, s.man_w) for name, s in SOURCES.items()}


def split(value: int, exp_w: int, man_w: int) -> str:
    """'S|EEEE|MMM' of a sign-magnitude float bit pattern."""
    b = Bits(uint=value, length=1 + exp_w + man_w).bin
    return "|".join(p for p in (b[0], b[1:1 + exp_w], b[1 + exp_w:]) if p)


#: outputs of the block units that hold binary32 bit patterns
_F32_FIELDS = re.compile(r"^(res|blk\d+)$")


def _f32(bits: int) -> str:
    value = float(np.uint32(bits).view(np.float32))
    return f"{bits:#010x} ({value!r}; {split(bits, 8, 23)})"


def _grouped(inputs: dict[str, int]) -> str:
    """Inputs of a wide unit: lane fields x0, x1, ... as one hex digit string per field name
    (lane 0 first), the others in hex."""
    groups: dict[str, list[int]] = {}
    for k, v in inputs.items():
        groups.setdefault(re.sub(r"\d+$", "", k) if re.search(r"\d$", k) else k, []).append(v)
    parts = []
    for name, values in groups.items():
        if len(values) == 1:
            parts.append(f"{name}={values[0]:#x}")
        else:
            digits = max(1, max(v.bit_length() for v in values) + 3 >> 2)
            parts.append(f"{name}[0..]=" + " ".join(f"{v:0{digits}x}" for v in values))
    return " ".join(parts)


def describe_block_unit(index: int, inputs: dict[str, int], expected: dict[str, int], got: dict[str, int]) -> str:
    """A failing vector of a block unit: inputs grouped, FP32 outputs with value and fields, flags
    by name, other outputs in hex (only the outputs that differ)."""
    parts = []
    differ = [n for n in expected if expected[n] != got[n]] or list(expected)   # X/Z: equal as read
    for name in differ:
        e, g = expected[name], got[name]
        if _F32_FIELDS.match(name):
            parts.append(f"{name} expected {_f32(e)} got {_f32(g)}")
        elif name == "flags":
            parts.append(f"flags expected {describe(e)} got {describe(g)}")
        else:
            parts.append(f"{name} expected {e:#x} got {g:#x}")
    return f"vector {index}: {_grouped(inputs)}: " + "; ".join(parts)


def describe_mismatch(manifest: dict, index: int, inputs: dict[str, int],
                      expected: dict[str, int], got: dict[str, int]) -> str:
    """One multi-field line for a failing vector of a pack."""
    if manifest["unit"] in unit_names():
        return describe_block_unit(index, inputs, expected, got)
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
