"""`fp4ref explain` (diagnose a dump of a design's outputs) and `fp4ref conventions` (the named
conventions side by side). The diagnosis lives in rtl_tb (diagnose.py, explain.py), the
conventions in emu (conventions.toml); this module parses, calls and prints."""
from __future__ import annotations

import sys

from fp4ref.emu.conventions import FIELDS, conventions, get_convention

EXPLAIN_HELP = """\
Read the inputs and outputs of a run from any simulator and say what the design does: every
hypothesis (rounding modes and tie rules, overflow and NaN policies, flushed subnormals, the sign
of zero, a factor 2^k, the exponent bias, a code map, each named convention) is run as a model
over the vectors; the ones that predict every mismatch, contradicted by no matching vector, are
printed with counts and an example. With no single one, the best cover of several faults.

The dump: a header line naming the columns (the unit's input fields, and output fields as the
design gave them), then one line per vector: comma-separated values (hex with 0x, or decimal) or
whitespace-separated hex (as $fdisplay("%h %h", x, code) prints). An optional line
'# vectors N' says how many follow.
  encode: x (the source bit pattern), code, and optionally flags (rand with -r sr)
  decode: code, and int, f32, nan, inf (all four)"""


def add_parser(sub, mac_options=None) -> None:
    import argparse

    from fp4ref.emu.round import DETERMINISTIC, TIE_VARIANTS
    from fp4ref.golden.unit_pack import unit_names

    x = sub.add_parser("explain", help="diagnose a dump of a design's inputs and outputs",
                       description=EXPLAIN_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    x.add_argument("dump", help="the dump file (CSV or whitespace-separated hex, with a header line)")
    x.add_argument("--unit", required=True, choices=["encode", "decode", "product", "dot", "fp_mul", "mx_quant",
                                                     "nvfp4_quant", "mx_dot", "nvfp4_dot", "mac_stream"],
                   help="the unit the design implements (its options as for `fp4ref verify`)")
    x.add_argument("-f", "--format", help="encode/decode: the code format (preset name or alias)")
    x.add_argument("--opt", action="append", default=[], metavar="KEY=VALUE",
                   help="an option of " + ", ".join(unit_names()) + " (repeatable; `fp4ref golden units`)")
    if mac_options:
        mac_options(x)
    x.add_argument("--src", default="float32", choices=["bfloat16", "float16", "float32"],
                   help="encode: the source type of x (default float32)")
    x.add_argument("-r", "--rounding", default=None, choices=list(DETERMINISTIC + TIE_VARIANTS) + ["sr"],
                   help="encode: the rounding the design should do (default rne)")
    x.add_argument("--overflow", default=None, choices=["saturate", "inf"],
                   help="encode: the overflow policy it should have (default saturate)")
    x.add_argument("--convention", default=None,
                   help="encode, mx_quant: expect a named convention's choices (`fp4ref conventions`)")
    x.add_argument("--examples", type=int, default=1, help="example vectors per hypothesis (default 1)")
    x.add_argument("--readme", metavar="FILE", help="also write the command and its report between the markers "
                   "<!-- fp4ref explain --> and <!-- /fp4ref explain --> of FILE (README.md)")

    c = sub.add_parser("conventions", help="the named conventions side by side (docs/conventions.md)")
    c.add_argument("name", nargs="?", help="one convention: its choices, source and notes")


def _record(args) -> dict:
    """What the design should do, from the options (rtl_tb.explain builds the record)."""
    from fp4ref.emu import get_format
    from fp4ref.rtl_tb.explain import codec_record

    if args.unit not in ("encode", "decode"):
        return _spec_record(args)
    if not args.format:
        raise ValueError(f"--unit {args.unit} needs --format")
    fmt = get_format(args.format)
    if args.unit == "decode":
        if args.convention or args.rounding or args.overflow:
            raise ValueError("--convention, -r and --overflow are options of --unit encode")
        return codec_record("decode", fmt)
    from .packs import encode_choices

    c = encode_choices(args, fmt)
    return codec_record("encode", fmt, args.src, c["rounding"], c["overflow"], c["nan"], c["signed_zero"])


def _spec_record(args) -> dict:
    """The manifest-like record (unit, format, options, fields) of a unit with --opt or MAC flags."""
    from fp4ref.rtl_tb.explain import spec_record

    from .packs import CONVENTION_UNITS, encode_choices, mac_spec_from_args, unit_spec_from_args

    if args.convention and args.unit not in CONVENTION_UNITS:
        encode_choices(args, None)               # the one-line refusal for other units
    if args.rounding or args.overflow:
        raise ValueError("-r and --overflow are options of --unit encode (others take --opt)")
    return spec_record(unit_spec_from_args(args) if args.unit not in ("product", "dot") else mac_spec_from_args(args))


def cmd_explain(args) -> int:
    from fp4ref.rtl_tb.explain import explain_dump

    if args.examples < 0:
        raise ValueError(f"--examples: must be >= 0, got {args.examples}")
    if args.readme:
        from .markers import check
        check(args.readme, "explain")
    record = _record(args)
    lines, mismatches = explain_dump(record, args.dump, args.examples)
    o = record["options"]
    what = (record["format"]["name"] if "name" in record["format"] else
            " x ".join(v["name"] for v in record["format"].values() if isinstance(v, dict)))
    opts = ", ".join(f"{k} {v}" for k, v in record["options"].items()) if args.unit not in ("encode", "decode") else ""
    head = (f"expected: {args.unit} {what}" + (f" ({opts})" if opts else "")
            + (f" from {o['src']}, rounding {o['rounding']}, overflow {o['overflow']}, NaN {o['nan']}"
               + (f", zero results {o['signed_zero']}" if o.get("signed_zero", "kept") != "kept" else "")
               if args.unit == "encode" else "")
            + (f" (convention {args.convention})" if args.convention else ""))
    print(head)
    print("\n".join(lines))
    if args.readme:
        import shlex

        from .markers import replace
        opts = [("--src", args.src if args.unit == "encode" else None), ("-r", args.rounding),
                ("--overflow", args.overflow), ("--convention", args.convention)]
        cmd = " ".join(["fp4ref explain --unit", args.unit, *(["-f", args.format] if args.format else []),
                        *(f"--opt {o}" for o in args.opt),
                        *(f"{k} {v}" for k, v in opts if v is not None), shlex.quote(str(args.dump))])
        replace(args.readme, "explain", f"```\n$ {cmd}\n{head}\n" + "\n".join(lines) + "\n```")
    return 1 if mismatches else 0


def cmd_conventions(args) -> int:
    if args.name:
        c = get_convention(args.name)
        print(f"{c.name}: {c.title}\nsource: {c.source}")
        for f, v in c.choices().items():
            print(f"  {f:<15} {v:<12} {FIELDS[f][v]}")
        if c.notes:
            print(f"notes: {c.notes}")
        return 0
    convs = list(conventions().values())
    width = max(len(c.name) for c in convs)
    fields = list(FIELDS)
    widths = {f: max(len(f), *(len(c.choices()[f]) for c in convs)) for f in fields}
    print(f"{'convention':<{width}}  " + "  ".join(f"{f:<{widths[f]}}" for f in fields))
    for c in convs:
        print(f"{c.name:<{width}}  " + "  ".join(f"{c.choices()[f]:<{widths[f]}}" for f in fields))
    print("\n`fp4ref conventions NAME`: one convention with its source; docs/conventions.md cites each choice.",
          file=sys.stderr)
    return 0
