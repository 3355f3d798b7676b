"""The pictures of the LLM-FP4 report (`fp4ref llmfp4 report --out DIR`, issue 17 part 5, asked
since issue 5), for all-MiniLM-L6-v2 and SmolLM2-135M alike, from what the experiments computed:

  layer_error.png  per-layer output error by method (quant.experiment / quant.ppl_experiment rows:
                   layer_rel_mse; MiniLM on held-out inputs, SmolLM2 on the calibration inputs)
  formats.png      the format chosen per layer and operand (the calibrated quantizers)
  offsets.png      the histogram of the activation channel offsets b_j of the pre-shifted exponent
                   bias (the quantizers' integer offsets, quant/granularity.py; llm-fp4.md §3.2)
  ppl_bits.png     perplexity against bits per weight (SmolLM2: the W4A4 rows, the model as
                   shipped and, when given, the weight-only rows of quant.weight_only)

summary() turns the results into plain JSON-able data (what fp4ref caches beside the report's
text), files() renders report.md and the PNGs from it. The PNGs are drawn with matplotlib's Agg
canvas (no pyplot, no global backend) and saved without the Software metadata, so a re-run writes
the same bytes.
"""
from __future__ import annotations

import io

import numpy as np

LAYER_ERROR, FORMATS, OFFSETS, PPL_BITS = "layer_error.png", "formats.png", "offsets.png", "ppl_bits.png"
#: a fixed colour per format name, so that a format looks the same in every picture and run
FORMAT_COLORS = {"INT4": "#7f7f7f", "E2M1": "#1f77b4", "E3M0": "#ff7f0e", "E1M2": "#2ca02c"}
METHOD_MARKERS = {"rtn": "o", "gptq": "s", "awq": "^"}
W4A4_BITS = 4.0      #: W4A4 rows: 4-bit codes, one scale per output channel (overhead left out)
TITLES = {"minilm": "all-MiniLM-L6-v2", "smollm2": "SmolLM2-135M-Instruct"}


def summary(results, model: str) -> dict:
    """The plot data of one report: per method (in run order) the layers, their relative output
    error, the (weight, activation) format of each and the histogram of the activation offsets
    b_j per activation format; per row the perplexity where the rows have one (SmolLM2)."""
    from .ppl_experiment import layer_formats

    methods, ppl = [], []
    for r in results:
        if hasattr(r, "ppl"):
            ppl.append({"method": r.method, "ppl": float(r.ppl)})
        if not r.quantizers:                      # the model as shipped
            continue
        names = list(r.layer_rel_mse)
        hist: dict[str, list[int]] = {}
        for q in r.quantizers.values():
            offsets = getattr(q, "offsets", None)
            if offsets is not None and np.any(offsets):
                key = "E{}M{}".format(*q.a_fmt)
                counts = np.bincount(np.asarray(offsets, np.int64), minlength=(1 << q.a_fmt[0]))
                old = hist.get(key, [0] * counts.size)
                hist[key] = [int(a + b) for a, b in zip(old, counts)]
        methods.append({"method": r.method, "layers": names,
                        "rel_mse": [float(r.layer_rel_mse[n]) for n in names],
                        "formats": [list(layer_formats(r.quantizers[n])) for n in names],
                        "offsets": dict(sorted(hist.items()))})
    return {"model": model, "methods": methods, "ppl": ppl}


def weight_only_points(rows) -> list[dict]:
    """fp4ref.quant.weight_only rows as plot points, the model as shipped included (measured on that
    run's tokens, which need not be the W4A4 report's)."""
    return [{"method": r.method, "fmt": r.fmt, "bits": float(r.bits), "ppl": float(r.ppl)} for r in rows]


