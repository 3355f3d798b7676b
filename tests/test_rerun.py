"""Every command that writes an output is re-runnable into its own output (issue 20).

Each command runs twice, through the command line as a user would, into the same folder (or
file): the second run must succeed and leave the same files, each whole, with nothing left
beside them. A guard makes sure every sub-command with --out is in the table, so a new
command cannot skip this. The demo's writing steps (fp4ref.demo.WRITING_STEPS: cost, accuracy,
GPTQ, the layer pack on both simulators) are entries of the table, as `make demo` runs them: run
twice into one build folder, they are what failed in `make demo`'s second run.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from fp4ref.golden.atomic import MARKER

from fp4ref.cli import demo
from fp4ref.cli import _parser

LAYER = "encoder.layer.0.attention.self.query"

#: command, argv ({out}: the output), what it writes ("folder" or "file"), byte-identical reruns?
#: (gptq prints its run time into gptq.md and gptq.json; the others are deterministic)
RERUNS = {
    "golden gen": (["golden", "gen", "--unit", "decode", "-f", "e2m1", "--out", "{out}"], "folder", True),
    "golden defaults": (["golden", "defaults", "--formats", "e2m1", "--out", "{out}"], "folder", True),
    "llmfp4 export": (["llmfp4", "export", "--layer", LAYER, "--n", "4", "--rounds", "1", "--calib", "4",
                       "--out", "{out}"],
                      "folder", True),
    "mutate": (["mutate", "--modules", "fp4_round", "--report-only", "--out", "{out}"], "folder", True),
    "llmfp4 report": (["llmfp4", "report", "--methods", "minmax_int4", "--out", "{out}"], "folder", True),
    "badinput": (["badinput", "--only", "lanes-zero", "--markdown", "{out}"], "file", True),
    "export c": (["export", "c", "-f", "e2m1", "--out", "{out}"], "folder", True),
    "golden tb": (["golden", "tb", "{pack}", "--out", "{out}"], "folder", True),
}
#: the demo's writing steps, as `make demo` runs them (cost with --quick on two formats, gptq with
#: one format and the layer pack on one simulator: the same writers, several times faster): run
#: twice into one folder, they are `make demo` run twice
_FASTER = {"cost": ["--quick", "--formats", "int4_full,e2m1"], "gptq": ["--formats", "e2m1"]}


def _one_sim(argv):
    """The layer pack on Verilator only: the writer is the same whatever the simulators."""
    out = list(argv)
    if "--sim" in out:
        i = out.index("--sim")
        while "--sim" in out:
            j = out.index("--sim")
            del out[j:j + 2]
        out[i:i] = ["--sim", "verilator"]
    return out


for _title, _argv in demo.WRITING_STEPS:
    RERUNS[_argv[0]] = (_one_sim([a.replace("{build}/", "{out}/") for a in _argv]) + _FASTER.get(_argv[0], []),
                        "folder", _argv[0] != "gptq")


def _commands_with_out(parser: argparse.ArgumentParser, prefix: str = "") -> set[str]:
    """Every (sub-)command whose parser has an --out option."""
    found = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found |= _commands_with_out(sub, f"{prefix} {name}".strip())
        elif "--out" in action.option_strings and prefix:
            found.add(prefix)
    return found


def test_every_command_with_out_is_rerun_here():
    missing = _commands_with_out(_parser()) - set(RERUNS)
    assert not missing, f"add these commands to RERUNS: {sorted(missing)}"


def _snapshot(path: Path) -> dict[str, bytes]:
    if path.is_file():
        return {path.name: path.read_bytes()}
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("command", sorted(RERUNS))
def test_command_reruns_into_its_own_output(command, tmp_path):
    argv, kind, identical = RERUNS[command]
    out = tmp_path / ("report.md" if kind == "file" else "out")
    if "{pack}" in argv:                                 # a command that reads a pack: one first
        subprocess.run([sys.executable, "-m", "fp4ref", "golden", "gen", "--unit", "decode", "-f", "e2m1", "--out",
                        str(tmp_path / "pack")], check=True, capture_output=True, cwd=tmp_path)
    cmd = [sys.executable, "-m", "fp4ref", *(a.replace("{out}", str(out)).replace("{pack}", str(tmp_path / "pack"))
                                             for a in argv)]
    if "{out}/" in " ".join(argv):                       # a demo step: {out} is the build folder
        out = Path(cmd[cmd.index("--out") + 1])
    snaps = []
    for run in (1, 2):
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=tmp_path)
        assert proc.returncode == 0, f"run {run} of `fp4ref {' '.join(argv)}`: {proc.stderr[-2000:]}"
        snaps.append(_snapshot(out))
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


def test_a_foreign_folder_is_still_refused(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me\n")
    proc = subprocess.run([sys.executable, "-m", "fp4ref", "accuracy", "--quick", "--out", str(mine)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 2 and "refusing to overwrite it" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]


def test_the_demo_writes_only_through_its_steps():
    """What failed in `make demo`'s second run were its output folders: every one is a step above."""
    import inspect
    src = inspect.getsource(demo)
    assert src.count("--out") == len(demo.WRITING_STEPS) and "write_folder" not in src
