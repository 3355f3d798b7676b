"""Build a golden pack (vectors.hex + vectors.jsonl + manifest.json) atomically, and load one.

A pack is one unit for one format and one set of options. The same arguments give
byte-identical files: nothing time- or machine-dependent is written. Files go to a hidden
temporary folder beside the target and the folder is renamed into place at the end, so a crash
or Ctrl-C never leaves a partial pack under the target name.
"""
from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import emu
from emu.flags import describe
from emu.round import MODES
from emu.unpack import SOURCES
from emu.spec import FloatFormat

from . import cases, hexfile, manifest, units

GENERATOR = "fp4ref-golden 1"      #: bump when the vectors a given set of arguments yields change
DEFAULT_SEED = 20261124
VECTOR_SETS = ("exhaustive", "level1", "level2")


@dataclass(frozen=True)
class PackSpec:
    unit: str
    fmt: FloatFormat
    src: str | None = None          #: encode: bfloat16, float16 or float32
    rounding: str | None = None     #: encode: emu.round.MODES
    overflow: str | None = None     #: encode: saturate or inf
    vector_set: str = "exhaustive"  #: float32 sources: level1 or level2
    n_random: int | None = None     #: float32 sources: seeded random vectors (None: the level's default)
    seed: int = DEFAULT_SEED

    def __post_init__(self):
        if self.unit not in units.UNITS:
            raise ValueError(f"unit: must be one of {', '.join(units.UNITS)}, got {self.unit!r}")
        if self.unit == "decode":
            units.check_f32_exact(self.fmt)
            return
        if self.src not in units.ENCODE_SOURCES:
            raise ValueError(f"src: must be one of {', '.join(units.ENCODE_SOURCES)}, got {self.src!r}")
        if self.rounding not in MODES:
            raise ValueError(f"rounding: must be one of {', '.join(MODES)}, got {self.rounding!r}")
        if self.overflow not in ("saturate", "inf"):
            raise ValueError(f"overflow: packs use 'saturate' or 'inf', got {self.overflow!r}")
        if self.overflow == "inf" and not (self.fmt.has_inf or self.fmt.has_nan):
            raise ValueError(f"overflow='inf': {self.fmt.name} has neither Inf nor NaN")
        wanted = ("level1", "level2") if self.src == "float32" else ("exhaustive",)
        if self.vector_set not in wanted:
            raise ValueError(f"vector set: {self.src} packs are {' or '.join(wanted)}, got {self.vector_set!r}")

    @property
    def name(self) -> str:
        if self.unit == "decode":
            return f"decode-{self.fmt.name}"
        tail = "" if self.vector_set == "exhaustive" else f"-{self.vector_set}"
        return f"encode-{self.fmt.name}-{self.src}-{self.rounding}-{self.overflow}{tail}"


def _fmt_record(fmt: FloatFormat) -> dict:
    return {"name": fmt.name, "exp_w": fmt.exp_w, "man_w": fmt.man_w, "bias": fmt.bias,
            "subnormals": fmt.subnormals, "specials": fmt.specials, "bits": fmt.bits,
            "int_w": fmt.int_w}


def _options(spec: PackSpec) -> dict:
    if spec.unit == "decode":
        return {}
    options = {"src": spec.src, "rounding": spec.rounding, "overflow": spec.overflow,
               "nan": units.nan_policy(spec.fmt), "sr_bits": units.SR_BITS}
    if spec.src == "float32":
        options["n_random"] = (cases.LEVELS[int(spec.vector_set[-1])][1] if spec.n_random is None
                               else spec.n_random)
    return options


def build(spec: PackSpec) -> tuple[list[units.Field], dict[str, np.ndarray]]:
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
    expected = units.expect_encode(fmt, spec.src, x, rand, spec.rounding, spec.overflow)
    return fields, {"x": x, "rand": rand, **expected}


