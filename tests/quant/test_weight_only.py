"""Weight-only RTN / GPTQ / AWQ by perplexity (issue 17, part 4: quant/weight_only.py) on a tiny
LLaMA built here (one block of SmolLM2's architecture, random weights, random token ids), so that
it runs in seconds: every method onto every format makes one row of the table, GPTQ's held-out
layer-output error is below RTN's on every grid, a 3-bit grid is worse than the 4-bit ones, and
bits per weight count the scales. `fp4ref llmfp4 weight-only` refuses bad input in one line,
before the model loads."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest
import torch

from fp4ref.quant import weight_only as wo
from fp4ref.quant.grids import bits_per_weight

SEED = 11
GROUP = 32


@pytest.fixture(scope="module")
def rows():
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(SEED)
    cfg = LlamaConfig(vocab_size=128, hidden_size=64, intermediate_size=128, num_hidden_layers=1,
                      num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=1024)
    model = LlamaForCausalLM(cfg).eval().requires_grad_(False)
    g = torch.Generator().manual_seed(SEED)
    eval_ids, calib_ids = torch.randint(0, 128, (96,), generator=g), torch.randint(0, 128, (384,), generator=g)
    names = wo.block_layers(model)
    assert len(names) == wo.LINEARS_PER_BLOCK
    threads = torch.get_num_threads()
    torch.set_num_threads(1)            # tiny matrices: threads only cost, more so on busy cores
    try:
        return wo.measure(model, names, eval_ids, calib_ids, group_size=GROUP, n_grid=4)
    finally:
        torch.set_num_threads(threads)


def test_every_method_and_format_is_a_row_of_the_table(rows):
    assert (rows[0].method, rows[0].fmt, rows[0].bits) == ("shipped", "q4_1", 5.0)
    assert [(r.method, r.fmt) for r in rows[1:]] == [(m, f) for f in wo.FORMATS for m in wo.METHODS]
    text = wo.table(rows)
    lines = text.splitlines()
    assert lines[0].count("perplexity") == 3 and len(lines) == 3 + len(wo.FORMATS)
    for f in wo.FORMATS:
        cells = next(line for line in lines if line.startswith(f"| {f} |")).strip("|").split("|")
        assert all(re.fullmatch(r" [\d.]+ ", c) for c in cells[1:]), (f, cells)
    assert "as shipped: Q4_1" in lines[2]


def test_gptq_beats_rtn_on_held_out_layer_outputs_on_every_grid(rows):
    by = {(r.method, r.fmt): r for r in rows}
    for f in wo.FORMATS:
        rtn, gptq = by["rtn", f].mean_rel_mse, by["gptq", f].mean_rel_mse
        assert 0 < gptq < rtn, f"seed {SEED}, {f}: GPTQ {gptq:.5f}, RTN {rtn:.5f}"
    for m in wo.METHODS:
        worst4 = max(by[m, f].mean_rel_mse for f in wo.FORMATS if f != "int3_sym")
        assert by[m, "int3_sym"].mean_rel_mse > 2 * worst4, m
    for r in rows[1:]:
        assert set(r.layer_rel_mse) == set(rows[1].layer_rel_mse) and r.ppl > 1


def test_bits_per_weight_count_the_scales_of_the_real_groups():
    assert bits_per_weight("int4_sym", 128) == 4.125 and bits_per_weight("int4_asym", 128) == 4 + 20 / 128
    assert bits_per_weight("e2m1", -1) == 4.0 and bits_per_weight("int3_sym", 128) == 3.125
    # SmolLM2's 576 inputs are 4.5 groups of 128: the short last group costs a whole scale
    assert bits_per_weight("nf4", 128, [(576, 576), (1536, 576), (576, 1536)]) == pytest.approx(
        4 + 16 * (576 * 5 + 1536 * 5 + 576 * 12) / (576 * 576 + 2 * 1536 * 576))


@pytest.mark.parametrize("args, message", [
    (["--methods", "gptq,bogus"], "--methods: 'bogus' is not one of rtn, gptq, awq"),
    (["--formats", "e2m1,bogus"], "--formats: unknown format 'bogus'"),
    (["--blocks", "0,30"], "--blocks: block numbers 0..29"),
    (["--tokens", "1"], "--tokens must be at least 2"),
    (["--readme", "nothere.md"], "nothere.md is not a file"),
])
def test_bad_input_is_one_line(args, message, tmp_path):
    res = subprocess.run([sys.executable, "-m", "fp4ref", "llmfp4", "weight-only", "--quick", *args],
                         capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert res.returncode == 2 and message in res.stderr, res.stderr[-800:]
    assert len(res.stderr.strip().splitlines()) == 1 and list(tmp_path.iterdir()) == []
