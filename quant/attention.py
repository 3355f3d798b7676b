"""Quantizing the two attention matmuls, QK^T and softmax.V (llm-fp4.md §6e).

The released LLM-FP4 code never quantizes them; the maintainers report trying it (unreleased).
This follows the recipe of §6e with static (calibrated) FP4 biases from each operand's maximum:
Q and K one real bias per tensor (per layer), P in [0, 1] one bias per tensor (its maximum is
1), V one bias per head-dim channel (it plays the weight's role in softmax.V). The format is
E2M1 unless given.
"""
from __future__ import annotations

import contextlib

import torch

from .lfp4 import bias_from_max, fake_quant
from .minilm import attention_matmul_hook


class AttentionQuant:
    """Per-layer maxima from calibration, then FP4 fake quantization of q, k, p and v."""

    def __init__(self, fmt: tuple[int, int] = (2, 1)):
        self.fmt = fmt
        self.amax: dict[tuple[int, str], torch.Tensor] = {}

    # ---- calibration: record maxima -----------------------------------------------------------
    def _record(self, layer, name, t, dims):
        m = t.detach().abs().amax(dim=dims)
        key = (layer, name)
        self.amax[key] = m if key not in self.amax else torch.maximum(self.amax[key], m)

    def observe_qk(self, q, k, layer):
        self._record(layer, "q", q, None)
        self._record(layer, "k", k, None)
        return q, k

    def observe_pv(self, p, v, layer):
        self._record(layer, "v", v, (0, 1, 2))          # per head-dim channel
        return p, v

    # ---- quantization -------------------------------------------------------------------------
    def _q(self, t, layer, name):
        amax = self.amax[(layer, name)] if name != "p" else torch.tensor(1.0)
        bias = bias_from_max(*self.fmt, torch.clamp(amax, min=1e-30).float())
        return fake_quant(t, *self.fmt, bias)

    def quantize_qk(self, q, k, layer):
        return self._q(q, layer, "q"), self._q(k, layer, "k")

    def quantize_pv(self, p, v, layer):
        return self._q(p, layer, "p"), self._q(v, layer, "v")


@contextlib.contextmanager
def calibrating(model, aq: AttentionQuant):
    with attention_matmul_hook(model, aq.observe_qk, aq.observe_pv, with_layer=True):
        yield


@contextlib.contextmanager
def quantized(model, aq: AttentionQuant):
    with attention_matmul_hook(model, aq.quantize_qk, aq.quantize_pv, with_layer=True):
        yield
