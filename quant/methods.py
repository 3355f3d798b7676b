"""The W4A4 methods of LLM-FP4's comparison table, as per-layer quantizers and a Linear wrapper.

- minmax_int4: symmetric INT4 (-7..7), weights per output channel, activations per tensor, scales
  from the maxima;
- minmax_e2m1: E2M1 with the biases of Eq. 7 from the same maxima (no search);
- fpq_baseline: the FPQ search, activations per tensor;
- fpq: the FPQ search with per-channel integer activation offsets (the pre-shifted exponent bias).
Activation statistics are static: calibrated once (llm-fp4.md §2.2).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import torch

from .granularity import tensor_bias, weight_biases
from .search import LayerQuant, SearchConfig, search_layer

METHODS = ("minmax_int4", "minmax_e2m1", "fpq_baseline", "fpq")
E2M1 = (2, 1)


@dataclass
class IntQuant:
    """Symmetric INT4 fake quantization: round(x / s) clamped to -7..7, times s."""

    w_scale: np.ndarray        #: per output channel
    a_scale: float             #: per tensor

    @staticmethod
    def _q(x, s):
        return torch.clamp(torch.round(x / s), -7, 7) * s

    def quant_weight(self, w: torch.Tensor) -> torch.Tensor:
        return self._q(w, torch.as_tensor(self.w_scale, dtype=torch.float32)[:, None])

    def quant_act(self, x: torch.Tensor) -> torch.Tensor:
        return self._q(x, torch.tensor(self.a_scale, dtype=torch.float32))

    def describe(self) -> str:
        return "INT4"


def calibrate(method: str, x: torch.Tensor, w: torch.Tensor, b: torch.Tensor | None,
              ref: torch.Tensor, cfg: SearchConfig | None = None):
    """Per-layer quantizers for ``method`` from calibration inputs x [tokens, in] and float
    outputs ref [tokens, out]."""
    if method == "minmax_int4":
        w_max = np.maximum(w.abs().amax(dim=1).double().numpy(), 1e-30)
        return IntQuant(w_max / 7.0, max(float(x.abs().max()), 1e-30) / 7.0)
    if method == "minmax_e2m1":
        return LayerQuant(E2M1, weight_biases(w.double().numpy(), *E2M1), E2M1,
                          tensor_bias(x.double().numpy(), *E2M1), np.zeros(x.shape[1], np.int64))
    if method in ("fpq_baseline", "fpq"):
        cfg = replace(cfg or SearchConfig(), preshift=(method == "fpq"))
        return search_layer(x, w, b, ref, cfg)
    raise ValueError(f"method: must be one of {', '.join(METHODS)}, got {method!r}")


class QuantLinear(torch.nn.Module):
    """An nn.Linear whose weight and input are fake-quantized (float32, as LLM-FP4 simulates)."""

    def __init__(self, linear: torch.nn.Linear, quantizer):
        super().__init__()
        self.quantizer = quantizer
        self.bias = linear.bias
        with torch.no_grad():
            self.register_buffer("w_q", quantizer.quant_weight(linear.weight.detach().float()))

    def forward(self, x):
        return torch.nn.functional.linear(self.quantizer.quant_act(x), self.w_q, self.bias)


def operand_formats(q) -> tuple[str, str]:
    """(weight format, activation format) of a layer's quantizer, e.g. ('E2M1', 'E3M0')."""
    if isinstance(q, IntQuant):
        return "INT4", "INT4"
    name = lambda f: f"E{f[0]}M{f[1]}"   # noqa: E731
    return name(q.w_fmt), name(q.a_fmt)


def describe(q) -> str:
    """E.g. 'W E2M1 / A E3M0 +offsets'."""
    w, a = operand_formats(q)
    extra = " +offsets" if not isinstance(q, IntQuant) and np.any(q.offsets) else ""
    return f"W {w} / A {a}{extra}"


@torch.no_grad()
def output_error(q, x: torch.Tensor, w: torch.Tensor, b: torch.Tensor | None, y: torch.Tensor) -> tuple[float, float]:
    """(MSE, MSE / mean(y^2)) of the quantized layer's output on inputs x [tokens, in] against
    the float output y [tokens, out] (the search's own loss; relative, layers of different scale
    compare)."""
    out = torch.nn.functional.linear(q.quant_act(x), q.quant_weight(w), b)
    mse = float(((out - y) ** 2).mean())
    return mse, mse / float((y ** 2).mean())
