"""Golden MAC packs from a real layer (docs/layer_packs.md): the codes a quantized MiniLM Linear
really puts on an E2M1 x E2M1 datapath, walked through the ``dot`` unit of docs/mac.md.

Weights: E2M1 codes with one float32 scale per (row, group of 128 input columns), from GPTQ
(quant.gptq.gptq) or RTN (quant.gptq.rtn: absmax / 6, as emu.lookup_scale). Activations: E2M1
codes with one float32 per-tensor scale and a per-input-channel pre-shift s_j in 0..B (B = 3 for
E2M1) in LLM-FP4's form (2^-s_j folded into the weights), chosen by a floor rule so that no
channel's scaled max exceeds the tensor's (LLM-FP4's own offset rules, which round, are
quant.granularity's):

    act_scale = fp32(M / 6)                   M = max_j M_j, M_j = absmax of channel j (calibration)
    s_j       = the largest s in 0..B with M_j * 2^s <= M   (B when M_j = 0)
    code_ij   = RNE_sat(fp32(x_ij / act_scale) * 2^s_j)     (emu.encode, saturating at +-6)
    x^_ij     = act_scale * 2^-s_j * value(code_ij)

so every channel's maximum lands in the grid's top binade (3, 6] unless it is more than 2^B
below the tensor's maximum. The MAC shifts lane j's product by B - s_j (docs/mac.md §1), so

    y[t, k] = act_scale * 2^(ux + uw - B) * sum_g scale_w[k, g] * acc[t, k, g]

with acc[t, k, g] the integer dot product of group g (ux = uw = -1 for E2M1). The pack walks it:
L = 16 lanes per vector, the columns of group g in ascending order, vectors_per_group vectors per
(token, row, group) chained through acc_in (0 for a group's first vector, the previous vector's
expected acc after that); vector index ((token * rows + row) * groups + group) * vpg + v. The
fields are those of a MacPackSpec dot pack, so rtl_tb's dot bench runs it unchanged.
"""
from __future__ import annotations

import io
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from fp4ref.emu import decode, encode, get_format
from fp4ref.mac import dot
from fp4ref.mac.width import bits_for, l1_bound, observed_max, preshift_range, worst_case_width

from . import manifest
from .atomic import check_target, write_folder
from .defaults import MAC_DOTS
from .mac_pack import MacPackSpec, signed
from .pack import load, render

FORMAT = "e2m1"                      #: activation and weight format
DEFAULT_LAYER = "encoder.layer.0.attention.self.query"
METHODS = ("gptq", "rtn")
LANES = 16
GROUP = 128
DEFAULT_TOKENS = 4
CALIB_SENTENCES = 48                 #: quant.sentences.CALIBRATION: all of it by default
LAYER_PACK = 1                       #: bump when the vectors a given set of arguments yields change
#: the manifest's note on RTN weights (quant.gptq.rtn computes emu.lookup_scale.quantize bit for bit)
RTN_NOTE = "fp4ref.emu.lookup_scale.quantize(w, 'e2m1', 128): scale = fp32(absmax / 6), nearest value, ties even"


@dataclass
class QuantLayer:
    """One Linear layer quantized to E2M1 codes on both operands (everything a pack needs)."""

    layer: str
    method: str                      #: "gptq" or "rtn": what produced w_codes
    method_note: str                 #: how
    w_codes: np.ndarray              #: uint8 [out, in], E2M1 codes, original column order
    w_scales: np.ndarray             #: float32 [out, groups]
    g_idx: np.ndarray                #: int64 [in]: the group of each input column
    act_scale: np.float32            #: per-tensor activation scale
    shifts: np.ndarray               #: int64 [in]: s_j in 0..shift_max
    shift_max: int                   #: B (0: no pre-shift)
    calib_x_codes: np.ndarray        #: uint8 [T, in]: every calibration token's activation codes
    token_rows: np.ndarray           #: int64 [tokens]: the pack's tokens (rows of calib_x_codes)
    calib_sentences: int
    y_float: np.ndarray | None = None    #: float32 [tokens, out]: the float layer (bias included)
    bias: np.ndarray | None = None       #: float32 [out]
    extra: dict = field(default_factory=dict)

    @property
    def x_codes(self) -> np.ndarray:
        return self.calib_x_codes[self.token_rows]

    @property
    def shape(self) -> tuple[int, int]:
        return tuple(self.w_codes.shape)


