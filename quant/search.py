"""The FPQ search of LLM-FP4 (llm-fp4.md §2.3): bias candidates, rho, formats, rounds.

Loss: the layer-output MSE against the float layer on float inputs (Eq. 12). Candidates multiply
the *bias*: gamma_i * b_init, gamma_i = alpha + i (beta - alpha) / n. The released code builds
n + 1 candidates but its loops evaluate only i = 0..n-1 (gamma = beta is never tried, an
off-by-one inherited from PTQ4ViT); fp4ref evaluates all n + 1 by default and offers
``include_last=False`` to reproduce the release. Each round searches, for every format, the
weight bias of each output channel independently, then rho (the channel offsets b_j follow
rho through the code's rounding rule), then the weight format and the activation format
(FPQ-baseline order: weight bias, weight format, activation bias, activation format).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import torch

from .granularity import channel_biases, channel_offsets, weight_biases
from .lfp4 import fake_quant

FORMATS_4BIT = ((3, 0), (2, 1), (1, 2))     #: E3M0, E2M1, E1M2: every 4-bit split with e >= 1


@dataclass(frozen=True)
class SearchConfig:
    alpha: float = 0.01
    beta: float = 1.2
    n: int = 100
    rounds: int = 3
    include_last: bool = True        #: evaluate gamma = beta (the release does not)
    preshift: bool = True            #: FPQ (per-channel offsets) or FPQ baseline (per tensor)
    offset_rounding: str = "code"    #: "code" (released) or "paper"
    formats: tuple = FORMATS_4BIT
    start: tuple = (2, 1)            #: the initial format (--qbits 4 4 4 2 2 2: E2M1)
    chunk: int = 8                   #: candidates evaluated per GEMM batch

    def gammas(self) -> np.ndarray:
        g = self.alpha + np.arange(self.n + 1) * (self.beta - self.alpha) / self.n
        return g if self.include_last else g[:-1]


@dataclass
class LayerQuant:
    """The searched quantizers of one Linear layer."""

    w_fmt: tuple[int, int]
    w_bias: np.ndarray               #: real bias per output channel
    a_fmt: tuple[int, int]
    rho: float                       #: real per-tensor activation bias
    offsets: np.ndarray              #: integer per-input-channel offsets (zeros without pre-shift)
    history: list = field(default_factory=list)   #: (step, loss) as the search went

    def a_bias(self) -> np.ndarray:
        return self.rho + self.offsets.astype(np.float64)

    def quant_weight(self, w: torch.Tensor) -> torch.Tensor:
        return fake_quant(w, *self.w_fmt, torch.as_tensor(self.w_bias, dtype=torch.float32)[:, None])

    def quant_act(self, x: torch.Tensor) -> torch.Tensor:
        return fake_quant(x, *self.a_fmt, torch.as_tensor(self.a_bias(), dtype=torch.float32)[None, :])


def mse(out: torch.Tensor, ref: torch.Tensor) -> float:
    return float(((out - ref) ** 2).mean())


class _Layer:
    """Calibration data of one layer and the per-format starting points of the search."""

    def __init__(self, x, w, b, ref, cfg: SearchConfig):
        self.x, self.w, self.b, self.ref, self.cfg = x, w, b, ref, cfg
        xn, wn = x.double().numpy(), w.double().numpy()
        self.w_init = {f: weight_biases(wn, *f) for f in cfg.formats}
        self.a_tilde = {f: channel_biases(xn, *f) for f in cfg.formats}
        self.rho_init = {f: float(self.a_tilde[f].min()) for f in cfg.formats}

    def offsets(self, fmt, rho) -> np.ndarray:
        if not self.cfg.preshift:
            return np.zeros(self.x.shape[1], np.int64)
        return channel_offsets(self.a_tilde[fmt], rho, fmt[0], self.cfg.offset_rounding)

    def out(self, xq, wq):
        return torch.nn.functional.linear(xq, wq, self.b)


def _search_w_bias(L: _Layer, q: LayerQuant, fmt) -> np.ndarray:
    """Per output channel, the gamma * b_init with the lowest MSE of that channel's output."""
    xq = q.quant_act(L.x)
    gammas = L.cfg.gammas()
    best = np.full(L.w.shape[0], np.inf)
    bias = L.w_init[fmt].copy()
    for lo in range(0, len(gammas), L.cfg.chunk):
        cand = gammas[lo:lo + L.cfg.chunk, None] * L.w_init[fmt][None, :]          # [C, out]
        wq = fake_quant(L.w[None], *fmt, torch.as_tensor(cand, dtype=torch.float32)[:, :, None])
        out = torch.einsum("ti,coi->cto", xq, wq)                                   # [C, tokens, out]
        if L.b is not None:
            out = out + L.b
        err = ((out - L.ref[None]) ** 2).mean(dim=1).double().numpy()              # [C, out]
        i = err.argmin(axis=0)
        pick = err[i, np.arange(err.shape[1])]
        better = pick < best                      # strict: the first (smallest) gamma wins ties
        best[better] = pick[better]
        bias[better] = cand[i[better], np.flatnonzero(better)]
    return bias


