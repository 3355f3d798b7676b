"""`fp4ref golden ...`: generate one pack, the default set, or verify packs."""
from __future__ import annotations

import sys
from pathlib import Path

from emu import get_format
from golden import manifest
from golden.defaults import all_product_specs, default_specs, lut_specs, mac_specs, mx_specs
from golden.mac_pack import MacPackSpec
from golden.lut_pack import LUT_UNITS, LutPackSpec
from golden.mx_pack import MxPackSpec
from golden.pack import DEFAULT_SEED, PackSpec, load, write

from .progress import Progress


def mac_spec_from_args(args) -> MacPackSpec:
    """A product or dot pack spec from --x --w (and the dot options)."""
    if not args.x or not args.w:
        raise ValueError(f"--unit {args.unit} needs --x and --w (the two operand formats)")
    fx, fw = get_format(args.x), get_format(args.w)
    if args.unit == "product":
        return MacPackSpec("product", fx, fw, seed=getattr(args, "seed", DEFAULT_SEED))
    return MacPackSpec("dot", fx, fw, args.lanes, args.acc_w, args.policy, args.order,
                       args.shift_max, args.dot_random, getattr(args, "seed", DEFAULT_SEED),
                       getattr(args, "shift_w", None))


def spec_from_args(args):
    if args.unit == "mx_block":
        return MxPackSpec(n_random=20000 if args.random is None else args.random, seed=args.seed)
    if args.unit in LUT_UNITS:
        if not args.format:
            raise ValueError(f"--unit {args.unit} needs --format (a lookup format)")
        return LutPackSpec(args.unit, args.format, seed=args.seed)
    if args.unit in ("product", "dot"):
        return mac_spec_from_args(args)
    if not args.format:
        raise ValueError(f"--unit {args.unit} needs --format")
    fmt = get_format(args.format)
    if args.unit == "decode":
        return PackSpec("decode", fmt, seed=args.seed)
    vector_set = f"level{args.level}" if args.src == "float32" else "exhaustive"
    return PackSpec("encode", fmt, args.src, args.rounding, args.overflow, vector_set,
                    args.random, args.seed)


def cmd_gen(args) -> int:
    spec = spec_from_args(args)
    out = write(spec, Path(args.out))
    record = manifest.load(out)
    print(f"wrote {out}: {spec.name}, {record['count']:,} vectors, "
          f"{record['line_hex_digits']} hex digits per line")
    return 0


def cmd_defaults(args) -> int:
    formats = tuple(args.formats.split(",")) if args.formats else None
    for name in formats or ():
        get_format(name)                       # unknown names fail before anything is written
    specs = [s for group in default_specs(formats) for s in group] + mac_specs() + mx_specs()
    if formats is None:                        # the lookup formats are no presets: full set only
        specs += lut_specs()
    if args.all_products:
        specs += [s for s in all_product_specs() if s.name not in {m.name for m in specs}]
    root = Path(args.out)
    bar = Progress(len(specs), "packs")
    vectors = 0
    for spec in specs:
        write(spec, root / spec.name)
        vectors += manifest.load(root / spec.name)["count"]
        bar.update(1)
    bar.close()
    print(f"wrote {len(specs)} packs, {vectors:,} vectors, under {root}")
    return 0


def _what(record: dict) -> str:
    fmt = record["format"]
    try:
        return fmt.get("name") or f"{fmt['x']['name']} x {fmt['w']['name']}"
    except (AttributeError, KeyError, TypeError):
        return repr(fmt)[:40]


def cmd_verify(args) -> int:
    bad = []
    for d in args.packs:
        try:
            record, _ = load(Path(d))           # re-hash, check the layout, parse every line
            print(f"ok       {d}: {record['unit']} {_what(record)}, {record['count']:,} vectors")
        except ValueError as err:
            print(f"CORRUPT  {err}")
            bad.append(err)
    if bad:
        more = f" (and {len(bad) - 1} more of the {len(args.packs)} packs)" if len(bad) > 1 else ""
        print(f"fp4ref golden verify: error: {bad[0]}{more}", file=sys.stderr)
    return 1 if bad else 0