# ---- activations -------------------------------------------------------------------------------
def activation_scaling(x, shift_max: int) -> tuple[np.float32, np.ndarray]:
    """(act_scale, shifts) from calibration activations [tokens, in] (the rule in the docstring)."""
    x = np.asarray(x, np.float32)
    if x.ndim != 2 or not x.size:
        raise ValueError(f"activations: expected a non-empty [tokens, in] array, got shape {x.shape}")
    if not np.isfinite(x).all():
        raise ValueError("activations: NaN or Inf in the calibration activations")
    m = np.abs(x).max(axis=0)
    top = m.max()
    if top == 0:
        raise ValueError("activations: every calibration activation is 0; no scale")
    act_scale = np.float32(top / np.float32(get_format(FORMAT).max_value))
    shifts = np.zeros(m.shape, np.int64)
    for s in range(1, shift_max + 1):           # M_j * 2^s <= M holds for s = 0 .. s_j: count them
        shifts += np.ldexp(m, s) <= top
    return act_scale, shifts


def encode_activations(x, act_scale, shifts) -> np.ndarray:
    """code = RNE_sat(fp32(x / act_scale) * 2^s_j): uint8 E2M1 codes [tokens, in]."""
    t = np.asarray(x, np.float32) / np.float32(act_scale)          # float32 division
    t = np.ldexp(t, np.asarray(shifts, np.int64)[None, :]).astype(np.float32)   # exact
    return encode(t, FORMAT, rounding="rne", overflow="saturate")


