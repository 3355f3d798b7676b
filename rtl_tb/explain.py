"""Explain a failing run: the mismatch records a bench writes, dumps from any simulator, and the
diagnosis of either (rtl_tb.diagnose).

A bench (rtl_tb.drive.run_packs) writes every mismatching vector of a pack to
<build>/mismatches/<pack>.csv: the vector index, its inputs, and expected_<field> and got_<field>
for every output, in hex. ``explain_pack`` reads it back beside the pack and diagnoses it.

A dump is what a user's own testbench printed: a header line naming the columns (the unit's input
fields and some of its output fields, as the design gave them), then one line per vector. Comma
separated values are hex with 0x or decimal; whitespace separated values are hex (as
`$fdisplay("%h %h", ...)` prints them). Lines starting with // or # are comments, except
`# vectors N`, which says how many vector lines follow.
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from fp4ref.golden.pack import load

from .diagnose import diagnose, render
from .diagnose_units import model_for
from .mismatches import read_mismatches

def explain_pack(pack_dir: Path, mismatch_csv: Path, examples: int = 1) -> list[str]:
    """The diagnosis of one pack's run from its mismatch CSV ([] for a unit without a model)."""
    record, cols = load(pack_dir)
    model = model_for(record)
    if model is None:
        return [f"diagnosis: not available for unit {record['unit']} yet; every mismatch is in {mismatch_csv}"]
    index, got_mism = read_mismatches(mismatch_csv)
    got = {f: np.asarray(cols[f], np.uint64).copy() for f in model.outputs}
    for f, v in got_mism.items():
        if f in got:
            got[f][index] = v
    judged = [f for f in model.primary if f in got_mism]      # a field the design lacks is not judged
    if not judged:
        return [f"diagnosis: the design gives none of {', '.join(model.primary)}; nothing to judge"]
    return render(diagnose(model, cols, got, judged=judged), model, cols, got, examples)


# ---- dumps ---------------------------------------------------------------------------------------
def _names(fields) -> str:
    """Field names for a message, lanes folded: x0 .. x31 as x0..x31."""
    out, groups = [], {}
    for f in fields:
        m = re.fullmatch(r"([a-z_]+?)(\d+)", f)
        if m:
            groups.setdefault(m.group(1), []).append(int(m.group(2)))
            if len(groups[m.group(1)]) == 1:
                out.append(m.group(1))
        else:
            out.append(f)
    return ", ".join(f"{g}{min(groups[g])}..{g}{max(groups[g])}" if g in groups and len(groups[g]) > 1
                     else (f"{g}{groups[g][0]}" if g in groups else g) for g in out)


_COUNT = re.compile(r"^(?://|#)\s*vectors\s*[:=]?\s*(\d+)\s*$", re.I)


def read_dump(path: Path, inputs: dict[str, int], outputs: dict[str, int]) -> tuple[dict, dict]:
    """(input columns, output columns given) of a dump; ``inputs`` and ``outputs`` map each field
    of the unit to its width. Every input field must be present, and at least one output; a
    ValueError (one line) names what is wrong otherwise."""
    path = Path(path)
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as err:
        raise ValueError(f"{path}: cannot read it ({err.__class__.__name__})") from None
    claimed, header, rows = None, None, []
    for n, line in enumerate(text.splitlines(), 1):
        s = line.strip()
        if not s:
            continue
        m = _COUNT.match(s)
        if m:
            claimed = int(m.group(1))
            continue
        if s.startswith(("//", "#")) and header is not None:
            continue
        if header is None:
            header = [h.strip().lower() for h in re.split(r"[,\s]+", s.lstrip("/#").strip()) if h.strip()]
            comma = "," in s
            continue
        cells = [c.strip() for c in (s.split(",") if comma else s.split())]
        rows.append((n, cells))
    if header is None:
        raise ValueError(f"{path}: no header line naming the columns")
    known = {**inputs, **outputs}
    unknown = [h for h in header if h not in known]
    if unknown or len(set(header)) != len(header):
        raise ValueError(f"{path}: column{'s' if len(unknown) > 1 else ''} {', '.join(unknown) or 'repeated'} "
                         f"not of this unit; its columns: inputs {_names(inputs)}, outputs {_names(outputs)}")
    missing = [f for f in inputs if f not in header]
    if missing:
        raise ValueError(f"{path}: input column{'s' if len(missing) > 1 else ''} {', '.join(missing)} missing "
                         f"(the unit's inputs: {_names(inputs)})")
    if not any(h in outputs for h in header):
        raise ValueError(f"{path}: no output column (the unit's outputs: {_names(outputs)})")
    if not rows:
        raise ValueError(f"{path}: no vectors after the header")
    if claimed is not None and claimed != len(rows):
        raise ValueError(f"{path}: the dump holds {len(rows):,} vectors but says it has {claimed:,}")
    values = {h: [] for h in header}
    for n, cells in rows:
        if len(cells) != len(header):
            raise ValueError(f"{path}:{n}: {len(cells)} values for {len(header)} columns")
        for h, c in zip(header, cells):
            try:
                v = int(c, 0) if comma else int(c, 16)
            except ValueError:
                raise ValueError(f"{path}:{n}: {h} = {c!r} is not a {'number' if comma else 'hex value'}"
                                 + (" (X or Z from the simulator?)" if re.search(r"[xXzZ]", c.removeprefix('0x')) else "")) from None
            if v < 0 or v >> known[h]:
                raise ValueError(f"{path}:{n}: {h} = {c} does not fit the field's {known[h]} bits")
            values[h].append(v)
    cols = {h: np.array(v, np.uint64) for h, v in values.items()}
    return ({f: cols[f] for f in inputs}, {f: cols[f] for f in outputs if f in cols})


