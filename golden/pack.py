"""Build a golden pack (vectors.hex + vectors.jsonl + manifest.json) atomically, and load one.

A pack is one unit for one format and one set of options. The same arguments give
byte-identical files: nothing time- or machine-dependent is written. Files go to a hidden
temporary folder beside the target and the folder is renamed into place at the end, so a crash
or Ctrl-C never leaves a partial pack under the target name.
"""
from __future__ import annotations

import fcntl
import json
import shutil
from pathlib import Path

import numpy as np

from . import hexfile, manifest
from .atomic import is_ours, write_folder
from .codec_pack import DEFAULT_SEED, PackSpec  # noqa: F401  (re-exported: the codec units)

GENERATOR = "fp4ref-golden 2"      #: bump when the vectors a given set of arguments yields change


def render(spec) -> dict[str, bytes]:
    """The pack's files as bytes: vectors.hex, vectors.jsonl, manifest.json.

    ``spec`` is any pack spec (codec_pack.PackSpec, mac_pack.MacPackSpec): it names itself,
    builds its fields and columns, writes its JSONL lines and says what produced it.
    """
    fields, columns = spec.build()
    slots = hexfile.layout(fields)
    files = {"vectors.hex": hexfile.write_hex(slots, columns), "vectors.jsonl": spec.jsonl(columns)}
    count = len(columns[fields[0].name])
    record = {
        "schema": manifest.SCHEMA,
        "generator": GENERATOR,
        **spec.header(),
        "count": count,
        "line_hex_digits": hexfile.line_digits(slots),
        "fields": [{"name": f.name, "role": f.role, "width": f.width, "signed": f.signed,
                    "hex_digits": s.digits, "lsb": s.lsb} for f, s in zip(fields, slots)],
        "files": {name: {"sha256": manifest.sha256(data), "bytes": len(data)}
                  for name, data in files.items()},
    }
    files[manifest.MANIFEST] = manifest.dumps(record)
    return files


def unmarked_pack(folder: Path) -> bool:
    """True when folder is a pack written before output folders were marked (fp4ref-golden 1):
    its manifest names an fp4ref generator and lists every other file in the folder."""
    try:
        record = json.loads((Path(folder) / manifest.MANIFEST).read_text())
        names = {p.name for p in Path(folder).iterdir()}
    except (OSError, ValueError):
        return False
    return (isinstance(record, dict) and str(record.get("generator", "")).startswith("fp4ref-golden ")
            and isinstance(record.get("files"), dict) and names == {manifest.MANIFEST, *record["files"]})


def write(spec, out_dir: Path) -> Path:
    """Write the pack to out_dir atomically (replacing an older pack there, never other files;
    an older pack is one that holds the marker or, written before markers, an unmarked_pack)."""
    out_dir = Path(out_dir)
    files = render(spec)
    if out_dir.is_dir() and not is_ours(out_dir) and unmarked_pack(out_dir):
        shutil.rmtree(out_dir)            # a stale cache entry of an older fp4ref: nothing else in it
    return write_folder(out_dir, files)


def ensure(spec, root: Path) -> Path:
    """root/<spec.name>, generated unless an intact pack of the same generator is already there.
    A lock file per pack serializes the generators (pytest workers) of that pack; different packs
    are generated side by side."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    target = root / spec.name
    with open(root / f".{spec.name}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            found = manifest.verify(target)
            if all(found[k] == v for k, v in identity(spec).items()):
                return target
        except ValueError:
            pass
        return write(spec, target)


def identity(spec) -> dict:
    """The manifest entries that say which arguments produced a pack."""
    return {"generator": GENERATOR, **spec.header()}


def load(pack_dir: Path) -> tuple[dict, dict[str, np.ndarray]]:
    """Verify a pack's hashes and parse its vectors: (manifest, {field: uint64 column})."""
    record = manifest.verify(pack_dir)
    data = (Path(pack_dir) / "vectors.hex").read_bytes()
    return record, hexfile.read_hex(data, manifest.slots(record), record["count"],
                                    name=f"{pack_dir}/vectors.hex")
