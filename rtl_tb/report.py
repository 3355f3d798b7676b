"""Mismatch reports: input, expected and got, each split into fields with bitstring."""
from __future__ import annotations

import re

import ml_dtypes
import numpy as np
from bitstring import Bits

from fp4ref.emu.flags import describe
from fp4ref.golden.unit_pack import unit_names
from fp4ref.emu.unpack import SOURCES

#: source float layouts (exponent, mantissa widths) for splitting inputs, and their numpy types
_SOURCE_FIELDS = {name: (s.exp_w, s.man_w) for name, s in SOURCES.items()}
_SOURCE_DTYPES = {"float32": np.float32, "float16": np.float16, "bfloat16": ml_dtypes.bfloat16}


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


def fmt_of(record: dict):
    """The FloatFormat of a manifest's format record."""
    from fp4ref.emu.spec import FloatFormat
    return FloatFormat(record["name"], record["exp_w"], record["man_w"], record["bias"], record["subnormals"],
                       record["specials"])


def code_value(fmt, code: int) -> str:
    """The exact value of a code, as Python prints a float."""
    from fp4ref.emu import decode
    return repr(float(decode(np.array([code]), fmt)[0]))


def ulps(fmt, a: int, b: int) -> int | None:
    """Steps between two finite codes along the format's value line (None: a NaN or Inf)."""
    if any(fmt.is_nan_code(c) or fmt.is_inf_code(c) for c in (a, b)):
        return None

    def pos(c):   # the index of a code on the line of finite values, 0 at zero
        mag = c & fmt.mag_mask
        return -mag if c & fmt.sign_bit else mag
    return abs(pos(a) - pos(b))


def code_text(fmt, code: int) -> str:
    """'0x1 (0|00|1 = 0.5)'."""
    return f"{code:#x} ({fmt.fields(code)} = {code_value(fmt, code)})"


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
        f = fmt_of(fmt)
        x = inputs["x"]
        with np.errstate(invalid="ignore"):
            xv = float(np.array([x], SOURCES[src].bits_dtype).view(_SOURCE_DTYPES[src])[0])
        head = f"x={x:#x} ({split(x, *_SOURCE_FIELDS[src])} = {xv!r})"
        if manifest["options"]["rounding"] == "sr":
            head += f" rand={inputs['rand']}"
        parts = []
        for name in expected:
            e, g = expected[name], got[name]
            if name == "code":
                d = ulps(f, e, g)
                parts.append(f"code expected {code_text(f, e)} got {code_text(f, g)}"
                             + (f", {d} ulp off" if d else ""))
            elif name == "flags":
                parts.append(f"flags expected {describe(e)} got {describe(g)}")
        return f"vector {index}: {head}: " + "; ".join(parts)
    if manifest["unit"] == "decode":
        f = fmt_of(fmt)
        head = f"code={code_text(f, inputs['code'])}"
        parts = []
        for name in expected:
            e, g = expected[name], got[name]
            if name == "f32":
                parts.append(f"f32 expected {e:#010x} ({float(np.uint32(e).view(np.float32))!r}) got {g:#010x} "
                             f"({float(np.uint32(g).view(np.float32))!r})")
            else:
                parts.append(f"{name} expected {e:#x} got {g:#x}")
        return f"vector {index}: {head}: " + "; ".join(parts)
    else:   # MAC units: every input field, in hex
        head = " ".join(f"{k}={v:#x}" for k, v in inputs.items())
    parts = [f"{name} expected {expected[name]:#x} got {got[name]:#x}" for name in expected]
    return f"vector {index}: {head}: " + "; ".join(parts)