def codec_record(unit: str, fmt, src: str = "float32", rounding: str = "rne", overflow: str = "saturate",
                 nan: str | None = None, signed_zero: str = "kept") -> dict:
    """The record explain_dump expects (a pack manifest's unit, format and options) of a codec:
    ``decode`` (ValueError for a format whose values float32 cannot hold exactly), or ``encode``
    from ``src`` (nan None: the format's own policy; signed_zero recorded only when not kept;
    ValueError for overflow inf in a format with neither Inf nor NaN)."""
    from fp4ref.emu import get_format
    from fp4ref.golden import units
    from fp4ref.golden.codec_pack import fmt_record

    fmt = get_format(fmt)
    if unit == "decode":
        units.check_f32_exact(fmt)
        return {"unit": "decode", "format": fmt_record(fmt), "options": {}}
    opts = {"rounding": rounding, "overflow": overflow, "nan": nan or units.nan_policy(fmt)}
    if signed_zero != "kept":
        opts["signed_zero"] = signed_zero
    if overflow == "inf" and not (fmt.has_inf or fmt.has_nan):
        raise ValueError(f"--overflow inf: {fmt.name} has neither Inf nor NaN")
    return {"unit": "encode", "format": fmt_record(fmt), "options": {"src": src, **opts}}


def spec_record(spec) -> dict:
    """The record explain_dump expects of a pack spec (a unit whose options are data, or a MAC
    product or dot): its manifest header and its fields (name, width, role), without building
    the vectors of a unit whose fields follow from its options."""
    from fp4ref.golden.unit_pack import UnitPackSpec

    fields = spec.definition.fields(spec.options) if isinstance(spec, UnitPackSpec) else spec.build()[0]
    return {**spec.header(), "fields": [{"name": f.name, "width": f.width, "role": f.role} for f in fields]}


def explain_dump(record: dict, path: Path, examples: int = 1) -> tuple[list[str], int]:
    """(report lines, mismatches) of a dump against the unit and options of ``record`` (a pack
    manifest's unit, format and options: what the design should do)."""
    from fp4ref.golden import units

    model = model_for(record)
    if model is None:
        raise ValueError(f"explain: unit {record['unit']} has no diagnosis model yet")
    if "fields" in record:
        ins = {f["name"]: f["width"] for f in record["fields"] if f["role"] == "input"}
        outs = {f["name"]: f["width"] for f in record["fields"] if f["role"] == "output"}
    else:
        fields = units.fields(record["unit"], model.fmt, record["options"].get("src"))
        ins = {f.name: f.width for f in fields if f.role == "input"}
        outs = {f.name: f.width for f in fields if f.role == "output"}
    if record["unit"] == "encode" and record["options"]["rounding"] != "sr":
        ins.pop("rand")                      # only stochastic rounding reads it
    cols, given = read_dump(path, ins, outs)
    if record["unit"] == "encode" and "rand" not in cols:
        cols["rand"] = np.zeros(len(next(iter(cols.values()))), np.uint64)
    expected = model.expect(model.options, cols)
    cols = {**cols, **expected}
    got = {f: given.get(f, expected[f]) for f in model.outputs}
    judged = [f for f in model.primary if f in given]
    if not judged:
        raise ValueError(f"{path}: needs an output column the diagnosis judges: {', '.join(model.primary)}")
    diag = diagnose(model, cols, got, judged=judged)
    head = [f"{path}: {diag.vectors:,} vectors, {diag.mismatches.size:,} mismatches"
            + (f" (and {diag.other_only.size:,} in {', '.join(f for f in model.outputs if f not in model.primary)} only)"
               if diag.other_only.size else "")]
    return head + render(diag, model, cols, got, examples), int(diag.mismatches.size)