# ---- weights -----------------------------------------------------------------------------------
def rtn_weights(w) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(codes, scales, g_idx) of RTN E2M1 at group 128 (quant.gptq.rtn: scale = absmax / 6)."""
    from fp4ref.quant.gptq import rtn
    q = rtn(np.asarray(w, np.float32), FORMAT, GROUP)
    return q.codes, q.scales, q.groups


def gptq_weights(w, x) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    """(codes, scales, g_idx, note) of GPTQ onto the E2M1 grid at group 128 (quant.gptq), the
    Hessian from the calibration activations x [tokens, in]."""
    from fp4ref.quant import gptq as G
    q = G.gptq(np.asarray(w, np.float32), G.hessian(np.asarray(x, np.float32)), FORMAT,
               group_size=GROUP, act_order=False)
    if q.zeros is not None and np.any(q.zeros != 0):
        raise ValueError("gptq: nonzero zero points; the E2M1 MAC has no zero-point path")
    r = q.report
    note = (f"fp4ref.quant.gptq.gptq(grid 'e2m1', group_size={GROUP}, act_order=False, damp={r.get('damp')}): "
            f"Hessian 2 X^T X / n from the calibration tokens; damp used {r.get('damp_used')}, "
            f"fallback to RTN {r.get('fallback_rtn')}")
    return (np.asarray(q.codes, np.uint8), np.asarray(q.scales, np.float32),
            np.asarray(q.groups, np.int64), note)


# ---- the real layer ----------------------------------------------------------------------------
def check_args(layer: str, tokens: int, method: str, calib: int = CALIB_SENTENCES) -> None:
    if isinstance(tokens, bool) or not isinstance(tokens, (int, np.integer)) or tokens < 1:
        raise ValueError(f"tokens: must be an integer >= 1, got {tokens!r}")
    if method not in METHODS:
        raise ValueError(f"method: must be one of {', '.join(METHODS)}, got {method!r}")
    if isinstance(calib, bool) or not isinstance(calib, (int, np.integer)) or not 1 <= calib <= CALIB_SENTENCES:
        raise ValueError(f"calib: must be an integer in 1..{CALIB_SENTENCES}, got {calib!r}")
    if not isinstance(layer, str) or not layer:
        raise ValueError(f"layer: must be a Linear's name, got {layer!r}")


def quantize_layer(layer: str = DEFAULT_LAYER, tokens: int = DEFAULT_TOKENS, method: str = "gptq",
                   preshift: bool = True, calib: int = CALIB_SENTENCES) -> QuantLayer:
    """Quantize one MiniLM Linear (weights and activations) from ``calib`` calibration sentences;
    the pack's ``tokens`` tokens are spread evenly over the calibration tokens."""
    check_args(layer, tokens, method, calib)
    from fp4ref.quant import minilm
    from fp4ref.quant.sentences import CALIBRATION

    model, tok = minilm.load()
    names = minilm.linear_names(model)
    if layer not in names:
        raise ValueError(f"layer: no Linear named {layer!r} in all-MiniLM-L6-v2 "
                         f"(e.g. {names[0]}, {names[-1]}; {len(names)} in all)")
    x, y = minilm.capture_linear_io(model, tok, CALIBRATION[:calib], names=[layer])[layer]
    x, y = x.numpy().astype(np.float32), y.numpy().astype(np.float32)
    n = x.shape[0]
    if tokens > n:
        raise ValueError(f"tokens: {tokens} asked, the {calib} calibration sentences give {n} tokens")
    linear = model.get_submodule(layer)
    w = linear.weight.detach().numpy().astype(np.float32)
    if method == "gptq":
        codes, scales, g_idx, note = gptq_weights(w, x)
    else:
        (codes, scales, g_idx), note = rtn_weights(w), RTN_NOTE
    shift_max = preshift_range(FORMAT) if preshift else 0
    act_scale, shifts = activation_scaling(x, shift_max)
    rows = (np.arange(tokens, dtype=np.int64) * n) // tokens
    bias = None if linear.bias is None else linear.bias.detach().numpy().astype(np.float32)
    return QuantLayer(layer, method, note, codes.astype(np.uint8), scales.astype(np.float32), g_idx,
                      act_scale, shifts, shift_max, encode_activations(x, act_scale, shifts), rows,
                      calib, y[rows], bias)


# ---- the walk ----------------------------------------------------------------------------------
def group_columns(g_idx: np.ndarray, groups: int) -> list[np.ndarray]:
    """Each group's columns in ascending order, padded with -1 to a multiple of LANES."""
    out = []
    for g in range(groups):
        cols = np.flatnonzero(g_idx == g)
        if not cols.size:
            raise ValueError(f"g_idx: group {g} has no columns")
        pad = -len(cols) % LANES
        out.append(np.concatenate([cols, np.full(pad, -1)]))
    if len({len(c) for c in out}) != 1:
        raise ValueError("groups of different sizes: the pack needs the same vectors per group")
    return out


@dataclass
class Walk:
    x: np.ndarray        #: int64 [tokens, 1, groups, vpg, LANES] activation codes
    w: np.ndarray        #: int64 [1, rows, groups, vpg, LANES] weight codes
    s: np.ndarray        #: int64 [groups, vpg, LANES] lane shifts
    cols: np.ndarray     #: int64 [groups, vpg * LANES] columns (-1: padding lane)


def walk(q: QuantLayer) -> Walk:
    cols = np.stack(group_columns(q.g_idx, q.w_scales.shape[1]))
    groups, width = cols.shape
    vpg = width // LANES
    safe = np.where(cols < 0, 0, cols)
    pad = cols < 0
    x = np.where(pad, 0, q.x_codes.astype(np.int64)[:, safe])          # [T, G, width]
    w = np.where(pad, 0, q.w_codes.astype(np.int64)[:, safe])          # [R, G, width]
    s = np.where(pad, 0, q.shifts[safe])                               # [G, width]
    rows = q.w_codes.shape[0]
    return Walk(x.reshape(x.shape[0], 1, groups, vpg, LANES),
                w.reshape(1, rows, groups, vpg, LANES), s.reshape(groups, vpg, LANES), cols)


