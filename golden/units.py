"""DATA + model functions: for each unit, its vector fields and how emu computes expectations.

A field is an input or an expected output of one vector. Widths depend on the format and the
source type; the order here is the order in a hex line, most significant first.
"""
from __future__ import annotations

from dataclasses import dataclass

import ml_dtypes
import numpy as np

from fp4ref import emu
from fp4ref.emu.spec import FloatFormat
from fp4ref.emu.unpack import SOURCES

UNITS = ("encode", "decode")
ENCODE_SOURCES = ("bfloat16", "float16", "float32")
SR_BITS = 8     #: rand_i width of the encode contract (docs/rtl_contract.md)


@dataclass(frozen=True)
class Field:
    name: str       #: field name in the manifest and the JSONL
    role: str       #: "input" or "output"
    width: int      #: significant bits
    signed: bool = False


def fields(unit: str, fmt: FloatFormat, src: str | None = None) -> list[Field]:
    if unit == "encode":
        return [Field("x", "input", SOURCES[src].bits), Field("rand", "input", SR_BITS),
                Field("code", "output", fmt.bits), Field("flags", "output", 4)]
    if unit == "decode":
        return [Field("code", "input", fmt.bits), Field("int", "output", fmt.int_w, signed=True),
                Field("f32", "output", 32), Field("nan", "output", 1), Field("inf", "output", 1)]
    raise ValueError(f"unit: must be one of {', '.join(UNITS)}, got {unit!r}")


def nan_policy(fmt: FloatFormat) -> str:
    """The NaN policy of the RTL contract: the format's NaN, or a signed zero without one."""
    return "nan" if fmt.has_nan else "zero"


def source_array(bits: np.ndarray, src: str) -> np.ndarray:
    dtype = ml_dtypes.bfloat16 if src == "bfloat16" else np.dtype(src)
    return bits.astype(SOURCES[src].bits_dtype).view(dtype)


def expect_encode(fmt: FloatFormat, src: str, bits: np.ndarray, rand: np.ndarray,
                  rounding: str, overflow: str, nan: str | None = None,
                  signed_zero: str = "kept") -> dict[str, np.ndarray]:
    """code and flags; nan None is the contract's policy (nan_policy)."""
    x = source_array(bits, src)
    codes, flags = emu.encode(x, fmt, rounding=rounding, overflow=overflow, nan=nan or nan_policy(fmt),
                              rand=rand if rounding == "sr" else None, sr_bits=SR_BITS, flags=True,
                              signed_zero=signed_zero)
    return {"code": codes.astype(np.uint64), "flags": flags.astype(np.uint64)}


def check_f32_exact(fmt: FloatFormat) -> None:
    """The decode contract's f32_o needs every value to be a float32 normal or zero."""
    if fmt.emin - fmt.man_w < -126 or fmt.emax > 127:
        raise ValueError(f"decode: {fmt.name}'s values are not all float32 normals "
                         f"(exponents {fmt.emin - fmt.man_w}..{fmt.emax}); f32_o cannot be exact")


def expect_decode(fmt: FloatFormat, codes: np.ndarray) -> dict[str, np.ndarray]:
    check_f32_exact(fmt)
    iv = emu.decode_int(codes, fmt)
    finite = iv.kind == 0
    ints = np.zeros(codes.shape, np.int64)
    ints[finite] = emu.int_map(codes[finite], fmt)
    values = emu.decode(codes, fmt)
    nan = np.isnan(values)
    with np.errstate(invalid="ignore"):
        f32 = values.astype(np.float32).view(np.uint32).astype(np.uint64)   # exact: checked above
    f32[nan] = (iv.sign[nan].astype(np.uint64) << np.uint64(31)) | np.uint64(0x7FC00000)
    mask = np.uint64((1 << fmt.int_w) - 1)
    return {"int": ints.astype(np.uint64) & mask, "f32": f32,
            "nan": nan.astype(np.uint64), "inf": np.isinf(values).astype(np.uint64)}