def _search_rho(L: _Layer, q: LayerQuant, fmt) -> float:
    """The gamma * rho_0 with the lowest layer MSE (the offsets b_j follow rho)."""
    wq = q.quant_weight(L.w)
    gammas = L.cfg.gammas()
    errs = []
    for lo in range(0, len(gammas), L.cfg.chunk):
        rhos = gammas[lo:lo + L.cfg.chunk] * L.rho_init[fmt]
        a_bias = np.stack([r + L.offsets(fmt, r) for r in rhos])                   # [C, in]
        xq = fake_quant(L.x[None], *fmt, torch.as_tensor(a_bias, dtype=torch.float32)[:, None, :])
        out = torch.matmul(xq, wq.T)                                                # [C, tokens, out]
        if L.b is not None:
            out = out + L.b
        errs += ((out - L.ref[None]) ** 2).mean(dim=(1, 2)).double().tolist()
    return float(gammas[int(np.argmin(errs))] * L.rho_init[fmt])


def search_layer(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor | None, ref: torch.Tensor,
                 cfg: SearchConfig = SearchConfig()) -> LayerQuant:
    """FPQ (cfg.preshift) or FPQ-baseline search of one layer on calibration inputs ``x``
    [tokens, in] and float outputs ``ref`` [tokens, out]."""
    L = _Layer(x.float(), w.float(), None if b is None else b.float(), ref.float(), cfg)
    f0 = cfg.start
    w_bias = {f: L.w_init[f].copy() for f in cfg.formats}
    rho = dict(L.rho_init)
    q = LayerQuant(f0, w_bias[f0], f0, rho[f0], L.offsets(f0, rho[f0]))

    def layer_loss(trial):
        return mse(L.out(trial.quant_act(L.x), trial.quant_weight(L.w)), L.ref)

    def pick_w_format():
        trials = {f: replace(q, w_fmt=f, w_bias=w_bias[f]) for f in cfg.formats}
        return min(trials.values(), key=layer_loss)

    def pick_a_format():
        trials = {f: replace(q, a_fmt=f, rho=rho[f], offsets=L.offsets(f, rho[f])) for f in cfg.formats}
        return min(trials.values(), key=layer_loss)

    q.history.append(("init", layer_loss(q)))
    for r in range(cfg.rounds):
        for f in cfg.formats:
            w_bias[f] = _search_w_bias(L, q, f)
        if not cfg.preshift:                     # FPQ baseline: weight format before rho
            q = pick_w_format()
        for f in cfg.formats:
            rho[f] = _search_rho(L, q, f)
        if cfg.preshift:
            q = pick_w_format()
        q = pick_a_format()
        q.history.append((f"round {r + 1}", layer_loss(q)))
    return q
