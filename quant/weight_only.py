"""Weight-only quantization of SmolLM2-135M, the llm-datatypes table shape (issue 17, part 4):
RTN, GPTQ and AWQ at group 128 onto each format, measured by perplexity.

Model: SmolLM2-135M-Instruct as shipped (quant.smollm2.load: llama.cpp's Q4_1 weights dequantized
to float32) is the reference row and the starting point of every other row. Only the Linear
layers of the transformer blocks are re-quantized (210 of them, or those of the blocks asked);
the embedding (Q8_0 in the file) and lm_head (tied to it) stay as shipped, activations float32.
Text: perplexity on the held-out play, calibration on another (as quant.ppl_experiment).

Methods, each per Linear, on the inputs of that Linear in the model as shipped on the
calibration text (every layer from the float model's own activations, not sequentially block
after block as the GPTQ paper does; weight-only, so the difference is only in the calibration
inputs of later layers):
  rtn   round to nearest, per-(row, group) absmax scale (quant.gptq.rtn: llm-datatypes' RTN)
  gptq  GPTQ (quant.gptq.gptq: damp 0.01, blocksize 128, no act-order, dynamic groups)
  awq   AWQ's activation-aware per-input-channel scales, searched on the calibration inputs
        (quant.awq.awq: N_GRID exponents), then RTN
Formats: every grid of quant.grids; FORMATS are the llm-datatypes ones (int4_sym is its INT4,
the code's default -7..7; sf4_nu5 its SF4; int3_sym its 3-bit integer).
Bits per weight count the codes plus a float16 scale per group (and a zero point for asym grids),
on the real layer shapes (quant.grids.bits_per_weight); the shipped row is Q4_1's 5.0.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import torch

from fp4ref.emu.block.ggml_q4 import QK, Q4_1_BYTES

from . import ppl_experiment as px, smollm2
from .awq import N_GRID, awq
from .gptq import factor, gptq, hessian, rtn
from .gptq_experiment import rel_mse
from .grids import bits_per_weight, grid
from .rtn import swapped_weights

METHODS = ("rtn", "gptq", "awq")
METHOD_TITLES = {"rtn": "RTN", "gptq": "GPTQ", "awq": "AWQ"}
FORMATS = ("int4_sym", "e2m1", "e2m1_sr", "e2m1_sp", "nf4", "sf4_nu5", "apot4", "int3_sym")
GROUP_SIZE = 128
DAMP = 0.01
BLOCKS = 30                        #: SmolLM2-135M's transformer blocks
LINEARS_PER_BLOCK = 7              #: q, k, v, o, gate, up, down
EVAL_TOKENS, CALIB_TOKENS = 20480, 1024
#: --quick: every method and format, on fewer tokens, the layers of three blocks (first, middle,
#: last) and a coarser AWQ grid; GPTQ and AWQ cost per layer and format, not per token
QUICK_EVAL_TOKENS, QUICK_CALIB_TOKENS, QUICK_BLOCKS, QUICK_N_GRID = 1024, 512, (0, 15, 29), 10
SHIPPED_BITS = Q4_1_BYTES * 8 / QK  #: llama.cpp Q4_1: 4-bit codes, float16 d and m per 32


@dataclass
class Row:
    method: str                     #: "shipped" or one of METHODS
    fmt: str                        #: a grid name ("q4_1" for the model as shipped)
    bits: float                     #: bits per weight of the quantized layers, scales included
    ppl: float
    nll: float
    tokens: int
    #: per Linear: output MSE / mean square of the float output, on held-out inputs (the first
    #: evaluation window)
    layer_rel_mse: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0            #: quantizing the layers
    eval_seconds: float = 0.0       #: the perplexity

    @property
    def mean_rel_mse(self) -> float:
        return sum(self.layer_rel_mse.values()) / len(self.layer_rel_mse) if self.layer_rel_mse else 0.0


def check(methods, formats, blocks=None) -> None:
    """One-line ValueError for an unknown method, format or block (before any model loads)."""
    for m in methods:
        if m not in METHODS:
            raise ValueError(f"method: {m!r} is not one of {', '.join(METHODS)}")
    for f in formats:
        grid(f)
    for b in blocks or ():
        if not 0 <= b < BLOCKS:
            raise ValueError(f"block: {b} is not in 0..{BLOCKS - 1}")


def block_layers(model, blocks=None) -> list[str]:
    """The Linear layers of the blocks asked (default every block), in model order."""
    names = px.block_linears(model)
    return names if blocks is None else [n for n in names if int(n.split(".")[2]) in set(blocks)]


def steps(methods, formats, blocks, eval_tokens: int) -> int:
    """The progress steps of run(): a layer quantized per layer, method and format
    (progress("layer", 1)), an evaluation window per row (progress("eval", 1))."""
    layers = LINEARS_PER_BLOCK * (BLOCKS if blocks is None else len(set(blocks)))
    return layers * len(methods) * len(formats) + -(-eval_tokens // px.WINDOW) * (1 + len(methods) * len(formats))


def _shared_inputs(calib: dict, names: list[str]) -> dict[str, str]:
    """name -> the first layer of the same block with the same calibration inputs (q, k, v read
    one tensor, gate and up another): one Hessian and one factorization serves them all."""
    first: dict[str, str] = {}
    for i, n in enumerate(names):
        block = n.split(".")[2]
        first[n] = next((m for m in names[:i] if m.split(".")[2] == block and first[m] == m
                         and torch.equal(calib[m], calib[n])), n)
    return first


def quantize(method: str, fmt: str, w: np.ndarray, x: torch.Tensor, hf=None, group_size: int = GROUP_SIZE,
             n_grid: int = N_GRID) -> np.ndarray:
    """The float32 weight [out, in] a layer computes with after ``method`` onto grid ``fmt``;
    hf: GPTQ's factor(hessian(x), DAMP) of the layer's inputs (made here if not given)."""
    if method == "rtn":
        return rtn(w, fmt, group_size).weight
    if method == "gptq":
        return gptq(w, factor(hessian(x), DAMP) if hf is None else hf, fmt, group_size, damp=DAMP).weight
    if method == "awq":
        return awq(x.numpy(), w, fmt, group_size, n_grid).weight
    raise ValueError(f"method: {method!r} is not one of {', '.join(METHODS)}")


def measure(model, names: list[str], eval_ids: torch.Tensor, calib_ids: torch.Tensor, methods=METHODS,
            formats=FORMATS, group_size: int = GROUP_SIZE, n_grid: int = N_GRID, progress=None) -> list[Row]:
    """Perplexity of ``model`` as it is, then with the Linear layers ``names`` quantized by each
    format and method. Any causal LM whose forward(ids, labels=ids) returns the loss works."""
    check(methods, formats)
    eval_step = (lambda n: progress("eval", n)) if progress else None
    layer_step = (lambda n: progress("layer", n)) if progress else None
    modules = dict(model.named_modules())
    t0 = time.perf_counter()
    mean, count = px.nll(model, eval_ids, progress=eval_step)
    rows = [Row("shipped", "q4_1", SHIPPED_BITS, math.exp(mean), mean, count, eval_seconds=time.perf_counter() - t0)]
    calib = {n: x for n, (x, _) in px.capture(model, calib_ids, names).items()}   # inputs only
    held = px.capture(model, eval_ids[:px.WINDOW], names)     # the layer errors' inputs: held out
    shared = _shared_inputs(calib, names)
    calib = {n: calib[shared[n]] for n in names}                # one copy of a shared input
    weights = {n: modules[n].weight.detach().numpy().astype(np.float32) for n in names}
    bias = {n: modules[n].bias for n in names}
    y_sq = {n: float(held[n][1].pow(2).sum(dtype=torch.float64)) for n in names}
    shapes = [w.shape for w in weights.values()]
    factors = {}                    # per shared input: GPTQ's factorization, the same for every grid
    for fmt in formats:
        for method in methods:
            t0 = time.perf_counter()
            new, rel = {}, {}
            for n in names:
                x = calib[n]
                hf = None
                if method == "gptq":
                    key = shared[n]
                    if key not in factors:
                        factors[key] = factor(hessian(calib[key]), DAMP)
                    hf = factors[key]
                wq = quantize(method, fmt, weights[n], x, hf, group_size, n_grid)
                rel[n] = rel_mse(wq, *held[n], bias[n], y_sq[n])
                new[n] = torch.from_numpy(wq)
                if layer_step:
                    layer_step(1)
            seconds = time.perf_counter() - t0
            with swapped_weights(modules, new):
                mean, count = px.nll(model, eval_ids, progress=eval_step)
            rows.append(Row(method, grid(fmt).name, bits_per_weight(fmt, group_size, shapes), math.exp(mean), mean,
                            count, rel, seconds, time.perf_counter() - t0 - seconds))
    return rows


def run(methods=METHODS, formats=FORMATS, eval_tokens: int = EVAL_TOKENS, calib_tokens: int = CALIB_TOKENS, blocks=None,
        group_size: int = GROUP_SIZE, n_grid: int = N_GRID, progress=None) -> list[Row]:
    """SmolLM2-135M as shipped and weight-only quantized by each method onto each format."""
    check(methods, formats, blocks)
    tok = smollm2.tokenizer()                # the token counts are checked before the model loads
    eval_ids = px.token_ids(tok, smollm2.play(smollm2.EVAL_PLAY), eval_tokens)
    calib_ids = px.token_ids(tok, smollm2.play(smollm2.CALIB_PLAY), calib_tokens)
    model, _ = smollm2.load()
    return measure(model, block_layers(model, blocks), eval_ids, calib_ids, methods, formats, group_size, n_grid,
                   progress)


def caption(rows: list[Row], eval_tokens: int, calib_tokens: int, blocks=None, n_grid: int = N_GRID,
            group_size: int = GROUP_SIZE) -> str:
    """What the table measured, in one paragraph."""
    layers = max(len(r.layer_rel_mse) for r in rows)
    which = ("every block" if blocks is None else
             f"block{'s' if len(blocks) > 1 else ''} {', '.join(map(str, sorted(blocks)))} (the others as shipped)")
    return (f"SmolLM2-135M-Instruct, weight-only: the {layers} Linear layers of {which} re-quantized at group "
            f"{group_size}; the embedding and lm_head (tied) as shipped, activations float32. The reference is the "
            f"model as shipped: llama.cpp's Q4_1 weights dequantized to float32 (the first row, the same model under "
            f"every method). Perplexity on {eval_tokens:,} tokens of {smollm2.EVAL_PLAY} in windows of "
            f"{px.WINDOW}; calibration on {calib_tokens:,} tokens of {smollm2.CALIB_PLAY}: each Linear's inputs in "
            f"the model as shipped (not sequentially block after block as in the GPTQ paper). RTN: absmax per group; "
            f"GPTQ: damp {DAMP}, blocksize 128, no act-order; AWQ: per-input-channel scales mean|x|^alpha, alpha "
            f"searched on {n_grid} points of [0, 1) per Linear, then RTN. Bits per weight: codes plus a float16 scale "
            f"per group (asym: and a zero point) on the real layer shapes; Q4_1: 5.0. int4_sym is llm-datatypes' "
            f"INT4 (-7..7, its code's default), sf4_nu5 its SF4, int3_sym its INT3. Layer-output rel. MSE: mean over "
            f"the layers of the output MSE / mean square of the float output, each layer alone on its inputs in the "
            f"first {px.WINDOW} evaluation tokens (held out).\n")


def _num(v: float) -> str:
    return f"{v:.2f}" if v < 1e5 else f"{v:.3g}"


def table(rows: list[Row]) -> str:
    """Markdown: one line per format (the model as shipped first), bits per weight, perplexity by
    method, and the mean relative layer-output error (held-out inputs) by method."""
    methods = list(dict.fromkeys(r.method for r in rows if r.method != "shipped"))
    formats = list(dict.fromkeys(r.fmt for r in rows if r.method != "shipped"))
    by = {(r.method, r.fmt): r for r in rows}
    titles = [METHOD_TITLES[m] for m in methods]
    lines = ["| format | bits per weight | " + " | ".join(f"perplexity {t}" for t in titles) + " | "
             + " | ".join(f"layer-output rel. MSE {t}" for t in titles) + " |",
             "|" + "---|" * (2 + 2 * len(methods))]
    for r in rows:
        if r.method == "shipped":
            lines.append(f"| as shipped: Q4_1 (llama.cpp) | {r.bits:.2f} | " + " | ".join([_num(r.ppl)] * len(methods))
                         + " | " + " | ".join(["-"] * len(methods)) + " |")
    for f in formats:
        cells = [by.get((m, f)) for m in methods]
        bits = next(c.bits for c in cells if c is not None)
        lines.append(f"| {f} | {bits:.3f} | " + " | ".join("-" if c is None else _num(c.ppl) for c in cells) + " | "
                     + " | ".join("-" if c is None else f"{c.mean_rel_mse:.4f}" for c in cells) + " |")
    return "\n".join(lines) + "\n"


def timings(rows: list[Row]) -> str:
    """One line: the quantization seconds per method (summed over the formats) and the evaluation."""
    per: dict[str, float] = {}
    for r in rows:
        if r.method != "shipped":
            per[r.method] = per.get(r.method, 0.0) + r.seconds
    ev = sum(r.eval_seconds for r in rows)
    return ("quantizing: " + ", ".join(f"{METHOD_TITLES[m]} {s:.0f} s" for m, s in per.items())
            + f"; perplexity: {ev:.0f} s for {len(rows)} rows")
