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
import subprocess
import sys
from pathlib import Path

import pytest

from fp4ref.cli import demo
from fp4ref.cli import _parser
from tests import REPO
from tests.rerun import reruns

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


#: commands whose end-to-end test elsewhere runs them twice through tests.rerun.reruns (and
#: checks the output there): command -> that test
COVERED = {
    "accuracy": "tests/quant/test_rtn.py::test_accuracy_quick_end_to_end",
    "llmfp4 export": "tests/quant/test_experiment.py::test_export_writes_the_hardware_artefacts",
}
for _command in COVERED:
    RERUNS.pop(_command, None)


def test_every_command_with_out_is_rerun_here():
    missing = _commands_with_out(_parser()) - set(RERUNS) - set(COVERED)
    assert not missing, f"add these commands to RERUNS: {sorted(missing)}"
    for command, test in COVERED.items():             # the covering test runs the command twice
        path, name = test.split("::")
        src = (REPO / path).read_text()
        body = src.split(f"def {name}(", 1)[1].split("\ndef ", 1)[0]
        assert "reruns(" in body and f'"{command.split()[-1]}"' in body, (command, test)


@pytest.mark.parametrize("command", sorted(RERUNS))
def test_command_reruns_into_its_own_output(command, tmp_path):
    argv, kind, identical = RERUNS[command]
    out = tmp_path / ("report.md" if kind == "file" else "out")
    if "{pack}" in argv:                                 # a command that reads a pack: one first
        subprocess.run([sys.executable, "-m", "fp4ref", "golden", "gen", "--unit", "decode", "-f", "e2m1", "--out",
                        str(tmp_path / "pack")], check=True, capture_output=True, cwd=tmp_path)
    args = [a.replace("{out}", str(out)).replace("{pack}", str(tmp_path / "pack")) for a in argv]
    if "{out}/" in " ".join(argv):                       # a demo step: {out} is the build folder
        out = Path(args[args.index("--out") + 1])
    reruns(args, out, tmp_path, kind, identical)


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
