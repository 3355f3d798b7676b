"""GPTQ against RTN on all-MiniLM-L6-v2's Linear layers, per format and bit width.

For every Linear layer (default: all 37): the inputs on the calibration sentences give the
Hessian H = 2 X^T X / n; the inputs and float outputs on the held-out sentences give the
evaluation. Per format and method (RTN, GPTQ, GPTQ with act-order), each layer is quantized
alone (weights only, float activations) and its output error measured on the held-out inputs:
mean((linear(x, Wq, b) - y)^2) / mean(y^2), averaged over the layers (also on the calibration
inputs, where GPTQ fits). Then every layer is quantized at once and the sentence embeddings of
the held-out sentences are compared with float32 (cosine). Nothing is downloaded.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import torch

from . import minilm
from .grids import DEFAULT_FORMATS, grid
from .gptq import HessianFactor, QuantizedWeight, factor, gptq, hessian, rtn
from .rtn import swapped_weights
from .sentences import CALIBRATION, HELD_OUT

METHODS = ("rtn", "gptq", "gptq_ao")
METHOD_TITLES = {"rtn": "RTN", "gptq": "GPTQ", "gptq_ao": "GPTQ act-order"}
QUICK_FORMATS = ("int3_sym", "int4_sym", "e2m1", "nf4")
QUICK_LAYERS = ("encoder.layer.0.attention.self.query", "encoder.layer.0.intermediate.dense",
                "encoder.layer.0.output.dense")


@dataclass
class LayerData:
    name: str
    w: np.ndarray              # float32 [out, in]
    b: torch.Tensor | None
    H: torch.Tensor            # float64 [in, in] from the calibration inputs
    x_cal: torch.Tensor
    y_cal: torch.Tensor
    x_held: torch.Tensor
    y_held: torch.Tensor


@dataclass
class Prepared:
    model: object
    tok: object
    layers: dict[str, LayerData]
    sentences: list[str]       # the held-out sentences the cosine is measured on
    ref: torch.Tensor          # their float32 embeddings
    seconds: float


@dataclass
class FormatRow:
    fmt: str
    bits: int
    rel_mse: dict[str, float]                     # method -> mean over layers, held-out inputs
    rel_mse_cal: dict[str, float]                 # method -> mean over layers, calibration inputs
    layer_rel_mse: dict[str, dict[str, float]]    # method -> layer -> held-out rel. MSE
    cos_mean: dict[str, float] = field(default_factory=dict)
    cos_min: dict[str, float] = field(default_factory=dict)
    reports: dict[str, dict[str, dict]] = field(default_factory=dict, repr=False)
    seconds: float = 0.0

    def ratio(self, method: str = "gptq") -> float:
        return self.rel_mse[method] / self.rel_mse["rtn"]

    def ratio_cal(self, method: str = "gptq") -> float:
        """ratio() on the calibration inputs (what GPTQ minimizes), not the held-out ones."""
        return self.rel_mse_cal[method] / self.rel_mse_cal["rtn"]

    def worse_layers(self, method: str = "gptq") -> list[str]:
        """Layers where `method` has a larger held-out output error than RTN."""
        per = self.layer_rel_mse
        return [n for n in per["rtn"] if per[method][n] > per["rtn"][n]]


def prepare(layers=None, n_calib: int = len(CALIBRATION), sentences=None) -> Prepared:
    """Load MiniLM and capture every requested layer's inputs and outputs."""
    t0 = time.perf_counter()
    if not 1 <= n_calib <= len(CALIBRATION):
        raise ValueError(f"calibration sentences: 1..{len(CALIBRATION)}, got {n_calib}")
    model, tok = minilm.load()
    names = minilm.linear_names(model) if layers is None else list(layers)
    known = set(minilm.linear_names(model))
    for n in names:
        if n not in known:
            raise ValueError(f"unknown Linear layer {n!r}; e.g. {QUICK_LAYERS[0]}")
    sentences = list(HELD_OUT) if sentences is None else list(sentences)
    cal = minilm.capture_linear_io(model, tok, CALIBRATION[:n_calib], names)
    held = minilm.capture_linear_io(model, tok, HELD_OUT, names)
    modules = dict(model.named_modules())
    data = {}
    for n in names:
        lin = modules[n]
        data[n] = LayerData(n, lin.weight.detach().numpy().astype(np.float32),
                            None if lin.bias is None else lin.bias.detach(),
                            hessian(cal[n][0]), *cal[n], *held[n])
    with torch.no_grad():
        ref = minilm.embed(model, tok, sentences)
    return Prepared(model, tok, data, sentences, ref, time.perf_counter() - t0)


