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
    return manifest


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
