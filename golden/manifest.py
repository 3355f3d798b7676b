"""manifest.json: what a pack holds, how its lines are laid out, and the sha256 of each file.

``verify(dir)`` re-hashes every file and checks the layout; it is what `fp4ref golden verify`
runs and what every bench runs before it trusts a pack.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .hexfile import Slot

SCHEMA = 1
MANIFEST = "manifest.json"
REQUIRED = ("schema", "generator", "unit", "format", "options", "vector_set", "seed", "count",
            "line_hex_digits", "fields", "files")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def dumps(manifest: dict) -> bytes:
    """Deterministic text: fixed key order as built, two-space indent, final newline."""
    return (json.dumps(manifest, indent=2) + "\n").encode()


def load(pack_dir: Path) -> dict:
    """The manifest of a pack; ValueError for a missing, malformed or incomplete one."""
    path = Path(pack_dir) / MANIFEST
    if not Path(pack_dir).is_dir():
        raise ValueError(f"{pack_dir}: not a pack directory (no such directory)")
    if not path.is_file():
        raise ValueError(f"{pack_dir}: no {MANIFEST}; not a pack")
    try:
        manifest = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ValueError(f"{path}: malformed JSON ({err})") from None
    missing = [k for k in REQUIRED if not isinstance(manifest, dict) or k not in manifest]
    if missing:
        raise ValueError(f"{path}: missing keys {', '.join(missing)}")
    if manifest["schema"] != SCHEMA:
        raise ValueError(f"{path}: schema {manifest['schema']!r}, this fp4ref reads schema {SCHEMA}")
    problem = _layout_problem(manifest)
    if problem:
        raise ValueError(f"{path}: {problem} (garbled manifest)")
    return manifest


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _layout_problem(m: dict) -> str | None:
    """What is wrong with the entries a reader relies on (types, and the line layout of
    hexfile.layout: each field in (width + 3) // 4 digits, packed from the LSB up), or None."""
    if not _is_int(m["count"]) or m["count"] < 0:
        return f"count must be an integer >= 0, got {m['count']!r}"
    files = m["files"]
    if not isinstance(files, dict) or not all(
            isinstance(n, str) and n and "/" not in n and n not in (".", "..") and isinstance(v, dict)
            and isinstance(v.get("sha256"), str) and _is_int(v.get("bytes")) for n, v in files.items()):
        return "files must map plain file names to {sha256, bytes}"
    fields = m["fields"]
    if not isinstance(fields, list) or not fields or not all(
            isinstance(f, dict) and isinstance(f.get("name"), str)
            and all(_is_int(f.get(k)) for k in ("width", "hex_digits", "lsb")) for f in fields):
        return "fields must be a non-empty list of {name, width, hex_digits, lsb}"
    lsb = 0
    for f in reversed(fields):
        if f["width"] < 1 or f["hex_digits"] != (f["width"] + 3) // 4 or f["lsb"] != lsb:
            return (f"field {f['name']}: width {f['width']}, hex_digits {f['hex_digits']}, lsb {f['lsb']} "
                    f"do not follow the line layout")
        lsb += 4 * f["hex_digits"]
    if m["line_hex_digits"] != lsb // 4:
        return f"line_hex_digits {m['line_hex_digits']!r}, the fields add up to {lsb // 4}"
    return None


def slots(manifest: dict) -> list[Slot]:
    return [Slot(f["name"], f["width"], f["hex_digits"], f["lsb"]) for f in manifest["fields"]]


def verify(pack_dir: Path) -> dict:
    """Re-hash every file of the pack; ValueError describing the first corruption found."""
    pack_dir = Path(pack_dir)
    manifest = load(pack_dir)
    for name, meta in manifest["files"].items():
        path = pack_dir / name
        if not path.is_file():
            raise ValueError(f"{pack_dir}: {name} is missing")
        data = path.read_bytes()
        if len(data) != meta["bytes"]:
            raise ValueError(f"{pack_dir}: {name} has {len(data)} bytes, the manifest says "
                             f"{meta['bytes']} (truncated or modified)")
        digest = sha256(data)
        if digest != meta["sha256"]:
            raise ValueError(f"{pack_dir}: {name} sha256 {digest[:16]}... does not match the "
                             f"manifest's {meta['sha256'][:16]}... (corrupted or modified)")
    return manifest
