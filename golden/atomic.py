"""Write a folder of files atomically: a hidden temporary folder beside the target, renamed
into place at the end, so a crash or Ctrl-C never leaves a partial folder under the target name.
An existing target is replaced only if it holds ``manifest.json`` (one of ours), never other files."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

MARKER = "manifest.json"


def check_target(out_dir: Path) -> None:
    """ValueError unless write_folder(out_dir) can succeed: out_dir absent or an fp4ref output
    folder, and its nearest existing ancestor a writable folder. Call it before long work."""
    out_dir = Path(out_dir)
    if out_dir.exists() and (not out_dir.is_dir() or
                             (any(out_dir.iterdir()) and not (out_dir / MARKER).exists())):
        raise ValueError(f"{out_dir} exists and is not an fp4ref output folder; refusing to overwrite it")
    base = out_dir.absolute().parent
    while not base.exists():
        base = base.parent
    try:                                       # the real test: make and remove a folder there
        os.rmdir(tempfile.mkdtemp(prefix=".fp4ref-probe-", dir=base))
    except OSError as err:
        raise ValueError(f"{out_dir}: cannot create it under {base}: {err.strerror}") from None


def write_folder(out_dir: Path, files: dict[str, bytes]) -> Path:
    out_dir = Path(out_dir)
    check_target(out_dir)
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
