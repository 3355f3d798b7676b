"""Pack specs for the codec units (encode, decode): their fields, vectors and JSONL lines."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fp4ref import emu
from fp4ref.emu.flags import describe
from fp4ref.emu.encode import NAN_POLICIES, SIGNED_ZERO
from fp4ref.emu.round import ROUNDINGS
from fp4ref.emu.spec import FloatFormat
from fp4ref.emu.unpack import SOURCES

from . import cases, units

DEFAULT_SEED = 20261124


@dataclass(frozen=True)
class PackSpec:
    unit: str
    fmt: FloatFormat
    src: str | None = None          #: encode: bfloat16, float16 or float32
    rounding: str | None = None     #: encode: emu.round.ROUNDINGS (MODES, and tie variants)
    overflow: str | None = None     #: encode: saturate or inf
    vector_set: str = "exhaustive"  #: float32 sources: level1 or level2
    n_random: int | None = None     #: float32 sources: seeded random vectors (None: the level's default)
    seed: int = DEFAULT_SEED
    #: encode: the NaN policy (None: the contract's, golden.units.nan_policy) and the sign of a
    #: zero result (emu.encode's signed_zero), as a named convention fixes them
    nan: str | None = None
    signed_zero: str = "kept"

    def __post_init__(self):
        if self.unit not in units.UNITS:
            raise ValueError(f"unit: must be one of {', '.join(units.UNITS)}, got {self.unit!r}")
        if self.unit == "decode":
            units.check_f32_exact(self.fmt)
            return
        if self.src not in units.ENCODE_SOURCES:
            raise ValueError(f"src: must be one of {', '.join(units.ENCODE_SOURCES)}, got {self.src!r}")
        if self.rounding not in ROUNDINGS:
            raise ValueError(f"rounding: must be one of {', '.join(ROUNDINGS)}, got {self.rounding!r}")
        if self.nan is not None and (self.nan not in NAN_POLICIES or self.nan in ("auto", "error")
                                     or (self.nan == "nan" and not self.fmt.has_nan)):
            raise ValueError(f"nan: a pack's NaN policy is nan (formats with NaN), zero, max or ml_dtypes, "
                             f"got {self.nan!r}")
        if self.signed_zero not in SIGNED_ZERO:
            raise ValueError(f"signed_zero: must be one of {', '.join(SIGNED_ZERO)}, got {self.signed_zero!r}")
        if self.overflow not in ("saturate", "inf"):
            raise ValueError(f"overflow: packs use 'saturate' or 'inf', got {self.overflow!r}")
        if self.overflow == "inf" and not (self.fmt.has_inf or self.fmt.has_nan):
            raise ValueError(f"overflow='inf': {self.fmt.name} has neither Inf nor NaN")
        wanted = ("level1", "level2") if self.src == "float32" else ("exhaustive",)
        if self.vector_set not in wanted:
            raise ValueError(f"vector set: {self.src} packs are {' or '.join(wanted)}, got {self.vector_set!r}")

    def header(self) -> dict:
        """The manifest entries that say which arguments produced the pack."""
        return {"unit": self.unit, "format": fmt_record(self.fmt), "options": _options(self),
                "vector_set": self.vector_set, "seed": self.seed}

    def build(self):
        return _build(self)

    def jsonl(self, columns) -> bytes:
        return _jsonl(self, columns)

    @property
    def name(self) -> str:
        if self.unit == "decode":
            return f"decode-{self.fmt.name}"
        tail = "" if self.vector_set == "exhaustive" else f"-{self.vector_set}"
        if self.nan is not None and self.nan != units.nan_policy(self.fmt):
            tail += f"-nan_{self.nan}"
        if self.signed_zero != "kept":
            tail += f"-zero_{self.signed_zero}"
        return f"encode-{self.fmt.name}-{self.src}-{self.rounding}-{self.overflow}{tail}"


def fmt_record(fmt: FloatFormat) -> dict:
    return {"name": fmt.name, "exp_w": fmt.exp_w, "man_w": fmt.man_w, "bias": fmt.bias,
            "subnormals": fmt.subnormals, "specials": fmt.specials, "bits": fmt.bits,
            "int_w": fmt.int_w}


def _options(spec) -> dict:
    if spec.unit == "decode":
        return {}
    options = {"src": spec.src, "rounding": spec.rounding, "overflow": spec.overflow,
               "nan": spec.nan or units.nan_policy(spec.fmt), "sr_bits": units.SR_BITS}
    if spec.signed_zero != "kept":                 # absent when kept: older manifests unchanged
        options["signed_zero"] = spec.signed_zero
    if spec.src == "float32":
        options["n_random"] = (cases.LEVELS[int(spec.vector_set[-1])][1] if spec.n_random is None
                               else spec.n_random)
    return options


def _build(spec) -> tuple[list[units.Field], dict[str, np.ndarray]]:
    """The fields and one uint64 column per field (inputs, then expectations from emu)."""
    fmt = spec.fmt
    fields = units.fields(spec.unit, fmt, spec.src)
    if spec.unit == "decode":
        codes = cases.every_code(fmt)
        return fields, {"code": codes, **units.expect_decode(fmt, codes)}
    if spec.src == "float32":
        level = int(spec.vector_set[-1])
        x = cases.float32_cases(fmt, level, spec.n_random, spec.seed)
    else:
        x = cases.every_16bit()
    rand = (cases.sr_rand(x.size, spec.seed, units.SR_BITS) if spec.rounding == "sr"
            else np.zeros(x.size, np.uint64))
    expected = units.expect_encode(fmt, spec.src, x, rand, spec.rounding, spec.overflow,
                                   spec.nan, spec.signed_zero)
    return fields, {"x": x, "rand": rand, **expected}


def _jsonl(spec, columns: dict[str, np.ndarray]) -> bytes:
    """One JSON object per vector, for people: hex fields plus their decoded meaning."""
    fmt = spec.fmt
    code_fields = [fmt.fields(c) for c in range(fmt.n_codes)]
    code_values = [repr(float(v)) for v in emu.decode(np.arange(fmt.n_codes), fmt)]
    if spec.unit == "decode":
        lines = (f'{{"code": "{c:#x}", "fields": "{code_fields[c]}", "value": "{code_values[c]}", '
                 f'"int": "{i:#x}", "f32": "{f:#010x}", "nan": {n}, "inf": {k}}}\n'
                 for c, i, f, n, k in zip(*(columns[k].tolist() for k in ("code", "int", "f32", "nan", "inf"))))
        return "".join(lines).encode()
    heads = _x_heads(spec.src, columns["x"])
    # the rest of a line depends only on (code, flags): one string per pair that occurs
    flag_names = [describe(f) for f in range(16)]
    pair = columns["code"].astype(np.int64) * 16 + columns["flags"].astype(np.int64)
    tails = {int(k): (f'"code": "{k >> 4:#x}", "fields": "{code_fields[k >> 4]}", '
                      f'"value": "{code_values[k >> 4]}", "flags": "{flag_names[k & 15]}"}}\n')
             for k in np.unique(pair).tolist()}
    rand = columns["rand"]
    if not rand.any():
        lines = [h + "0, " + tails[k] for h, k in zip(heads, pair.tolist())]
    else:
        lines = [h + str(r) + ", " + tails[k] for h, r, k in zip(heads, rand.tolist(), pair.tolist())]
    return "".join(lines).encode()


_X_HEADS: dict = {}


def _x_heads(src: str, x: np.ndarray) -> list[str]:
    """Each line's start up to its rand value, for the inputs ``x``: the same for every pack of a
    16-bit source (every input), so the last one is kept (a source's packs are written in a row)."""
    key = (src, x.tobytes())               # exact: a cached head is never another input's
    if key not in _X_HEADS:
        digits = SOURCES[src].bits // 4
        values = units.source_array(x, src).tolist()
        _X_HEADS.clear()
        _X_HEADS[key] = [f'{{"x": "{xi:#0{digits + 2}x}", "x_value": "{v!r}", "rand": '
                         for xi, v in zip(x.tolist(), values)]
    return _X_HEADS[key]
