"""`fp4ref layerpack`: a real MiniLM layer's E2M1 codes as a golden dot pack (docs/layer_packs.md)."""
from __future__ import annotations

from pathlib import Path


def add_parser(sub) -> None:
    from fp4ref.golden.layer_pack import CALIB_SENTENCES, DEFAULT_LAYER, DEFAULT_TOKENS, METHODS

    p = sub.add_parser(
        "layerpack", help="a real layer's E2M1 codes as golden packs for the MAC bench",
        description="Quantize one Linear of all-MiniLM-L6-v2 to E2M1 (weights: GPTQ or RTN, group "
        "128; activations: per-tensor scale and per-channel pre-shift 0..3), and write the dot "
        "products of a few tokens as a golden dot pack (16 lanes per vector, chained through "
        "acc_in) with the codes, scales, shifts and a histogram of the weight codes beside it. "
        "With --sim, also run it through rtl/fp4_mac.v (or --rtl/--top: your MAC).")
    p.add_argument("--layer", default=DEFAULT_LAYER, help=f"Linear name (default {DEFAULT_LAYER})")
    p.add_argument("--out", required=True, help="pack folder (written atomically)")
    p.add_argument("--tokens", type=int, default=DEFAULT_TOKENS,
                   help=f"tokens walked, spread over the calibration tokens (default {DEFAULT_TOKENS})")
    p.add_argument("--method", default="gptq", choices=METHODS,
                   help="weight quantizer (default gptq; rtn: absmax / 6 per group)")
    p.add_argument("--no-preshift", action="store_true", help="no per-channel pre-shift (B = 0)")
    p.add_argument("--calib", type=int, default=CALIB_SENTENCES,
                   help=f"calibration sentences (1..{CALIB_SENTENCES}, default all)")
    p.add_argument("--sim", action="append", choices=["icarus", "verilator"],
                   help="run the pack on this simulator after writing it (repeatable)")
    p.add_argument("--rtl", action="append", default=[], help="with --sim: your Verilog source (repeatable)")
    p.add_argument("--top", help="with --rtl: your module's name")
    p.add_argument("--param", action="append", default=[], help="with --rtl: NAME=VALUE (repeatable)")


def _histogram_lines(hist: list[dict]) -> list[str]:
    total = sum(h["count"] for h in hist) or 1
    lines = []
    for h in hist:
        bar = "#" * round(40 * h["count"] / total)
        lines.append(f"  {h['code']:>2} {h['bits']} {h['value']:>5g} {h['count']:>9,} "
                     f"{100 * h['count'] / total:6.2f}%  {bar}")
    return lines


def cmd_layerpack(args) -> int:
    from fp4ref.golden import layer_pack as lp

    lp.check_args(args.layer, args.tokens, args.method, args.calib)
    lp.check_out(Path(args.out))
    if (args.rtl or args.top or args.param) and not args.sim:
        raise ValueError("--rtl/--top/--param run a MAC: give --sim too")
    if bool(args.rtl) != bool(args.top):
        raise ValueError("--rtl and --top go together")
    params = None
    if args.param:
        from .verify import _parse_params
        params = _parse_params(args.param)
    for p in args.rtl:
        if not Path(p).is_file():
            raise ValueError(f"--rtl: {p} does not exist")
    from fp4ref.rtl_tb.sims import require

    for sim in args.sim or ():                  # a missing simulator: refused before any work
        require(sim)
    q = lp.quantize_layer(args.layer, args.tokens, args.method, not args.no_preshift, args.calib)
    out, s = lp.write(q, Path(args.out))
    a = s["accumulator"]
    print(f"wrote {out}: {s['name']}, {s['vectors']:,} vectors "
          f"({args.tokens} tokens x {q.shape[0]} rows x {q.shape[1] // lp.LANES} vectors of {lp.LANES} lanes)")
    print(f"weights: {s['method']} ({s['note']})")
    print(f"activations: act_scale {s['act_scale']:.6g}, channels per shift s_j: "
          + ", ".join(f"{i}: {c}" for i, c in enumerate(s["shift_counts"])))
    print(f"weight codes used ({q.shape[0] * q.shape[1]:,}): code bits value count share")
    print("\n".join(_histogram_lines(s["weight_codes"])))
    unused = [h["code"] for h in s["weight_codes"] if not h["count"]]
    print(f"  unused weight codes: {', '.join(map(str, unused)) if unused else 'none'}")
    print(f"accumulator per group chain: observed max |acc| {a['observed_max_abs']:,} on every calibration "
          f"token -> {a['bits_observed']} bits; l1 bound {a['bits_l1']} bits; worst case "
          f"{a['bits_worst_case_group']} bits ({a['bits_worst_case_cycle']} for one cycle)")
    print(f"pack accumulator: {a['acc_w']} bits, {a['policy']}, {a['order']}; "
          f"{a['overflows_in_pack']} overflows in the pack")
    if s["rel_rms_error_vs_float_layer"] is not None:
        print(f"quantized layer vs float layer: relative RMS error {s['rel_rms_error_vs_float_layer']:.4f}")
    status = 0
    for sim in args.sim or ():
        from fp4ref.rtl_tb.runner import run_unit

        try:
            if args.rtl:
                run = run_unit("dot", sim, [out], rtl=[Path(r) for r in args.rtl], module=args.top,
                               params=params or {})
            else:
                run = run_unit("dot", sim, [out])
        except ValueError as err:               # the pack is whole and stays; the RTL did not run
            print(f"FAIL: {args.top or 'fp4_mac'} on {sim}: {err} (the pack in {out} is complete)")
            status = 1
            continue
        ok = run.failed == 0 and run.mismatches == 0 and run.vectors == s["vectors"]
        status |= 0 if ok else 1
        if run.timeout:
            print(f"TIMEOUT: {args.top or 'fp4_mac'} on {sim}: {run.timeout.summary()}\n  {run.timeout.causes()}")
            continue
        print(f"{'PASS' if ok else 'FAIL'}: {args.top or 'fp4_mac'} on {sim}: {run.vectors:,} vectors, "
              f"{run.mismatches:,} mismatches, {run.rate:,.0f} vectors/s; logs in {run.build}")
        for r in run.results:
            for line in r.get("first", []):
                print(f"  {line}")
    return status
