"""`fp4ref llmfp4 report --model smollm2` (issue 17, part 3) end to end on a few windows, as a user
runs it: the model as shipped has a finite perplexity on the held-out play, W4A4 MinMax INT4 is
worse than it, and the table says what the reference is; bad input is one line."""
from __future__ import annotations

import re
import subprocess
import sys


def fp4ref(*args, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "fp4ref", "llmfp4", "report", "--model", "smollm2", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, timeout=900)


def test_the_report_runs_on_a_few_windows(tmp_path):
    res = fp4ref("--quick", "--methods", "shipped,minmax_int4", "--tokens", "128", "--fresh", cwd=tmp_path)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    assert "the reference is the model as shipped: llama.cpp's Q4_1 weights dequantized to float32" in res.stdout
    ppl = {m: float(v) for m, v in re.findall(r"^\| (\w+) \| ([\d.]+) \|", res.stdout, re.M)}
    assert set(ppl) == {"shipped", "minmax_int4"}, res.stdout
    assert 1 < ppl["shipped"] < 200 and ppl["minmax_int4"] > ppl["shipped"], ppl


def test_bad_input_is_one_line(tmp_path):
    for args, text in ((["--tokens", "10000000"], "fewer than the 10,000,000 asked for"),
                       (["--methods", "awq"], "'awq' is not one of shipped"),
                       (["--alpha", "2", "--methods", "smoothquant"], "--alpha must be in [0, 1]"),
                       (["--attention"], "MiniLM only")):
        res = fp4ref("--quick", "--fresh", *args, cwd=tmp_path)
        assert res.returncode == 2, (args, res.stderr[-500:])
        assert text in res.stderr and len(res.stderr.strip().splitlines()) == 1, (args, res.stderr[-800:])