def quantize(method: str, layer: LayerData, fmt: str, group_size: int = 128, damp: float = 0.01,
             hf: HessianFactor | None = None) -> QuantizedWeight:
    """One layer by one method; hf: the layer's factor(H, damp, act_order) if already made."""
    if method == "rtn":
        return rtn(layer.w, fmt, group_size)
    if method in ("gptq", "gptq_ao"):
        return gptq(layer.w, layer.H if hf is None else hf, fmt, group_size,
                    act_order=method == "gptq_ao", damp=damp)
    raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")


def _sq_sum(t: torch.Tensor) -> float:
    return float(t.pow(2).sum(dtype=torch.float64))


@torch.no_grad()
def rel_mse(weight: np.ndarray, x: torch.Tensor, y: torch.Tensor, b, y_sq: float | None = None) -> float:
    """mean((linear(x, weight, b) - y)^2) / mean(y^2): float32 outputs, float64 sums."""
    out = torch.nn.functional.linear(x, torch.from_numpy(weight), b)
    return _sq_sum(out - y) / (_sq_sum(y) if y_sq is None else y_sq)


def _cosine(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return (a * b).sum(dim=1) / (a.norm(dim=1) * b.norm(dim=1))


def run(formats=DEFAULT_FORMATS, methods=METHODS, group_size: int = 128, damp: float = 0.01,
        prep: Prepared | None = None, cosine: bool = True, progress=None) -> list[FormatRow]:
    """One FormatRow per format. progress(fmt, method, layer) after every layer quantized."""
    for m in methods:
        if m not in METHODS:
            raise ValueError(f"method must be one of {', '.join(METHODS)}, got {m!r}")
    if "rtn" not in methods:
        methods = ("rtn",) + tuple(methods)
    grids = [grid(f) for f in formats]                  # one-line error for an unknown name
    prep = prepare() if prep is None else prep
    modules = dict(prep.model.named_modules())
    y_sq = {n: (_sq_sum(L.y_cal), _sq_sum(L.y_held)) for n, L in prep.layers.items()}
    factors: dict[tuple[str, str], HessianFactor] = {}    # one factorization per layer and order
    rows = []
    for g in grids:
        t0 = time.perf_counter()
        row = FormatRow(g.name, g.bits, {}, {}, {})
        for m in methods:
            per, per_cal, reports, new = {}, {}, {}, {}
            for name, L in prep.layers.items():
                if m != "rtn" and (name, m) not in factors:
                    factors[name, m] = factor(L.H, damp, act_order=m == "gptq_ao")
                q = quantize(m, L, g.name, group_size, damp, factors.get((name, m)))
                per[name] = rel_mse(q.weight, L.x_held, L.y_held, L.b, y_sq[name][1])
                per_cal[name] = rel_mse(q.weight, L.x_cal, L.y_cal, L.b, y_sq[name][0])
                reports[name] = q.report
                new[name] = torch.from_numpy(q.weight)
                if progress:
                    progress(g.name, m, name)
            row.layer_rel_mse[m] = per
            row.rel_mse[m] = sum(per.values()) / len(per)
            row.rel_mse_cal[m] = sum(per_cal.values()) / len(per_cal)
            row.reports[m] = reports
            if cosine:
                with torch.no_grad(), swapped_weights(modules, new):
                    emb = minilm.embed(prep.model, prep.tok, prep.sentences)
                cos = _cosine(emb, prep.ref)
                row.cos_mean[m], row.cos_min[m] = float(cos.mean()), float(cos.min())
        row.seconds = time.perf_counter() - t0
        rows.append(row)
    return rows


def hessian_notes(prep: Prepared, rows: list[FormatRow]) -> list[str]:
    """Dead inputs and damping retries seen (the same for every format: they depend on H only)."""
    notes = []
    for name, L in prep.layers.items():
        n, k = L.x_cal.shape[0], L.H.shape[0]
        dead = retries = None
        for r in rows:
            for m, reps in r.reports.items():
                rep = reps.get(name, {})
                if rep.get("method") == "gptq":
                    dead = len(rep["dead_inputs"]) if dead is None else dead
                    retries = max(retries or 0, rep["retries"])
        if n < k or dead or retries:
            notes.append(f"{name}: {n} calibration rows for {k} inputs (H rank <= {min(n, k)})"
                         f"{f', {dead} dead inputs' if dead else ''}"
                         f"{f', damping raised {retries} times' if retries else ''}")
    return notes
