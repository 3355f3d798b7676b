"""RTN weight quantization in every 4-bit format: weight error and sentence-embedding cosine.

A "scheme" is a format plus how it is scaled: a lookup format (emu.lookup) with per-group
absmax scaling at group size 128 or per output channel (llm-datatypes' RTN, formats.md §5.3),
or a block format with its native block and scale rule (emu.block: MXFP4, NVFP4, ggml Q4_0 and
Q4_1). Every scheme maps a float32 weight [out, in] to its dequantized float32 weight; the
model runs in float32 with the dequantized weights (weight-only quantization, float activations).
"""
from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch

from fp4ref.emu.lookup import get_lookup, lookup_names
from fp4ref.emu.lookup_scale import fake_quantize

from .grids import bits_per_weight

STUDENT_T_SEED = 20261124
GROUPINGS = {"g128": 128, "channel": -1}


@dataclass(frozen=True)
class Scheme:
    name: str              # e.g. "nf4/g128", "mxfp4-floor/b32"
    fmt: str
    grouping: str          # "g128", "channel", or the native block ("b32", "b16", ...)
    bits_per_weight: float
    qdq: Callable[[np.ndarray], np.ndarray]


def _lookup_scheme(fmt: str, grouping: str) -> Scheme:
    g = GROUPINGS[grouping]
    # scale overhead: one float16 scale per group (and an asym grid's zero point), nominal;
    # per channel the overhead is negligible (shown as 4.0)
    return Scheme(f"{fmt}/{grouping}", fmt, grouping, bits_per_weight(fmt, g),
                  lambda w, fmt=fmt, g=g: fake_quantize(w, fmt, group_size=g))


def _block_schemes() -> list[Scheme]:
    from fp4ref.emu import block

    def rows(fn):
        return lambda w: np.stack([fn(r) for r in w])

    return [
        Scheme("mxfp4-floor/b32", "mxfp4 (E8M0, FLOOR)", "b32", 4.25,
               lambda w: block.dequantize_mx(*block.quantize_mx(w, rule="floor"))),
        Scheme("mxfp4-rceil/b32", "mxfp4 (E8M0, RCEIL)", "b32", 4.25,
               lambda w: block.dequantize_mx(*block.quantize_mx(w, rule="rceil"))),
        Scheme("nvfp4/b16", "nvfp4 (E4M3 + fp32 tensor)", "b16", 4.5,
               lambda w: block.dequantize_nvfp4(*block.quantize_nvfp4(w))),
        Scheme("q4_0/b32", "ggml q4_0", "b32", 4.5,
               rows(lambda r: block.dequantize_row_q4_0(block.quantize_row_q4_0(r)))),
        Scheme("q4_1/b32", "ggml q4_1", "b32", 5.0,
               rows(lambda r: block.dequantize_row_q4_1(block.quantize_row_q4_1(r)))),
    ]


def schemes(formats: list[str] | None = None, groupings=("g128", "channel"),
            blocks: bool = True) -> list[Scheme]:
    """Every lookup format at each grouping, then the block formats (all by default)."""
    names = list(lookup_names()) if formats is None else formats
    for n in names:
        get_lookup(n)                                          # one-line error for a bad name
    for g in groupings:
        if g not in GROUPINGS:
            raise ValueError(f"grouping must be one of {', '.join(GROUPINGS)}, got {g!r}")
    out = [_lookup_scheme(n, g) for n in names for g in groupings]
    return out + (_block_schemes() if blocks else [])


def student_t(n: int = 1 << 20, nu: float = 5.0, seed: int = STUDENT_T_SEED) -> np.ndarray:
    """n seeded Student-t(nu) samples, float32, as rows of 1024 (8 groups of 128 per row)."""
    rng = np.random.default_rng(seed)
    return rng.standard_t(nu, size=(n // 1024, 1024)).astype(np.float32)


def rel_mse(w: np.ndarray, q: np.ndarray) -> float:
    """||q - w||^2 / ||w||^2 in float64."""
    w64, q64 = w.astype(np.float64), q.astype(np.float64)
    return float(((q64 - w64) ** 2).sum() / (w64 ** 2).sum())


@dataclass
class Row:
    scheme: Scheme
    weight_rel_mse: float     # over all Linear weights of the model
    t_rel_mse: float          # Student-t(nu = 5) samples
    cos_mean: float
    cos_min: float
    seconds: float


@contextlib.contextmanager
def swapped_weights(modules: dict, new: dict):
    """Temporarily replace each named Linear's weight tensor."""
    old = {n: modules[n].weight.data for n in new}
    try:
        for n, w in new.items():
            modules[n].weight.data = w
        yield
    finally:
        for n, w in old.items():
            modules[n].weight.data = w


def run(scheme_list: list[Scheme], sentences: list[str] | None = None, progress=None) -> list[Row]:
    """Quantize every Linear weight of all-MiniLM-L6-v2 with each scheme; measure."""
    from . import minilm
    from .sentences import CALIBRATION, HELD_OUT
    sentences = list(CALIBRATION + HELD_OUT) if sentences is None else sentences
    model, tok = minilm.load()
    names = minilm.linear_names(model)
    modules = dict(model.named_modules())
    weights = {n: modules[n].weight.detach().numpy().astype(np.float32) for n in names}
    ref = minilm.embed(model, tok, sentences)
    t_data = student_t()
    rows = []
    for s in scheme_list:
        t0 = time.perf_counter()
        num = den = 0.0
        new = {}
        for n, w in weights.items():
            q = s.qdq(w)
            num += float(((q.astype(np.float64) - w) ** 2).sum())
            den += float((w.astype(np.float64) ** 2).sum())
            new[n] = torch.from_numpy(q)
        with torch.no_grad(), swapped_weights(modules, new):
            emb = minilm.embed(model, tok, sentences)
        cos = (emb * ref).sum(1) / (emb.norm(dim=1) * ref.norm(dim=1))
        rows.append(Row(s, num / den, rel_mse(t_data, s.qdq(t_data)), float(cos.mean()),
                        float(cos.min()), time.perf_counter() - t0))
        if progress:
            progress(s.name)
    return rows