def chain(q: QuantLayer, wk: Walk, acc_w: int, policy: str, order: str):
    """acc_in and expected acc [tokens, rows, groups, vpg], vector after vector (mac.dot)."""
    shape = np.broadcast_shapes(wk.x.shape, wk.w.shape)[:-1]
    acc_in = np.zeros(shape, np.int64)
    acc = np.zeros(shape, np.int64)
    ovf = np.zeros(shape, bool)
    prev = np.zeros(shape[:-1], np.int64)
    for v in range(shape[-1]):
        res = dot(wk.x[..., v, :], wk.w[..., v, :], FORMAT, FORMAT, acc_w, policy, order, LANES,
                  wk.s[None, None, :, v, :], q.shift_max, prev if v else 0)
        acc_in[..., v] = prev if v else 0
        acc[..., v], ovf[..., v] = res.acc, res.overflow
        prev = res.acc
    return acc_in, acc, ovf


# ---- accumulator widths ------------------------------------------------------------------------
def widths(q: QuantLayer, wk: Walk) -> dict:
    """Accumulator bits: observed on every calibration token, the l1 bound of the real weights and
    shifts, and the worst case, for one group's chain (and for one cycle)."""
    fx = get_format(FORMAT)
    groups, width = wk.cols.shape
    observed = 0
    l1 = 0
    for g in range(groups):
        cols = wk.cols[g][wk.cols[g] >= 0]
        shifts = q.shifts[cols] if q.shift_max else None
        observed = max(observed, observed_max(q.calib_x_codes[:, cols], q.w_codes[:, cols], fx, fx, shifts,
                                              q.shift_max, order="tree", lanes=LANES))   # after every vector
        l1 = max(l1, int(l1_bound(q.w_codes[:, cols], fx, fx, shifts, q.shift_max).max()))
    worst_group = worst_case_width(fx, fx, width, q.shift_max)
    worst_cycle = worst_case_width(fx, fx, LANES, q.shift_max)
    return {"observed_max_abs": observed, "bits_observed": bits_for(observed),
            "l1_bound": l1, "bits_l1": bits_for(l1),
            "worst_case_group": worst_group.bound, "bits_worst_case_group": worst_group.bits,
            "worst_case_cycle": worst_cycle.bound, "bits_worst_case_cycle": worst_cycle.bits}


def choose_accumulator(need: int, shift_max: int) -> tuple[int, str, str]:
    """(acc_w, policy, order): the narrowest default dot build (golden.defaults.MAC_DOTS) of
    E2M1 x E2M1, 16 lanes, adder tree and this B that holds ``need`` bits, so the RTL tests reuse
    its simulator build; otherwise ``need`` bits, saturating tree."""
    fits = sorted((w, p, o) for x, wf, lanes, w, p, o, b in MAC_DOTS
                  if (x, wf, lanes, o, b) == (FORMAT, FORMAT, LANES, "tree", shift_max) and w >= need)
    return fits[0] if fits else (max(need, 2), "saturate", "tree")


# ---- the pack ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class LayerDotSpec(MacPackSpec):
    """A MacPackSpec dot pack whose vectors are a real layer's walk (fields, hex and JSONL exactly
    as MacPackSpec writes them; only the stimulus, name and vector set differ)."""

    stimulus: tuple = field(default=(), compare=False, repr=False)
    pack_name: str = ""
    layer_record: dict = field(default_factory=dict, compare=False, repr=False, hash=False)

    @property
    def vector_set(self) -> str:
        return "layer"

    @property
    def name(self) -> str:
        return self.pack_name

    def header(self) -> dict:
        h = super().header()
        h["options"] = {k: v for k, v in h["options"].items() if k != "n_random"}
        h["layer"] = self.layer_record
        return h

    def _stimulus(self):
        return self.stimulus


