"""`make test`'s first step: one line and exit 1 when the disk cannot hold the run, instead of
hundreds of "No space left on device" errors from wherever the disk filled (it happened on CI).

A run from a fresh clone writes FRESH_BYTES (golden packs, simulator builds and caches under
build/fp4ref, pytest's folders under the temporary directory); what the build folder already
holds is reused, so a re-run needs only the difference."""
import os
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
#: measured on a fresh clone (`du -s build/fp4ref` after make test, plus pytest's basetemp), rounded up
FRESH_BYTES = 4.0e9


def _size(folder: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(folder):
        for f in files:
            try:
                total += os.lstat(os.path.join(root, f)).st_size
            except OSError:
                pass
    return total


def main() -> int:
    build = Path(os.environ.get("FP4REF_BUILD_DIR", REPO / "build" / "fp4ref"))
    need = max(0.0, FRESH_BYTES - (_size(build) if build.exists() else 0))
    probe = build if build.exists() else REPO
    folders = {os.stat(probe).st_dev: str(probe)}
    folders.setdefault(os.stat(tempfile.gettempdir()).st_dev, tempfile.gettempdir())
    free = min(shutil.disk_usage(f).free for f in folders.values())
    if free < need:
        print(f"make test: {free / 1e9:.1f} GB free on the disk of {' and '.join(folders.values())}, "
              f"and the run writes about {need / 1e9:.1f} GB more: free some space first", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