def _jsonl(spec: PackSpec, columns: dict[str, np.ndarray]) -> bytes:
    """One JSON object per vector, for people: hex fields plus their decoded meaning."""
    fmt = spec.fmt
    code_fields = [fmt.fields(c) for c in range(fmt.n_codes)]
    code_values = [repr(float(v)) for v in emu.decode(np.arange(fmt.n_codes), fmt)]
    if spec.unit == "decode":
        lines = (f'{{"code": "{c:#x}", "fields": "{code_fields[c]}", "value": "{code_values[c]}", '
                 f'"int": "{i:#x}", "f32": "{f:#010x}", "nan": {n}, "inf": {k}}}\n'
                 for c, i, f, n, k in zip(*(columns[k].tolist() for k in ("code", "int", "f32", "nan", "inf"))))
        return "".join(lines).encode()
    x_values = [repr(float(v)) for v in units.source_array(columns["x"], spec.src)]
    flag_names = [describe(f) for f in range(16)]
    digits = SOURCES[spec.src].bits // 4
    lines = (f'{{"x": "{x:#0{digits + 2}x}", "x_value": "{xv}", "rand": {r}, "code": "{c:#x}", '
             f'"fields": "{code_fields[c]}", "value": "{code_values[c]}", "flags": "{flag_names[f]}"}}\n'
             for x, xv, r, c, f in zip(columns["x"].tolist(), x_values, columns["rand"].tolist(),
                                       columns["code"].tolist(), columns["flags"].tolist()))
    return "".join(lines).encode()


def render(spec: PackSpec) -> dict[str, bytes]:
    """The pack's files as bytes: vectors.hex, vectors.jsonl, manifest.json."""
    fields, columns = build(spec)
    slots = hexfile.layout(fields)
    files = {"vectors.hex": hexfile.write_hex(slots, columns), "vectors.jsonl": _jsonl(spec, columns)}
    count = len(columns[fields[0].name])
    record = {
        "schema": manifest.SCHEMA,
        "generator": GENERATOR,
        "unit": spec.unit,
        "format": _fmt_record(spec.fmt),
        "options": _options(spec),
        "vector_set": spec.vector_set,
        "seed": spec.seed,
        "count": count,
        "line_hex_digits": hexfile.line_digits(slots),
        "fields": [{"name": f.name, "role": f.role, "width": f.width, "signed": f.signed,
                    "hex_digits": s.digits, "lsb": s.lsb} for f, s in zip(fields, slots)],
        "files": {name: {"sha256": manifest.sha256(data), "bytes": len(data)}
                  for name, data in files.items()},
    }
    files[manifest.MANIFEST] = manifest.dumps(record)
    return files


def write(spec: PackSpec, out_dir: Path) -> Path:
    """Write the pack to out_dir atomically (replacing an older pack there, never other files)."""
    out_dir = Path(out_dir)
    if out_dir.exists() and (not out_dir.is_dir() or
                             (any(out_dir.iterdir()) and not (out_dir / manifest.MANIFEST).exists())):
        raise ValueError(f"{out_dir} exists and is not a pack; refusing to overwrite it")
    files = render(spec)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    try:
        for name, data in files.items():
            with open(tmp / name, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(tmp, 0o755)
        if out_dir.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
            os.rename(out_dir, old / "pack")
            os.rename(tmp, out_dir)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir


def ensure(spec: PackSpec, root: Path) -> Path:
    """root/<spec.name>, generated unless an intact pack of the same generator is already there.
    A lock file serializes generators (pytest workers) sharing one root."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    target = root / spec.name
    with open(root / ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            found = manifest.verify(target)
            if all(found[k] == v for k, v in identity(spec).items()):
                return target
        except ValueError:
            pass
        return write(spec, target)


def identity(spec: PackSpec) -> dict:
    """The manifest entries that say which arguments produced a pack."""
    return {"generator": GENERATOR, "unit": spec.unit, "format": _fmt_record(spec.fmt),
            "options": _options(spec), "vector_set": spec.vector_set, "seed": spec.seed}


def load(pack_dir: Path) -> tuple[dict, dict[str, np.ndarray]]:
    """Verify a pack's hashes and parse its vectors: (manifest, {field: uint64 column})."""
    record = manifest.verify(pack_dir)
    data = (Path(pack_dir) / "vectors.hex").read_bytes()
    return record, hexfile.read_hex(data, manifest.slots(record), record["count"],
                                    name=f"{pack_dir}/vectors.hex")
