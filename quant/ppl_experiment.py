"""LLM-FP4's W4A4 table on a real LLaMA-architecture LLM (issue 17, part 3): SmolLM2-135M by
perplexity on held-out text.

Model: SmolLM2-135M-Instruct as shipped, i.e. its llama.cpp Q4_1 weights dequantized to float32
(quant.smollm2.load): that is the "float" reference of every row, and every table says so.
Text: the held-out play (quant.smollm2.EVAL_PLAY) for perplexity, non-overlapping windows of
WINDOW tokens; calibration activations come from another play (CALIB_PLAY) only.
Methods: the rows of llm-fp4.md's comparison, every Linear of the 30 blocks quantized W4A4
(lm_head, tied to the embedding, stays as shipped, as in the paper's setting):

  minmax_int4, minmax_e2m1, fpq_baseline, fpq     quant.methods (as for MiniLM)
  smoothquant                                     SmoothQuant alpha migration, then INT4 W4A4 with
                                                  the same static per-tensor / per-channel scales
Perplexity = exp(mean token NLL) over every predicted token of the evaluation windows.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import torch

from . import smollm2
from .methods import (METHODS as LAYER_METHODS, IntQuant, QuantLinear, calibrate, describe, operand_formats,
                      output_error)
from .minilm import linear_names, replace_linears
from .search import SearchConfig
from .smoothquant import smooth_scales

WINDOW = 512
METHODS = ("shipped", "minmax_int4", "minmax_e2m1", "smoothquant", "fpq_baseline", "fpq")


@dataclass
class SmoothIntQuant:
    """SmoothQuant W4A4: x / s and W * s (the same layer in float), each fake-quantized to INT4
    -7..7 with IntQuant's static scales (weights per output channel, activations per tensor)."""
    s: torch.Tensor
    inner: IntQuant

    def quant_weight(self, w: torch.Tensor) -> torch.Tensor:
        return self.inner.quant_weight(w * self.s[None, :])

    def quant_act(self, x: torch.Tensor) -> torch.Tensor:
        return self.inner.quant_act(x / self.s)

    def describe(self) -> str:
        return "W INT4 / A INT4 (smoothed)"


def layer_formats(q) -> tuple[str, str]:
    """(weight format, activation format) of any quantizer run() calibrates."""
    return operand_formats(q.inner if isinstance(q, SmoothIntQuant) else q)


def smooth_calibrate(x: torch.Tensor, w: torch.Tensor, alpha: float) -> SmoothIntQuant:
    s = torch.from_numpy(smooth_scales(x.abs().amax(dim=0).double().numpy(), w.double().numpy(), alpha))
    ws, xs = w * s[None, :], x / s
    inner = calibrate("minmax_int4", xs, ws, None, None)
    return SmoothIntQuant(s, inner)


@dataclass
class Row:
    method: str
    ppl: float
    nll: float
    tokens: int
    formats: str
    seconds: float
    #: per Linear: the quantized layer's output MSE / mean square of the float output, on the
    #: calibration inputs (methods.output_error); empty for the model as shipped
    layer_rel_mse: dict[str, float] = field(default_factory=dict)
    quantizers: dict = field(default_factory=dict, repr=False)    #: per Linear, as calibrated


def token_ids(tok, text: str, n: int) -> torch.Tensor:
    ids = tok(text, return_tensors="pt").input_ids[0]
    if ids.numel() < n:
        raise ValueError(f"the text has {ids.numel():,} tokens, fewer than the {n:,} asked for")
    return ids[:n]


@torch.no_grad()
def nll(model, ids: torch.Tensor, window: int = WINDOW, progress=None) -> tuple[float, int]:
    """(mean NLL per predicted token, predicted tokens) over non-overlapping windows."""
    total, count = 0.0, 0
    for a in range(0, ids.numel(), window):
        chunk = ids[a:a + window][None, :]
        if chunk.shape[1] < 2:
            break
        out = model(chunk, labels=chunk)
        n = chunk.shape[1] - 1
        total += float(out.loss) * n
        count += n
        if progress:
            progress(1)
    return total / count, count


