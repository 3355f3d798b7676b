"""The re-run check (issue 20): a command run twice, through the command line as a user runs it,
into the same output must succeed both times and leave the same files, each whole, with nothing
beside them. tests/test_rerun.py applies it to every command with --out; a test that runs a
command end to end anyway (tests/test_rerun.py's COVERED) applies it there, and checks the
output's content on the second run's files, so the command runs twice, not three times."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from fp4ref.golden.atomic import MARKER


def snapshot(path: Path) -> dict[str, bytes]:
    if path.is_file():
        return {path.name: path.read_bytes()}
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def reruns(argv: list[str], out: Path, cwd: Path, kind: str = "folder", identical: bool = True,
           timeout: float = 600) -> dict[str, bytes]:
    """Run `fp4ref *argv` twice (argv writes ``out``, a "folder" or a "file"); assert the re-run
    properties; return the second run's files ({relative name: bytes})."""
    cmd = [sys.executable, "-m", "fp4ref", *map(str, argv)]
    snaps = []
    for run in (1, 2):
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=cwd)
        assert proc.returncode == 0, f"run {run} of `fp4ref {' '.join(map(str, argv))}`: {proc.stderr[-2000:]}"
        snaps.append(snapshot(out))
    assert snaps[0].keys() == snaps[1].keys(), (sorted(snaps[0]), sorted(snaps[1]))
    if identical:
        changed = [n for n in snaps[0] if snaps[0][n] != snaps[1][n]]
        assert not changed, f"the second run wrote different bytes in {changed}"
    if kind == "folder":              # each folder written is marked (defaults: each pack in it)
        markers = [n for n in snaps[1] if Path(n).name == MARKER]
        assert markers, "no marker written"
        for m in markers:
            folder = Path(m).parent
            listed = set(json.loads(snaps[1][m])["files"])
            assert listed == {Path(n).name for n in snaps[1] if Path(n).parent == folder} - {MARKER}
    leftovers = sorted(p.name for p in out.parent.iterdir() if p.name.startswith("."))
    assert not leftovers, f"temporary folders left beside the output: {leftovers}"
    return snaps[1]