def _figure(width: float, height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(fig)
    return fig


def _png(fig) -> bytes:
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def layer_error_png(data: dict) -> bytes:
    fig = _figure(10, 4.2)
    ax = fig.add_subplot(1, 1, 1)
    for m in data["methods"]:
        ax.plot(range(len(m["rel_mse"])), m["rel_mse"], marker=".", ms=3, lw=0.8, label=m["method"])
    ax.set_yscale("log")
    ax.set_xlabel("Linear layer (model order)")
    ax.set_ylabel("output MSE / mean square of the float output")
    ax.set_title(f"{TITLES[data['model']]}: per-layer output error by method")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    return _png(fig)


def formats_png(data: dict) -> bytes:
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    names = sorted({f for m in data["methods"] for pair in m["formats"] for f in pair},
                   key=lambda f: (f not in FORMAT_COLORS, list(FORMAT_COLORS).index(f) if f in FORMAT_COLORS else 0, f))
    spare = iter(["#d62728", "#9467bd", "#8c564b", "#e377c2", "#bcbd22", "#17becf"])
    colors = [FORMAT_COLORS.get(f) or next(spare) for f in names]
    rows, labels = [], []
    for m in data["methods"]:
        for k, operand in enumerate(("W", "A")):
            rows.append([names.index(pair[k]) for pair in m["formats"]])
            labels.append(f"{m['method']} {operand}")
    fig = _figure(10, 1.2 + 0.32 * len(rows))
    ax = fig.add_subplot(1, 1, 1)
    ax.imshow(np.array(rows), aspect="auto", interpolation="nearest", cmap=ListedColormap(colors),
              vmin=-0.5, vmax=len(names) - 0.5)
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    ax.set_xlabel("Linear layer (model order)")
    ax.set_title(f"{TITLES[data['model']]}: format per layer and operand (W weights, A activations)")
    ax.legend(handles=[Patch(color=c, label=f) for f, c in zip(names, colors)], fontsize=8,
              loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return _png(fig)


def offsets_png(data: dict) -> bytes | None:
    """None when no method has a non-zero offset (no pre-shift run)."""
    shifted = [m for m in data["methods"] if m["offsets"]]
    if not shifted:
        return None
    fig = _figure(5.5 * len(shifted), 3.8)
    for i, m in enumerate(shifted):
        ax = fig.add_subplot(1, len(shifted), i + 1)
        kinds = list(m["offsets"])
        width = 0.8 / len(kinds)
        for k, fmt in enumerate(kinds):
            counts = m["offsets"][fmt]
            ax.bar(np.arange(len(counts)) + (k - (len(kinds) - 1) / 2) * width, counts, width,
                   color=FORMAT_COLORS.get(fmt, "#9467bd"), label=f"activations {fmt} ({sum(counts):,} channels)")
        ax.set_xticks(range(max(len(c) for c in m["offsets"].values())))
        ax.set_xlabel("channel offset b_j (exponent bias rho + b_j)")
        ax.set_ylabel("input channels (all layers)")
        ax.set_title(f"{TITLES[data['model']]}: {m['method']} offsets b_j", fontsize=10)
        ax.grid(True, axis="y", alpha=0.3)
        ax.legend(fontsize=8)
    return _png(fig)


def ppl_bits_png(data: dict, weight_only: list[dict] | None) -> bytes | None:
    """None without perplexities (MiniLM is an embedding model). Left: the weight-only rows (a
    colour per format, a marker per method, the methods side by side at one bit width); right:
    the W4A4 rows (their perplexities are orders of magnitude apart). The model as shipped on both."""
    if not data["ppl"]:
        return None
    from matplotlib.lines import Line2D

    from .weight_only import METHOD_TITLES, SHIPPED_BITS

    w4a4 = [p for p in data["ppl"] if p["method"] != "shipped"]
    quantized = [p for p in weight_only or () if p["method"] != "shipped"]
    panels = [k for k, have in (("weight-only", quantized), ("W4A4", w4a4)) if have]
    fig = _figure(6.5 * max(len(panels), 1), 5)
    for i, panel in enumerate(panels):
        ax = fig.add_subplot(1, len(panels), i + 1)
        # each panel's reference is the model as shipped on that run's own tokens
        for y in [p["ppl"] for p in (data["ppl"] if panel == "W4A4" else weight_only) if p["method"] == "shipped"]:
            ax.scatter([SHIPPED_BITS], [y], marker="*", s=160, color="black", zorder=4)
        handles = [Line2D([], [], marker="*", ms=11, color="black", ls="", label="as shipped (Q4_1)")]
        if panel == "W4A4":
            ax.scatter([W4A4_BITS] * len(w4a4), [p["ppl"] for p in w4a4], marker="x", color="tab:red")
            for p in w4a4:
                ax.annotate(p["method"], (W4A4_BITS, p["ppl"]), textcoords="offset points", xytext=(6, -3),
                            fontsize=7)
            handles.append(Line2D([], [], marker="x", color="tab:red", ls="", label="W4A4 (per-channel scales)"))
            ax.set_title("W4A4: weights and activations 4-bit", fontsize=10)
        else:
            methods = list(dict.fromkeys(p["method"] for p in quantized))
            formats = list(dict.fromkeys(p["fmt"] for p in quantized))
            colors = dict(zip(formats, [f"C{k % 10}" for k in range(len(formats))]))
            for j, m in enumerate(methods):
                pts = [p for p in quantized if p["method"] == m]
                dx = (j - (len(methods) - 1) / 2) * 0.06           # side by side at one bit width
                ax.scatter([p["bits"] + dx for p in pts], [p["ppl"] for p in pts], s=26, zorder=3,
                           marker=METHOD_MARKERS.get(m, "o"), c=[colors[p["fmt"]] for p in pts])
                handles.append(Line2D([], [], marker=METHOD_MARKERS.get(m, "o"), color="0.3", ls="",
                                      label=f"{METHOD_TITLES.get(m, m)} (group 128)"))
            handles += [Line2D([], [], marker="s", color=c, ls="", label=f) for f, c in colors.items()]
            ax.set_title("weight-only, activations float32", fontsize=10)
        if panel == "W4A4":
            ax.set_yscale("log")
        ax.set_xlabel("bits per weight (codes + scales of the quantized layers)")
        ax.set_ylabel("perplexity (held-out play)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(handles=handles, fontsize=7, loc="best")
    fig.suptitle(f"{TITLES[data['model']]}: perplexity against bits per weight", fontsize=11)
    return _png(fig)


def files(text: str, data: dict, weight_only: list[dict] | None = None, weight_only_note: str = "") -> dict[str, bytes]:
    """report.md (the report's own text, then each picture with a line on what it shows) and the
    PNGs it names. ``weight_only``: weight_only_points() of a weight-only run, or None;
    ``weight_only_note``: where they came from, or how to get them."""
    body = text if data["ppl"] else "```\n" + text.rstrip("\n") + "\n```\n"
    where = ("held-out inputs" if data["model"] == "minilm" else "the calibration inputs")
    out: dict[str, bytes] = {LAYER_ERROR: layer_error_png(data), FORMATS: formats_png(data)}
    md = [f"# LLM-FP4 W4A4 report: {TITLES[data['model']]}\n", body,
          "## Per-layer output error by method\n",
          f"![per-layer output error]({LAYER_ERROR})\n",
          f"Each Linear quantized alone, its output error on {where} relative to the mean square of "
          f"the float output.\n",
          "## Format chosen per layer and operand\n", f"![format per layer and operand]({FORMATS})\n"]
    png = offsets_png(data)
    md.append("## Activation offsets b_j (pre-shifted exponent bias)\n")
    if png:
        out[OFFSETS] = png
        md += [f"![activation offsets]({OFFSETS})\n",
               "Per input channel, the integer b_j added to the layer's real activation bias rho, counted over "
               "every layer, by the layer's activation format (b_j runs 0..2^e - 1).\n"]
    else:
        md.append("No method with pre-shifted offsets in this report (run `fpq`).\n")
    md.append("## Perplexity against bits per weight\n")
    png = ppl_bits_png(data, weight_only)
    if png:
        out[PPL_BITS] = png
        md += [f"![perplexity against bits per weight]({PPL_BITS})\n",
               "Left (when there are weight-only rows): each weight-only row and the model as shipped, on that "
               "run's tokens; right: the W4A4 rows at 4 bits per weight (per-channel scales, overhead left out) "
               "and the model as shipped, on this report's tokens. " + (weight_only_note or "") + "\n"]
    else:
        md.append("Not for this model: all-MiniLM-L6-v2 is an embedding model, measured by cosine, not perplexity.\n")
    out["report.md"] = "\n".join(md).encode()
    return {"report.md": out.pop("report.md"), **out}