@torch.no_grad()
def capture(model, ids: torch.Tensor, names: list[str], window: int = WINDOW) -> dict:
    """{name: (inputs [tokens, in], outputs [tokens, out])} of each Linear on the calibration ids."""
    rows = {n: ([], []) for n in names}

    def hook(name):
        def f(module, args, output):
            rows[name][0].append(args[0].reshape(-1, args[0].shape[-1]).float().clone())
            rows[name][1].append(output.reshape(-1, output.shape[-1]).float().clone())
        return f

    handles = [model.get_submodule(n).register_forward_hook(hook(n)) for n in names]
    try:
        for a in range(0, ids.numel(), window):
            model(ids[a:a + window][None, :])
    finally:
        for h in handles:
            h.remove()
    return {n: (torch.cat(x), torch.cat(y)) for n, (x, y) in rows.items()}


def block_linears(model) -> list[str]:
    """Every Linear of the transformer blocks (q, k, v, o, gate, up, down x 30); lm_head excluded."""
    return [n for n in linear_names(model) if n.startswith("model.layers.")]


BLOCK_LINEARS = 210     #: block_linears() of SmolLM2-135M: 7 per block, 30 blocks


def steps(methods, eval_tokens: int) -> int:
    """The progress steps of run(): a layer calibrated per block Linear and quantized method
    (progress("layer", 1)), an evaluation window per method (progress("eval", n))."""
    return BLOCK_LINEARS * sum(m != "shipped" for m in methods) + -(-eval_tokens // WINDOW) * len(methods)


def run(methods=METHODS, eval_tokens: int = 20480, calib_tokens: int = 1024, cfg: SearchConfig = SearchConfig(),
        alpha: float = 0.5, progress=None) -> list[Row]:
    """Perplexity of the model as shipped and of each W4A4 method."""
    for m in methods:
        if m not in METHODS:
            raise ValueError(f"method: must be one of {', '.join(METHODS)}, got {m!r}")
    if not 0 <= alpha <= 1:
        raise ValueError(f"--alpha must be in [0, 1], got {alpha}")
    tok = smollm2.tokenizer()                # the token counts are checked before the model loads
    eval_ids = token_ids(tok, smollm2.play(smollm2.EVAL_PLAY), eval_tokens)
    calib_ids = token_ids(tok, smollm2.play(smollm2.CALIB_PLAY), calib_tokens)
    model, _ = smollm2.load()
    names = block_linears(model)
    modules = dict(model.named_modules())
    calib = capture(model, calib_ids, names) if any(m != "shipped" for m in methods) else {}
    rows = []
    for method in methods:
        t0 = time.perf_counter()
        if method == "shipped":
            mean, count = nll(model, eval_ids, progress=progress and (lambda n: progress("eval", n)))
            rows.append(Row(method, math.exp(mean), mean, count, "Q4_1 weights dequantized to float32, float32 "
                            "activations", time.perf_counter() - t0))
            continue
        quantizers, rel = {}, {}
        for name in names:
            lin = modules[name]
            x, y = calib[name]
            w = lin.weight.detach()
            b = None if lin.bias is None else lin.bias.detach()
            if method == "smoothquant":
                quantizers[name] = smooth_calibrate(x, w, alpha)
            else:
                assert method in LAYER_METHODS
                quantizers[name] = calibrate(method, x, w, b, y, cfg)
            rel[name] = output_error(quantizers[name], x, w, b, y)[1]
            if progress:
                progress("layer", 1)
        with replace_linears(model, lambda n, lin: QuantLinear(lin, quantizers[n]), names):
            mean, count = nll(model, eval_ids, progress=progress and (lambda n: progress("eval", n)))
        kinds: dict[str, int] = {}
        for q in quantizers.values():
            d = q.describe() if isinstance(q, SmoothIntQuant) else describe(q)
            kinds[d] = kinds.get(d, 0) + 1
        top = ", ".join(f"{k} x{v}" for k, v in sorted(kinds.items(), key=lambda kv: -kv[1])[:3])
        rows.append(Row(method, math.exp(mean), mean, count, top, time.perf_counter() - t0, rel, quantizers))
    return rows


def table(rows: list[Row]) -> str:
    lines = ["| method | perplexity | mean NLL | tokens | formats (W / A, count of layers) | seconds |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r.method} | {r.ppl:.2f} | {r.nll:.4f} | {r.tokens:,} | {r.formats} | {r.seconds:.0f} |")
    return "\n".join(lines) + "\n"
