"""The report pipeline on the real model (a few layers, a quick search) and the CLI around it."""
import json
import subprocess
import sys

import numpy as np
import pytest

from fp4ref.quant import answers, experiment
from fp4ref.quant.search import SearchConfig

LAYERS = ["encoder.layer.0.attention.self.query", "encoder.layer.0.output.dense"]


def test_report_rows_and_their_order():
    results = experiment.run(cfg=SearchConfig(n=8, rounds=1), layers=LAYERS)
    by = {r.method: r for r in results}
    assert list(by) == ["minmax_int4", "minmax_e2m1", "fpq_baseline", "fpq"]
    assert by["fpq"].mean_mse < by["minmax_e2m1"].mean_mse < by["minmax_int4"].mean_mse
    for r in results:
        assert set(r.layer_mse) == set(LAYERS) and -1 <= r.cos_min <= r.cos_mean <= 1
    text = experiment.table(results)
    assert text.count("\n") == 4 and "fpq_baseline" in text
    fold = experiment.fold_report(by["fpq"])
    assert "identical integer accumulators" in fold


def test_attention_quantization_changes_the_embedding():
    cfg = SearchConfig(n=4, rounds=1)
    plain = experiment.run(("minmax_e2m1",), cfg, layers=LAYERS[:1])[0]
    attn = experiment.run(("minmax_e2m1",), cfg, layers=LAYERS[:1], attention=True)[0]
    assert attn.cos_mean < plain.cos_mean and attn.attention


def test_answers_compute_their_numbers():
    assert "step = [0.5, 0.5, 1.0, 2.0, 2.0]" in answers.answer_a()
    b = answers.answer_b()
    assert "bit for bit: True" in b and "to 1e-6: True" in b
    assert "at most 27 distinct values for E2M1 (25 fits), 23 for E1M2, 29 for E3M0" in answers.answer_c()
    d = answers.answer_d()
    assert "NOT enough (needs 16)" in d and "2,304" in d


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "fp4ref", *map(str, args)], capture_output=True,
                          text=True, timeout=900)


def test_export_writes_the_hardware_artefacts(tmp_path):
    """`fp4ref llmfp4 export`, run twice into one folder as the re-run check does
    (tests/test_rerun.py), then its artefacts."""
    from tests.rerun import reruns

    reruns(["llmfp4", "export", "--layer", LAYERS[0], "--n", "4", "--rounds", "1", "--calib", "4",
            "--out", tmp_path / "exp"], tmp_path / "exp", tmp_path)
    manifest = json.loads((tmp_path / "exp" / "manifest.json").read_text())
    layer = manifest["layers"][0]
    assert layer["layer"] == LAYERS[0] and layer["fold"] == "rowshift"
    assert set(layer["arrays"]) >= {"w_codes", "act_offsets", "output_scale", "row_shifts"}
    codes = np.load(tmp_path / "exp" / layer["arrays"]["w_codes"]["file"])
    assert codes.shape == (384, 384) and codes.max() < 16
    assert layer["mac"]["accumulator_bits_l1"] <= layer["mac"]["accumulator_bits_worst_case"]


@pytest.mark.parametrize("args, message", [
    (["llmfp4", "export", "--layer", "encoder.nope", "--out", "x"], "is not a Linear"),
    (["llmfp4", "report", "--calib", "0"], "calibration sentences"),
    (["llmfp4", "report", "--methods", "gptq"], "is not one of"),
    (["llmfp4", "report", "--n", "0"], "--n and --rounds"),
])
def test_bad_input_is_one_line(args, message):
    proc = run_cli(*args)
    assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
