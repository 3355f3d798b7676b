"""W4A4 on all-MiniLM-L6-v2: every Linear quantized by each method, measured two ways.

- layer-output MSE: each layer alone, on held-out float inputs, against its float output
  (the search's own loss, llm-fp4.md §2.3), averaged over the 37 Linear layers; also relative
  to the mean square of the float output, which makes layers of different scale comparable;
- sentence-embedding cosine similarity to float32 on held-out sentences, with every Linear
  quantized at once (and optionally the attention matmuls).
Calibration uses the project's own sentences (quant/sentences.py); nothing is downloaded.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import torch

from . import minilm
from .attention import AttentionQuant, calibrating, quantized
from .methods import METHODS, QuantLinear, calibrate, describe, output_error
from .search import SearchConfig
from .sentences import CALIBRATION, HELD_OUT


@dataclass
class MethodResult:
    method: str
    layer_mse: dict[str, float]
    layer_rel_mse: dict[str, float]
    formats: dict[str, str]
    cos_mean: float
    cos_min: float
    seconds: float
    attention: bool = False
    quantizers: dict = field(default_factory=dict, repr=False)

    @property
    def mean_mse(self) -> float:
        return sum(self.layer_mse.values()) / len(self.layer_mse)

    @property
    def mean_rel_mse(self) -> float:
        return sum(self.layer_rel_mse.values()) / len(self.layer_rel_mse)


def _cosine(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return (a * b).sum(dim=1) / (a.norm(dim=1) * b.norm(dim=1))


LINEARS = 37     #: all-MiniLM-L6-v2's Linear layers (6 per encoder block, and the pooler)


def steps(methods, layers: list[str] | None = None) -> int:
    """The progress steps of run(): one per method and layer quantized."""
    return len(methods) * (len(layers) if layers else LINEARS)


def run(methods=METHODS, cfg: SearchConfig = SearchConfig(), n_calib: int = 32,
        layers: list[str] | None = None, attention: bool = False, progress=None) -> list[MethodResult]:
    """Quantize ``layers`` (default: every Linear) with each method and measure both metrics."""
    for m in methods:
        if m not in METHODS:
            raise ValueError(f"method: must be one of {', '.join(METHODS)}, got {m!r}")
    if not 1 <= n_calib <= len(CALIBRATION):
        raise ValueError(f"calibration sentences: 1..{len(CALIBRATION)}, got {n_calib}")
    model, tok = minilm.load()
    names = layers or minilm.linear_names(model)
    modules = dict(model.named_modules())
    calib = minilm.capture_linear_io(model, tok, CALIBRATION[:n_calib], names)
    held = minilm.capture_linear_io(model, tok, HELD_OUT, names)
    with torch.no_grad():
        ref = minilm.embed(model, tok, HELD_OUT)
    aq = None
    if attention:
        aq = AttentionQuant()
        with torch.no_grad(), calibrating(model, aq):
            minilm.embed(model, tok, CALIBRATION[:n_calib])
    results = []
    for method in methods:
        t0 = time.perf_counter()
        quantizers, mse, rel, fmts = {}, {}, {}, {}
        for name in names:
            lin = modules[name]
            w = lin.weight.detach()
            b = None if lin.bias is None else lin.bias.detach()
            x, y = calib[name]
            q = calibrate(method, x, w, b, y, cfg)
            quantizers[name] = q
            hx, hy = held[name]
            mse[name], rel[name] = output_error(q, hx, w, b, hy)
            fmts[name] = describe(q)
            if progress:
                progress(method, name)
        with torch.no_grad(), minilm.replace_linears(model, lambda n, lin: QuantLinear(lin, quantizers[n]), names):
            if aq is not None:
                with quantized(model, aq):
                    emb = minilm.embed(model, tok, HELD_OUT)
            else:
                emb = minilm.embed(model, tok, HELD_OUT)
        cos = _cosine(emb, ref)
        results.append(MethodResult(method, mse, rel, fmts, float(cos.mean()), float(cos.min()),
                                    time.perf_counter() - t0, attention, quantizers))
    return results


def table(results: list[MethodResult]) -> str:
    """The report: one row per method."""
    lines = [f"{'method':<14} {'attention':<9} {'layer MSE':>10} {'rel. MSE':>9} {'cos mean':>9} "
             f"{'cos min':>8} {'seconds':>8}  formats (W / A, count of layers)"]
    for r in results:
        counts: dict[str, int] = {}
        for f in r.formats.values():
            counts[f] = counts.get(f, 0) + 1
        top = ", ".join(f"{k} x{v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1])[:3])
        lines.append(f"{r.method:<14} {'W4A4+QK,PV' if r.attention else 'no':<9} {r.mean_mse:>10.5f} "
                     f"{r.mean_rel_mse:>9.4f} {r.cos_mean:>9.4f} {r.cos_min:>8.4f} {r.seconds:>8.1f}  {top}")
    return "\n".join(lines)


def fold_report(result: MethodResult) -> str:
    """For an FPQ result: the pre-shift folded into the weights, per layer, on held-out inputs.
    The two exact folds must give identical accumulators; the lossy one's error is measured
    against them (relative to the layer output's mean square)."""
    from .export import fold_layer
    model, tok = minilm.load()
    modules = dict(model.named_modules())
    names = list(result.quantizers)
    held = minilm.capture_linear_io(model, tok, HELD_OUT, names)
    rel, shifted = [], 0
    for name in names:
        q, lin = result.quantizers[name], modules[name]
        x = held[name][0].double().numpy()
        exact = fold_layer(q, lin, "rowshift")
        wide = fold_layer(q, lin, "widened")
        cx = exact.act_codes(x)
        acc = exact.accumulate(cx)
        if not (acc == wide.accumulate(cx)).all():
            raise AssertionError(f"{name}: the two exact folds disagree")
        y = exact.forward(x)
        lossy = fold_layer(q, lin, "lossy").forward(x)
        rel.append(float(((lossy - y) ** 2).mean() / (y ** 2).mean()))
        shifted += bool(q.offsets.any())
    worst = max(range(len(rel)), key=rel.__getitem__)
    return (f"pre-shift folded into the weights ({shifted} of {len(names)} layers have non-zero "
            f"offsets): rowshift and widened give identical integer accumulators on every layer; "
            f"the lossy re-quantized fold adds a mean relative layer-output MSE of "
            f"{sum(rel) / len(rel):.4f} (worst {rel[worst]:.4f}, {names[worst]})")