def short_name(layer: str) -> str:
    """encoder.layer.0.attention.self.query -> l0-query (a folder-friendly name)."""
    parts = layer.split(".")
    idx = next((p for p in parts if p.isdigit()), None)
    tail = parts[-1] if parts[-1] != "dense" else parts[-2]
    return (f"l{idx}-" if idx is not None else "") + tail


def _npy(a) -> bytes:
    buf = io.BytesIO()
    a = np.asarray(a)
    np.save(buf, np.ascontiguousarray(a) if a.ndim else a, allow_pickle=False)   # keeps 0-d 0-d
    return buf.getvalue()


def histogram(codes) -> list[dict]:
    """Count per E2M1 code (all 16 codes, unused ones with count 0)."""
    fx = get_format(FORMAT)
    counts = np.bincount(np.asarray(codes, np.int64).ravel(), minlength=fx.n_codes)
    values = decode(np.arange(fx.n_codes), fx)
    return [{"code": c, "bits": format(c, "04b"), "value": float(values[c]), "count": int(counts[c])}
            for c in range(fx.n_codes)]


def reference_output(q: QuantLayer) -> np.ndarray:
    """float64 [tokens, out]: sum_j x^_tj * w^_kj from the dequantized operands, correctly rounded
    (math.fsum of exact float64 products: each factor has at most 2 + 24 significant bits)."""
    fx = get_format(FORMAT)
    xh = np.ldexp(decode(q.x_codes, fx).astype(np.float64), -q.shifts[None, :]) * np.float64(q.act_scale)
    wh = decode(q.w_codes, fx).astype(np.float64) * q.w_scales.astype(np.float64)[:, q.g_idx]
    return np.array([[math.fsum(xi * wk) for wk in wh] for xi in xh])


def scaled_sum(act_scale, scales_row, accs, unit_exp: int) -> float:
    """act_scale * 2^unit_exp * sum_g scales_row[g] * accs[g], correctly rounded to float64: each
    acc is split into 4-bit digits so every term (48 + 4 significant bits) is exact, then fsum."""
    terms = []
    for sc, a in zip(scales_row, accs):
        c = math.ldexp(float(act_scale) * float(sc), unit_exp)      # exact: 24 x 24 bits
        a, sign, shift = abs(int(a)), -1.0 if a < 0 else 1.0, 0
        while a:
            terms.append(sign * c * math.ldexp(a & 15, shift))
            a >>= 4
            shift += 4
    return math.fsum(terms)


