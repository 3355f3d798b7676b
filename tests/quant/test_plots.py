"""`fp4ref llmfp4 report --out DIR` (issue 17, part 5): report.md and its PNG plots, from the
experiments' own results. The writer draws every picture report.md names (and no other), the
same bytes on a second run; the command writes them into a folder a user names and refuses,
in one line and before any work, a folder it must not or cannot write."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field

import numpy as np
import pytest

from fp4ref.quant import plots
from fp4ref.quant.methods import IntQuant
from fp4ref.quant.search import LayerQuant

LAYERS = [f"model.layers.{b}.{n}" for b in range(3) for n in ("self_attn.q_proj", "mlp.down_proj")]


@dataclass
class FakeRow:
    """What quant.ppl_experiment.run returns per method (the fields the plots read)."""
    method: str
    ppl: float
    layer_rel_mse: dict = field(default_factory=dict)
    quantizers: dict = field(default_factory=dict)


def _rows(seed=3):
    rng = np.random.default_rng(seed)
    fmts = [(2, 1), (3, 0)]
    rows = [FakeRow("shipped", 22.0)]
    rows.append(FakeRow("minmax_int4", 6e5, {n: float(rng.uniform(0.1, 1)) for n in LAYERS},
                        {n: IntQuant(np.ones(4), 1.0) for n in LAYERS}))
    fpq = {}
    for i, n in enumerate(LAYERS):
        a = fmts[i % 2]
        fpq[n] = LayerQuant((2, 1), np.zeros(4), a, 3.0, rng.integers(0, 1 << a[0], 16))
    rows.append(FakeRow("fpq", 180.0, {n: float(rng.uniform(0.001, 0.01)) for n in LAYERS}, fpq))
    return rows


def test_the_plots_are_the_pictures_report_md_names_and_rerun_byte_for_byte():
    rows = _rows()
    data = plots.summary(rows, "smollm2")
    assert [m["method"] for m in data["methods"]] == ["minmax_int4", "fpq"]
    fpq = data["methods"][1]
    # the histogram counts every channel of every layer once, by the layer's activation format
    assert sum(map(sum, fpq["offsets"].values())) == 16 * len(LAYERS)
    assert len(fpq["offsets"]["E3M0"]) == 8 and len(fpq["offsets"]["E2M1"]) == 4
    assert data["methods"][0]["formats"][0] == ["INT4", "INT4"] and fpq["formats"][1] == ["E2M1", "E3M0"]
    points = [{"method": "shipped", "fmt": "q4_1", "bits": 5.0, "ppl": 21.0}] + [
        {"method": m, "fmt": f, "bits": b, "ppl": p} for m in ("rtn", "gptq")
        for f, b, p in (("e2m1", 4.135, 24.0), ("int3_sym", 3.135, 40.0))]
    first = plots.files("| table |\n", data, points, "Weight-only rows: a test.")
    again = plots.files("| table |\n", plots.summary(_rows(), "smollm2"), points, "Weight-only rows: a test.")
    assert first == again, [n for n in first if first[n] != again.get(n)]
    named = set(re.findall(r"\]\(([\w.]+\.png)\)", first["report.md"].decode()))
    assert named == {n for n in first if n.endswith(".png")} == {
        plots.LAYER_ERROR, plots.FORMATS, plots.OFFSETS, plots.PPL_BITS}
    assert all(first[n].startswith(b"\x89PNG\r\n\x1a\n") and b"Software" not in first[n] for n in named)


def test_minilm_has_no_perplexity_plot_and_no_offsets_without_the_pre_shift():
    rows = [r for r in _rows() if r.method == "minmax_int4"]
    for r in rows:
        del r.ppl                                      # experiment.MethodResult has no perplexity
    data = plots.summary(rows, "minilm")
    out = plots.files("method  layer MSE\n", data)
    assert sorted(out) == ["formats.png", "layer_error.png", "report.md"]
    md = out["report.md"].decode()
    assert "```\nmethod  layer MSE\n```" in md and "not perplexity" in md and "run `fpq`" in md


def fp4ref(*args, cwd, env=None):
    return subprocess.run([sys.executable, "-m", "fp4ref", "llmfp4", "report", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, timeout=600, env=env)


def test_the_command_writes_the_report_folder(tmp_path):
    # one thread: small matrices, and 2 threads on 2 busy cores take 4 times as long
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    res = fp4ref("--methods", "minmax_int4", "--fresh", "--out", tmp_path / "rep", cwd=tmp_path, env=env)
    assert res.returncode == 0, res.stderr[-2000:]
    files = sorted(p.name for p in (tmp_path / "rep").iterdir())
    assert files == [".fp4ref-output.json", "formats.png", "layer_error.png", "report.md"], files
    md = (tmp_path / "rep" / "report.md").read_text()
    assert md.startswith("# LLM-FP4 W4A4 report: all-MiniLM-L6-v2") and "minmax_int4" in md
    assert "2 plots written to" in res.stdout


@pytest.mark.parametrize("target, message", [("afile", "exists and is not a folder"),
                                             ("afile/rep", "cannot create it under")])
def test_out_where_no_folder_can_be_is_one_line(tmp_path, target, message):
    (tmp_path / "afile").write_text("mine\n")
    res = fp4ref("--methods", "minmax_int4", "--fresh", "--out", tmp_path / target, cwd=tmp_path)
    assert res.returncode == 2 and message in res.stderr, res.stderr[-800:]
    assert len(res.stderr.strip().splitlines()) == 1 and "Traceback" not in res.stderr
    assert (tmp_path / "afile").read_text() == "mine\n" and sorted(p.name for p in tmp_path.iterdir()) == ["afile"]
