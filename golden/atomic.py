"""Write a folder of files atomically, and mark it as fp4ref's: the one writer of every output
folder fp4ref makes (packs, reports, exports), and of the single files it rewrites (write_file:
docs/bad_input.md, the README's generated sections).

The files go to a hidden temporary folder beside the target, which is renamed into place at the
end, so a crash or Ctrl-C never leaves a partial folder under the target name. Every folder
written here holds ``MARKER`` (``.fp4ref-output.json``: the sha256 of each file), and that marker
is the one thing that makes a folder fp4ref's: an existing target is replaced only if it holds
one, never a folder of other files, so running a command twice into one folder works and a
user's own folder is never overwritten."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

MARKER = ".fp4ref-output.json"


def is_ours(out_dir: Path) -> bool:
    """True when out_dir is a folder fp4ref wrote (it holds MARKER)."""
    return (Path(out_dir) / MARKER).is_file()


def check_target(out_dir: Path) -> None:
    """ValueError unless write_folder(out_dir) can succeed: out_dir absent, empty or an fp4ref
    output folder, and its nearest existing ancestor a writable folder. Call it before long work."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise ValueError(f"{out_dir} exists and is not a folder; refusing to overwrite it")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not is_ours(out_dir):
        raise ValueError(f"{out_dir} exists and is not an fp4ref output folder (it has no {MARKER}); "
                         "refusing to overwrite it")
    base = out_dir.absolute().parent
    while not base.exists():
        base = base.parent
    try:                                       # the real test: make and remove a folder there
        os.rmdir(tempfile.mkdtemp(prefix=".fp4ref-probe-", dir=base))
    except OSError as err:
        raise ValueError(f"{out_dir}: cannot create it under {base}: {err.strerror}") from None


def marker_bytes(files: dict[str, bytes]) -> bytes:
    """The marker's content: what wrote the folder and the sha256 of each file (deterministic)."""
    record = {"written_by": "fp4ref", "files": {name: hashlib.sha256(data).hexdigest()
                                                for name, data in sorted(files.items())}}
    return (json.dumps(record, indent=1) + "\n").encode()


def write_folder(out_dir: Path, files: dict[str, bytes]) -> Path:
    """Write ``files`` ({name: bytes}) as the folder out_dir, whole or not at all, with MARKER."""
    out_dir = Path(out_dir)
    if MARKER in files:
        raise ValueError(f"{MARKER} is written by write_folder itself")
    check_target(out_dir)
    files = {**files, MARKER: marker_bytes(files)}
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
            os.rename(out_dir, old / "previous")
            os.rename(tmp, out_dir)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir


def write_file(path: Path, text: str) -> None:
    """Write a file through a temporary file beside it and a rename: all of it or nothing."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
