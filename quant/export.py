"""What hardware needs from an LLM-FP4 layer (llm-fp4.md §3.3-3.4, §5): weight codes, the
activation encoder's offsets, per-row shifts, output scales and the accumulator width.

The released code stores no codes at all (only real biases and formats); this turns a searched
layer into the integer artefacts of an accelerator, folded one of the three ways of
quant.preshift, with the layer's worst-case and data-dependent accumulator widths.
"""
from __future__ import annotations

import hashlib
import io
import json

import numpy as np
import torch

from fp4ref.mac import l1_bound, worst_case_width
from fp4ref.mac.width import bits_for

from . import lfp4_int
from .preshift import FoldedLayer, fold
from .search import LayerQuant


def fold_layer(q: LayerQuant, linear: torch.nn.Linear, how: str = "rowshift") -> FoldedLayer:
    """Weight codes of a searched layer on its bias-0 grid, folded ``how``."""
    w = linear.weight.detach().double().numpy()
    w_codes = lfp4_int.encode(w, *q.w_fmt, q.w_bias[:, None])
    return fold(w_codes, q.w_fmt, q.w_bias, q.a_fmt, q.rho, q.offsets, how)


def artefacts(name: str, q: LayerQuant, linear: torch.nn.Linear, how: str = "rowshift") -> tuple[dict, dict]:
    """(metadata, arrays) for one layer."""
    f = fold_layer(q, linear, how)
    k = f.w_codes.shape[1]
    worst = worst_case_width(lfp4_int.grid_format(*q.a_fmt), f.w_format, k, f.shift_max)
    l1 = l1_bound(f.w_codes, lfp4_int.grid_format(*q.a_fmt), f.w_format, f.shifts, f.shift_max)
    meta = {
        "layer": name, "fold": how,
        "activation": {"format": f"e{q.a_fmt[0]}m{q.a_fmt[1]}", "grid": lfp4_int.grid_format(*q.a_fmt).name,
                       "rho": q.rho, "encoder": "code = RNE_sat(x * 2^(rho + offsets[j])) on the bias-0 grid"},
        "weight": {"format": f.w_format.name, "exp_w": f.w_format.exp_w, "man_w": f.w_format.man_w,
                   "bias": f.w_format.bias, "shape": list(f.w_codes.shape)},
        "mac": {"shift_max": f.shift_max, "per_row_shifts": f.shifts is not None,
                "accumulator_bits_worst_case": worst.bits, "accumulator_bits_l1": bits_for(int(l1.max())),
                "output": "y[k] = acc[k] * output_scale[k] + bias[k]"},
    }
    arrays = {"w_codes": f.w_codes.astype(np.uint8), "act_offsets": f.offsets.astype(np.int8),
              "output_scale": f.output_scale().astype(np.float32),
              "w_bias_real": f.w_bias.astype(np.float32)}
    if f.shifts is not None:
        arrays["row_shifts"] = f.shifts.astype(np.int8)
    if linear.bias is not None:
        arrays["bias"] = linear.bias.detach().numpy().astype(np.float32)
    return meta, arrays


def export_files(layers: dict[str, tuple[dict, dict]]) -> dict[str, bytes]:
    """The files of an export folder: one .npy per array (deterministic bytes, no zip dates) and
    manifest.json listing every layer, its arrays and their sha256."""
    files, index = {}, []
    for name, (meta, arrays) in layers.items():
        entry = {**meta, "arrays": {}}
        for key, value in arrays.items():
            buf = io.BytesIO()
            np.save(buf, np.ascontiguousarray(value), allow_pickle=False)
            fname = f"{name}.{key}.npy"
            files[fname] = buf.getvalue()
            entry["arrays"][key] = {"file": fname, "dtype": str(value.dtype), "shape": list(value.shape),
                                    "sha256": hashlib.sha256(files[fname]).hexdigest()}
        index.append(entry)
    files["manifest.json"] = (json.dumps({"fp4ref_export": 1, "layers": index}, indent=2) + "\n").encode()
    return files


def export_layers(layers: list[str] | None, cfg, n_calib: int = 32, how: str = "rowshift",
                  progress=None) -> dict[str, tuple[dict, dict]]:
    """{name: (metadata, arrays)} of all-MiniLM-L6-v2's Linear ``layers`` (None: every one),
    FPQ-searched with ``cfg`` on ``n_calib`` calibration sentences and folded ``how``: what
    export_files writes. ValueError naming an unknown layer before any search. ``progress``,
    if given, is called with the number of layers and returns the function called after each."""
    from . import experiment, minilm

    model, _ = minilm.load()
    known = minilm.linear_names(model)
    names = known if layers is None else layers
    for n in names:
        if n not in set(known):
            raise ValueError(f"--layer: {n!r} is not a Linear of the model (e.g. {sorted(known)[0]})")
    update = progress(len(names)) if progress else None
    result = experiment.run(("fpq",), cfg, n_calib, layers=names,
                            progress=update and (lambda method, name: update(1)))[0]
    modules = dict(model.named_modules())
    return {n: artefacts(n, result.quantizers[n], modules[n], how) for n in names}