def build(q: QuantLayer, acc_w: int | None = None) -> tuple[LayerDotSpec, dict[str, bytes], dict]:
    """(spec, files, summary) of the layer's pack."""
    fx = get_format(FORMAT)
    wk = walk(q)
    wd = widths(q, wk)
    chosen = choose_accumulator(wd["bits_observed"], q.shift_max)
    if acc_w is not None:
        chosen = (acc_w, "saturate", "tree")
    acc_w, policy, order = chosen
    acc_in, acc, ovf = chain(q, wk, acc_w, policy, order)
    if ovf.any():
        raise ValueError(f"acc_w: {acc_w} bits overflow on this layer's data "
                         f"(it needs {wd['bits_observed']})")
    tokens, rows, groups, vpg = acc.shape
    lanes_x = np.broadcast_to(wk.x, (tokens, rows, groups, vpg, LANES)).reshape(-1, LANES)
    lanes_w = np.broadcast_to(wk.w, (tokens, rows, groups, vpg, LANES)).reshape(-1, LANES)
    lanes_s = np.broadcast_to(wk.s, (tokens, rows, groups, vpg, LANES)).reshape(-1, LANES)
    unit_exp = 2 * fx.int_unit_exp - q.shift_max
    final = acc[..., -1]                                               # [tokens, rows, groups]
    y = np.array([[scaled_sum(q.act_scale, q.w_scales[k], final[t, k], unit_exp)
                   for k in range(rows)] for t in range(tokens)])
    rel = None
    if q.y_float is not None:
        yq = y + (0.0 if q.bias is None else q.bias.astype(np.float64)[None, :])
        ref = q.y_float.astype(np.float64)
        rel = float(np.sqrt(((yq - ref) ** 2).sum() / (ref ** 2).sum()))
    hist_w, hist_x = histogram(q.w_codes), histogram(q.x_codes)
    record = {
        "layer_pack": LAYER_PACK,
        "readme": ("Real-layer dot pack: one MiniLM Linear's E2M1 weight codes x E2M1 activation "
                   "codes walked through the dot unit, 16 lanes per vector, vectors_per_group "
                   "vectors per (token, row, group) chained through acc_in; vector index "
                   "((token * rows + row) * groups + group) * vectors_per_group + v. "
                   "y[t, k] = act_scale * 2^unit_exp * sum_g scales[k, g] * acc[t, k, g] "
                   "(acc of the group's last vector); see docs/layer_packs.md."),
        "model": "all-MiniLM-L6-v2",
        "name": q.layer,
        "shape": [rows, int(q.w_codes.shape[1])],
        "weights": {"method": q.method, "note": q.method_note, "format": FORMAT, "group_size": GROUP,
                    "groups": groups, "codes": "codes.npy (uint8 [out, in], original column order)",
                    "scales": "scales.npy (float32 [out, groups])",
                    "g_idx": "g_idx.npy (int64 [in]: the group of each input column)"},
        "activations": {
            "format": FORMAT, "act_scale": float(q.act_scale),
            "act_scale_f32": f"{int(np.float32(q.act_scale).view(np.uint32)):#010x}",
            "rule": ("act_scale = fp32(absmax / 6) over the calibration tokens; s_j = largest s in "
                     "0..B with absmax_j * 2^s <= absmax; code = RNE_sat(fp32(x / act_scale) * 2^s_j)"),
            "shift_max": q.shift_max, "shifts": "shifts.npy (uint8 [in])",
            "shift_counts": [int(c) for c in np.bincount(q.shifts, minlength=q.shift_max + 1)],
            "codes": "act_codes.npy (uint8 [tokens, in])",
            "calibration_sentences": q.calib_sentences,
            "calibration_tokens": int(q.calib_x_codes.shape[0]),
            "token_rows": [int(r) for r in q.token_rows]},
        "walk": {"tokens": tokens, "rows": rows, "groups": groups, "vectors_per_group": vpg,
                 "lanes": LANES, "padding_lanes": int((wk.cols < 0).sum()),
                 "order": "token, row, group, vector; a group's columns ascending",
                 "chain": "acc_in = 0 on a group's first vector, the previous vector's acc after"},
        "accumulator": {"acc_w": acc_w, "policy": policy, "order": order, **wd,
                        "overflows_in_pack": int(ovf.sum())},
        "output": {"formula": "y[t, k] = act_scale * 2^unit_exp * sum_g scales[k, g] * acc[t, k, g]",
                   "unit_exp": unit_exp, "y": "y.npy (float64 [tokens, out], bias excluded)",
                   "rel_rms_error_vs_float_layer": rel},
        "codes_histogram": "codes.json",
    }
    name = (f"layer-{short_name(q.layer)}-{q.method}-t{tokens}-l{LANES}-w{acc_w}-{policy}-{order}"
            f"-b{q.shift_max}")
    spec = LayerDotSpec("dot", fx, fx, LANES, acc_w, policy, order, q.shift_max, 0, 0,
                        stimulus=(lanes_x, lanes_w, lanes_s, acc_in.reshape(-1)),
                        pack_name=name, layer_record=record)
    files = render(spec)
    check_columns(files, acc)
    if not np.array_equal(y, reference_output(q)):
        raise AssertionError("layer pack: the accumulators times the scales do not reproduce the "
                             "layer's output from the dequantized operands")
    side = {
        "codes.npy": _npy(q.w_codes.astype(np.uint8)),
        "scales.npy": _npy(q.w_scales.astype(np.float32)),
        "g_idx.npy": _npy(q.g_idx.astype(np.int64)),
        "shifts.npy": _npy(q.shifts.astype(np.uint8)),
        "act_scale.npy": _npy(np.float32(q.act_scale)),
        "act_codes.npy": _npy(q.x_codes.astype(np.uint8)),
        "y.npy": _npy(y),
        "codes.json": (json.dumps({"layer": q.layer, "method": q.method, "weight_codes": hist_w,
                                   "activation_codes": hist_x}, indent=1) + "\n").encode(),
    }
    record_all = json.loads(files[manifest.MANIFEST])
    for fname, data in side.items():
        record_all["files"][fname] = {"sha256": manifest.sha256(data), "bytes": len(data)}
    files.update(side)
    files[manifest.MANIFEST] = manifest.dumps(record_all)
    summary = {"name": name, "vectors": int(acc.size), "method": q.method, "note": q.method_note,
               "weight_codes": hist_w, "activation_codes": hist_x, "accumulator": record["accumulator"],
               "rel_rms_error_vs_float_layer": rel, "act_scale": float(q.act_scale),
               "shift_counts": record["activations"]["shift_counts"]}
    return spec, files, summary


