"""`fp4ref golden ...`: generate one pack, the default set, or verify packs."""
from __future__ import annotations

import sys
from pathlib import Path

from fp4ref.emu import get_format
from fp4ref.golden import manifest
from fp4ref.golden.defaults import default_set
from fp4ref.golden.mac_pack import MacPackSpec
from fp4ref.golden.lut_pack import LUT_UNITS, LutPackSpec
from fp4ref.golden.mx_pack import MxPackSpec
from fp4ref.golden.pack import DEFAULT_SEED, PackSpec, load, write
from fp4ref.golden.unit_pack import UnitPackSpec, parse_options, unit_def, unit_names

from .progress import Progress


#: the units whose packs a named convention can set (emu.conventions: encode_options, mx_quant_options)
CONVENTION_UNITS = ("encode", "mx_quant")


def encode_choices(args, fmt, rounding_default: str = "rne") -> dict:
    """rounding, overflow, nan and signed_zero of an encode pack from -r, --overflow and
    --convention (a named convention's choices; docs/conventions.md). A flag that contradicts
    the convention is an error; one the convention leaves open applies."""
    from fp4ref.emu.conventions import encode_options

    conv = getattr(args, "convention", None)
    if conv and args.unit not in CONVENTION_UNITS:
        raise ValueError(f"--convention: applies to --unit {' and '.join(CONVENTION_UNITS)}; not to "
                         f"--unit {args.unit} yet")
    fixed = encode_options(conv, fmt) if conv else {}
    for k in ("rounding", "overflow"):
        v = getattr(args, k)
        if v is not None and k in fixed and v != fixed[k]:
            raise ValueError(f"--{k} {v} contradicts --convention {conv}, which fixes {k} {fixed[k]}")
    return {"rounding": args.rounding or fixed.get("rounding", rounding_default),
            "overflow": args.overflow or fixed.get("overflow", "saturate"),
            "nan": fixed.get("nan"), "signed_zero": fixed.get("signed_zero", "kept")}


def mac_spec_from_args(args) -> MacPackSpec:
    """A product or dot pack spec from --x --w (and the dot options)."""
    if not args.x or not args.w:
        raise ValueError(f"--unit {args.unit} needs --x and --w (the two operand formats)")
    fx, fw = args.x, args.w                 # presets or integer-mapped lookup formats (MacPackSpec resolves)
    if args.unit == "product":
        return MacPackSpec("product", fx, fw, seed=getattr(args, "seed", DEFAULT_SEED))
    return MacPackSpec("dot", fx, fw, args.lanes, args.acc_w, args.policy, args.order,
                       args.shift_max, args.dot_random, getattr(args, "seed", DEFAULT_SEED),
                       getattr(args, "shift_w", None))


def unit_spec_from_args(args) -> UnitPackSpec | None:
    """The pack spec of a unit whose options are data (--opt KEY=VALUE), or None for the others,
    which refuse --opt."""
    if args.unit in unit_names():
        opts = args.opt
        conv = getattr(args, "convention", None)
        if conv:
            from fp4ref.emu.conventions import mx_quant_options
            if args.unit != "mx_quant":
                encode_choices(args, None)             # the one-line refusal
            given = {k.strip(): v.strip() for k, _, v in (str(o).partition("=") for o in opts)}
            for k, v in mx_quant_options(conv).items():
                if k in given and given[k] != v:
                    raise ValueError(f"--opt {k}={given[k]} contradicts --convention {conv}, which fixes {k} {v}")
                given[k] = v
            opts = given
        return UnitPackSpec(args.unit, parse_options(args.unit, opts), seed=getattr(args, "seed", DEFAULT_SEED))
    if getattr(args, "opt", None):
        raise ValueError(f"--opt is for the units {', '.join(unit_names())}; --unit {args.unit} takes flags")
    return None


def spec_from_args(args):
    if getattr(args, "convention", None) and args.unit not in CONVENTION_UNITS:
        encode_choices(args, None)                 # the one-line refusal
    spec = unit_spec_from_args(args)
    if spec is not None:
        return spec
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
    c = encode_choices(args, fmt)
    return PackSpec("encode", fmt, args.src, c["rounding"], c["overflow"], vector_set,
                    args.random, args.seed, c["nan"], c["signed_zero"])


def cmd_gen(args) -> int:
    spec = spec_from_args(args)
    out = write(spec, Path(args.out))
    record = manifest.load(out)
    print(f"wrote {out}: {spec.name}, {record['count']:,} vectors, "
          f"{record['line_hex_digits']} hex digits per line")
    return 0


def cmd_tb(args) -> int:
    from fp4ref.rtl_tb.native_tb import write as write_tb

    from .verify import _parse_params

    if bool(args.rtl) != bool(args.top):
        raise ValueError("--rtl and --top go together (leave both out for the reference RTL)")
    params = _parse_params(args.param) if args.param else None
    if params and not args.rtl:
        raise ValueError("--param is for your module (--rtl, --top)")
    facts = write_tb(Path(args.pack), Path(args.out), [Path(p) for p in args.rtl] if args.rtl else None,
                     args.top, params)
    print(f"wrote {args.out}: tb_native.v for {facts['count']:,} {facts['unit']} vectors, {facts['copies']} copies "
          f"per cycle; run it with {args.out}/run_icarus.sh or {args.out}/run_verilator.sh (files.f: the filelist)")
    return 0


def cmd_units(args) -> int:
    """`fp4ref golden units`: every unit whose options are data, with its options."""
    for name in unit_names():
        u = unit_def(name)
        print(f"{name}: {u.summary}")
        for o in u.options:
            print(f"  --opt {o.name + '=' + str(o.default):<20} {o.help} ({o.allowed()})")
        print()
    print("fp4ref golden gen --unit UNIT --opt KEY=VALUE ... --out DIR writes a pack; fp4ref verify "
          "--unit UNIT --opt ... runs it; docs/block.md §7-§12 has each unit's contract")
    return 0


def cmd_defaults(args) -> int:
    from fp4ref.rtl_tb.campaign import write_packs

    from .cluster import executor

    formats = tuple(args.formats.split(",")) if args.formats else None
    specs = default_set(formats, args.all_products)     # unknown names fail before anything is written
    if args.jobs < 1:
        raise ValueError(f"--jobs must be >= 1, got {args.jobs}")
    root = Path(args.out)
    with executor(args, args.jobs) as ex:               # packs rendered there, written here
        bar = Progress(len(specs), "packs")
        vectors = write_packs(specs, root, ex, progress=bar.update)
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
