"""`fp4ref golden ...`: generate one pack, the default set, or verify packs."""
from __future__ import annotations

from pathlib import Path

from emu import get_format
from golden import manifest
from golden.defaults import default_specs
from golden.pack import PackSpec, write

from .progress import Progress


def spec_from_args(args) -> PackSpec:
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
    specs = [s for group in default_specs(formats) for s in group]
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


def cmd_verify(args) -> int:
    bad = 0
    for d in args.packs:
        try:
            record = manifest.verify(Path(d))
            print(f"ok       {d}: {record['unit']} {record['format']['name']}, {record['count']:,} vectors")
        except ValueError as err:
            print(f"CORRUPT  {err}")
            bad += 1
    return 1 if bad else 0