def check_columns(files: dict[str, bytes], acc: np.ndarray) -> None:
    """The rendered pack's expectations (MacPackSpec's own mac.dot over every vector at once) must
    equal the vector-by-vector chain: the same model, two orders of evaluation."""
    from .hexfile import read_hex
    record = json.loads(files[manifest.MANIFEST])
    cols = read_hex(files["vectors.hex"], manifest.slots(record), record["count"])
    if not np.array_equal(signed(cols["acc"], record["options"]["acc_w"]), acc.reshape(-1)):
        raise AssertionError("layer pack: the pack's acc column differs from the chained mac.dot")


def write(q: QuantLayer, out_dir: Path, acc_w: int | None = None) -> tuple[Path, dict]:
    """Write the pack to out_dir atomically (an existing non-fp4ref folder is refused)."""
    _, files, summary = build(q, acc_w)
    return write_folder(Path(out_dir), files), summary


def generate(out_dir: Path, layer: str = DEFAULT_LAYER, tokens: int = DEFAULT_TOKENS,
             method: str = "gptq", preshift: bool = True, calib: int = CALIB_SENTENCES):
    """Quantize and write: (pack folder, summary)."""
    check_out(out_dir)
    return write(quantize_layer(layer, tokens, method, preshift, calib), out_dir)


def check_out(out_dir: Path) -> None:
    check_target(Path(out_dir))


# ---- reading a pack back -----------------------------------------------------------------------
def reconstruct(pack_dir: Path) -> np.ndarray:
    """y [tokens, out] (float64, bias excluded) from the pack alone: the expected accumulators of
    vectors.hex, scales.npy and act_scale.npy (hashes checked), by the manifest's formula."""
    record, cols = load(pack_dir)
    lay = record["layer"]
    wk = lay["walk"]
    t, r, g, vpg = wk["tokens"], wk["rows"], wk["groups"], wk["vectors_per_group"]
    acc = signed(cols["acc"], record["options"]["acc_w"]).reshape(t, r, g, vpg)[..., -1]
    scales = np.load(Path(pack_dir) / "scales.npy")
    act_scale = float(np.load(Path(pack_dir) / "act_scale.npy"))
    unit_exp = lay["output"]["unit_exp"]
    return np.array([[scaled_sum(act_scale, scales[k], acc[i, k], unit_exp) for k in range(r)]
                     for i in range(t)])
