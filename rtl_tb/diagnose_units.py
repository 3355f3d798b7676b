"""The unit models of the mismatch diagnosis (rtl_tb.diagnose): for one pack, how the unit's
outputs follow from its inputs under changed options, which hypotheses apply, and how a vector
reads for a person (inputs and outputs split into sign | exponent | mantissa, with values, and
the error in units in the last place of the output format).

One model per unit kind: encode (a float to a format code) and decode (a code to its integer
mapping and float32 value). Every expectation comes from the same functions as the packs
(golden.units), so a hypothesis is the model with one choice changed, never a second model.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from fp4ref import emu
from fp4ref.emu.conventions import conventions, encode_options
from fp4ref.emu.encode import NAN_POLICIES
from fp4ref.emu.round import DETERMINISTIC, TIE_VARIANTS
from fp4ref.emu.spec import FloatFormat
from fp4ref.emu.unpack import SOURCES
from fp4ref.golden import units

from .diagnose import Hypothesis
from .report import code_value as _value, fmt_of as format_of, split, ulps as _ulps

#: rounding modes a deterministic design may implement (docs/encoding.md §3.4)
ROUNDING_SAYS = {
    "rne": "rounds to nearest, ties to even",
    "rna": "rounds to nearest, ties away from zero",
    "rtz": "truncates (rounds toward zero)",
    "rup": "rounds toward +infinity",
    "rdn": "rounds toward -infinity",
    "rnz": "rounds to nearest, ties toward zero (the smaller magnitude)",
    "rnm": "rounds to nearest, ties toward -infinity (the lower neighbour)",
    "rnp": "rounds to nearest, ties toward +infinity",
}
#: factors 2^k tried for a design whose output is off by a constant power of two
SCALES = (-3, -2, -1, 1, 2, 3)


def fmt_of(record: dict) -> FloatFormat:
    return format_of(record["format"])


def _as_f64(bits, src: str) -> np.ndarray:
    """Source bit patterns as float64 values (exact; NaN patterns read as NaN, quietly)."""
    with np.errstate(invalid="ignore"):
        return units.source_array(np.asarray(bits, np.uint64), src).astype(np.float64)


class EncodeModel:
    """encode: x (a bfloat16, float16 or float32 bit pattern) and rand to code and flags."""
    unit = "encode"
    outputs = ("code", "flags")
    primary = ("code",)

    def __init__(self, record: dict):
        self.fmt = fmt_of(record)
        opts = record["options"]
        self.src = opts["src"]
        self.options = {"rounding": opts["rounding"], "overflow": opts["overflow"],
                        "nan": opts.get("nan", units.nan_policy(self.fmt)),
                        "signed_zero": opts.get("signed_zero", "kept"), "fmt": self.fmt}

    def expect(self, options: dict, cols: dict) -> dict:
        fmt = options["fmt"]
        x = cols["x"]
        if "x_f64" in cols:                       # a scaled input: exact in float64
            x_arr = cols["x_f64"]
        else:
            x_arr = units.source_array(np.asarray(x, np.uint64), self.src)
        rounding = options["rounding"]
        codes, flags = emu.encode(x_arr, fmt, rounding=rounding, overflow=options["overflow"],
                                  nan=options["nan"], rand=cols["rand"] if rounding == "sr" else None,
                                  sr_bits=units.SR_BITS, flags=True, signed_zero=options["signed_zero"])
        return {"code": codes.astype(np.uint64), "flags": flags.astype(np.uint64)}

    # ---- hypotheses ------------------------------------------------------------------------
    def hypotheses(self, cols: dict, got: dict, mism: np.ndarray) -> list[Hypothesis]:
        fmt, o = self.fmt, self.options
        src = SOURCES[self.src]
        hyps = [Hypothesis(f"rounding={r}", ROUNDING_SAYS[r], "rounding", (("rounding", r),))
                for r in DETERMINISTIC + TIE_VARIANTS if r != o["rounding"]]
        if fmt.has_inf or fmt.has_nan:
            other = "inf" if o["overflow"] == "saturate" else "saturate"
            hyps.append(Hypothesis(f"overflow={other}", {
                "inf": "overflows to Inf (or NaN where the format has no Inf) instead of saturating",
                "saturate": "saturates to +-max where the contract overflows to Inf/NaN"}[other],
                "overflow", (("overflow", other),)))
        for p in NAN_POLICIES:
            if p in ("auto", "error", o["nan"]) or (p == "nan" and not fmt.has_nan):
                continue
            hyps.append(Hypothesis(f"nan={p}", {
                "nan": "encodes a NaN input as the format's NaN",
                "zero": "encodes a NaN input as zero with its sign",
                "max": "encodes a NaN input as +-max",
                "ml_dtypes": "encodes NaN as ml_dtypes does (+NaN -> the -0 code, -NaN -> +0)"}[p],
                "nan", (("nan", p),)))
        sign_mask = np.uint64(1 << (src.bits - 1))
        exp_mask = np.uint64(((1 << src.exp_w) - 1) << src.man_w)

        def daz(c):
            x = np.asarray(c["x"], np.uint64)
            sub = (x & exp_mask) == 0
            return {**c, "x": np.where(sub, x & sign_mask, x)}
        hyps.append(Hypothesis("daz", f"flushes subnormal {self.src} inputs to zero", "subnormal", inp=daz))
        fsign, fmag = np.uint64(fmt.sign_bit), np.uint64(fmt.mag_mask)
        frac = np.uint64(fmt.frac_mask)
        if fmt.subnormals and fmt.man_w > 0:
            def ftz(c, out):
                code = out["code"]
                mag = code & fmag
                sub = (mag != 0) & (mag <= frac)
                return {**out, "code": np.where(sub, code & fsign, code)}
            hyps.append(Hypothesis("ftz", f"flushes {fmt.name} subnormal results to zero (sign kept)",
                                   "subnormal", out=ftz))
        if fmt.has_neg_zero and o["signed_zero"] == "kept":
            hyps.append(Hypothesis("zero-sign", "drops the sign of zero (-0 results give +0)", "zero",
                                   (("signed_zero", "positive"),)))
        hyps += self._threshold(cols, got, mism)
        if fmt.has_nan and fmt.has_inf:
            def over_nan(c, out):
                over = (out["flags"] & np.uint64(4)) != 0
                code = out["code"]
                neg = (code & fsign) != 0
                nan = np.where(neg, np.uint64(fmt.nan_code(True)), np.uint64(fmt.nan_code(False)))
                return {**out, "code": np.where(over, nan, code)}
            hyps.append(Hypothesis("overflow-nan", "gives NaN on overflow", "overflow", out=over_nan))
        for k in SCALES:
            def scaled(c, k=k):
                x = _as_f64(c["x"], self.src)
                with np.errstate(invalid="ignore", over="ignore"):
                    return {**c, "x_f64": x * 2.0 ** k}
            hyps.append(Hypothesis(f"scale=2^{k}", f"encodes x * 2^{k} (its output is off by a factor 2^{k})",
                                   "scale", inp=scaled))
        for d in (-1, 1):
            try:
                variant = replace(fmt, name=f"{fmt.name}_bias{fmt.bias + d}", bias=fmt.bias + d)
            except ValueError:
                continue
            hyps.append(Hypothesis(f"bias={fmt.bias + d}", f"uses exponent bias {fmt.bias + d} instead of {fmt.bias}",
                                   "bias", (("fmt", variant),)))
        hyps += self._code_map(cols, got)
        hyps += self._conventions()
        return hyps

    def _threshold(self, cols, got, mism) -> list[Hypothesis]:
        """Values at or below some magnitude flushed to zero: the threshold is the largest |x| of
        a mismatch that gave zero where the expectation is not zero."""
        fmag = np.uint64(self.fmt.mag_mask)
        exp = np.asarray(cols["code"], np.uint64)
        flushed = mism & ((got["code"] & fmag) == 0) & ((exp & fmag) != 0)
        if not flushed.any():
            return []
        x = _as_f64(cols["x"], self.src)
        t = float(np.abs(x[flushed]).max())
        fsign = np.uint64(self.fmt.sign_bit)

        def flush(c, out, t=t):
            xx = _as_f64(c["x"], self.src)
            with np.errstate(invalid="ignore"):
                small = np.abs(xx) <= t
            return {**out, "code": np.where(small, out["code"] & fsign, out["code"])}
        return [Hypothesis(f"flush<={t!r}", f"flushes inputs of magnitude <= {t!r} to zero", "subnormal", out=flush)]

    def _code_map(self, cols, got) -> list[Hypothesis]:
        """A fixed map from the expected code to the code given (a permuted or rewired output)."""
        exp = np.asarray(cols["code"], np.uint64)
        pairs = np.unique(np.stack([exp, got["code"]]), axis=1)
        if pairs.shape[1] != np.unique(pairs[0]).size:      # one expected code, two codes given
            return []
        table = {int(e): int(g) for e, g in pairs.T}
        changed = {e: g for e, g in table.items() if e != g}
        if not changed:
            return []
        lut = np.arange(1 << self.fmt.bits, dtype=np.uint64)
        for e, g in table.items():
            lut[e] = g
        kind = "permutes" if len(set(table.values())) == len(table) else "maps"
        text = ", ".join(f"{e:#x}->{g:#x}" for e, g in sorted(changed.items()))
        return [Hypothesis("code-map", f"{kind} its output codes: {text}", "codes",
                           out=lambda c, out: {**out, "code": lut[out["code"].astype(np.int64)]})]

    def _conventions(self) -> list[Hypothesis]:
        hyps = []
        for conv in conventions().values():
            try:
                delta = encode_options(conv, self.fmt)
            except ValueError:           # a choice encode() cannot make: not a hypothesis here
                continue
            if delta and any(self.options.get(k) != v for k, v in delta.items()):
                hyps.append(Hypothesis(f"convention={conv.name}", f"follows {conv.title} "
                                       f"({', '.join(f'{k} {v}' for k, v in delta.items())})",
                                       "convention", tuple(delta.items())))
        return hyps

    # ---- a vector for a person --------------------------------------------------------------
    def describe(self, i: int, cols: dict, got: dict) -> str:
        fmt, src = self.fmt, SOURCES[self.src]
        x = int(cols["x"][i])
        xv = float(_as_f64(np.array([x], np.uint64), self.src)[0])
        e, g = int(cols["code"][i]), int(got["code"][i])
        head = f"vector {i}: x={x:#x} ({split(x, src.exp_w, src.man_w)} = {xv!r})"
        if self.options["rounding"] == "sr":
            head += f" rand={int(cols['rand'][i])}"
        if e == g:
            from fp4ref.emu.flags import describe as flag_names
            return (f"{head}: code {e:#x} as expected; flags expected {flag_names(int(cols['flags'][i]))} "
                    f"got {flag_names(int(got['flags'][i]))}")
        ulps = _ulps(fmt, e, g)
        return (f"{head}: code expected {e:#x} ({fmt.fields(e)} = {_value(fmt, e)}) got {g:#x} "
                f"({fmt.fields(g)} = {_value(fmt, g)})" + (f", {ulps} ulp off" if ulps is not None else ""))


class DecodeModel:
    """decode: a code to its integer mapping, float32 value and NaN/Inf flags."""
    unit = "decode"
    outputs = ("int", "f32", "nan", "inf")
    primary = ("int", "f32", "nan", "inf")

    def __init__(self, record: dict):
        self.fmt = fmt_of(record)
        self.options = {"fmt": self.fmt}

    def expect(self, options: dict, cols: dict) -> dict:
        out = units.expect_decode(options["fmt"], np.asarray(cols["code"], np.int64))
        if options["fmt"].int_w != self.fmt.int_w:       # the contract's int field width
            out["int"] &= np.uint64((1 << self.fmt.int_w) - 1)
        return out

    def hypotheses(self, cols: dict, got: dict, mism: np.ndarray) -> list[Hypothesis]:
        fmt = self.fmt
        hyps = []
        frac, fmag = fmt.frac_mask, fmt.mag_mask
        if fmt.subnormals and fmt.man_w > 0:
            def daz(c):
                code = np.asarray(c["code"], np.int64)
                mag = code & fmag
                sub = (mag != 0) & (mag <= frac)
                return {**c, "code": np.where(sub, code & fmt.sign_bit, code)}
            hyps.append(Hypothesis("daz", f"reads {fmt.name} subnormal codes as zero", "subnormal", inp=daz))
        if fmt.has_neg_zero:
            def unsigned_zero(c, out):
                f32 = out["f32"]
                return {**out, "f32": np.where(f32 == np.uint64(0x80000000), np.uint64(0), f32)}
            hyps.append(Hypothesis("zero-sign", "drops the sign of zero (-0 decodes as +0.0)", "zero",
                                   out=unsigned_zero))
        for k in SCALES:
            def scaled(c, out, k=k):
                v = out["f32"].astype(np.uint32).view(np.float32).astype(np.float64) * 2.0 ** k
                with np.errstate(over="ignore", invalid="ignore"):
                    f = v.astype(np.float32).view(np.uint32).astype(np.uint64)
                return {**out, "f32": np.where(out["nan"] != 0, out["f32"], f)}
            hyps.append(Hypothesis(f"scale=2^{k}", f"gives values off by a factor 2^{k}", "scale", out=scaled))
        for d in (-1, 1):
            try:
                variant = replace(fmt, name=f"{fmt.name}_bias{fmt.bias + d}", bias=fmt.bias + d)
                units.check_f32_exact(variant)
            except ValueError:
                continue
            hyps.append(Hypothesis(f"bias={fmt.bias + d}", f"uses exponent bias {fmt.bias + d} instead of {fmt.bias}",
                                   "bias", (("fmt", variant),)))
        hyps += self._code_map(cols, got)
        return hyps

    def _code_map(self, cols, got) -> list[Hypothesis]:
        """The input codes permuted: the code whose expectation the design gave, for each code."""
        codes = np.asarray(cols["code"], np.int64)
        key = lambda o, i: tuple(int(o[f][i]) for f in self.primary)   # noqa: E731
        exp = {f: np.asarray(cols[f], np.uint64) for f in self.primary}
        by_out: dict[tuple, list[int]] = {}
        for i, c in enumerate(codes.tolist()):
            by_out.setdefault(key(exp, i), []).append(c)
        lut = np.arange(1 << self.fmt.bits, dtype=np.int64)
        changed = {}
        for i, c in enumerate(codes.tolist()):
            want = key(got, i)
            if want == key(exp, i):
                continue
            cands = by_out.get(want)
            if not cands:
                return []
            lut[c] = cands[0]
            changed[c] = cands[0]
        if not changed:
            return []
        text = ", ".join(f"{c:#x} read as {d:#x}" for c, d in sorted(changed.items()))
        kind = "permuted" if len(set(lut.tolist())) == len(lut) else "mapped (not a permutation)"
        return [Hypothesis("code-map", f"reads its input codes {kind}: {text}", "codes",
                           inp=lambda c: {**c, "code": lut[np.asarray(c["code"], np.int64)]})]

    def describe(self, i: int, cols: dict, got: dict) -> str:
        fmt = self.fmt
        c = int(cols["code"][i])
        parts = []
        for f in self.primary:
            e, g = int(cols[f][i]), int(got[f][i])
            if e == g:
                continue
            if f == "f32":
                ev = float(np.uint32(e).view(np.float32))
                gv = float(np.uint32(g).view(np.float32))
                parts.append(f"f32 expected {e:#010x} ({ev!r}) got {g:#010x} ({gv!r})")
            else:
                parts.append(f"{f} expected {e:#x} got {g:#x}")
        return f"vector {i}: code={c:#x} ({fmt.fields(c)} = {_value(fmt, c)}): " + "; ".join(parts)


# ---- code maps of two-operand units ------------------------------------------------------------
def pair_maps(table: np.ndarray, a: np.ndarray, b: np.ndarray, got: np.ndarray, same: bool) -> list[tuple]:
    """Code maps that make ``table[map_a[a], map_b[b]] == got`` on every vector: (which, map)
    with which "a", "b" or "both" (one map for both operands, when ``same``). A map is complete
    (every code of the pack's vectors has an image); codes the pack never shows map to themselves."""
    n_a, n_b = table.shape
    seen: dict[tuple[int, int], int] = {}
    for x, y, g in zip(a.tolist(), b.tolist(), got.tolist()):
        if seen.setdefault((x, y), g) != g:        # one pair, two answers: not a map of codes
            return []
    out = []
    for which in ("a", "b"):
        m = np.arange(n_a if which == "a" else n_b)
        ok = True
        for code in sorted({k[0] if which == "a" else k[1] for k in seen}):
            pairs = [(k, g) for k, g in seen.items() if (k[0] if which == "a" else k[1]) == code]
            cands = [c for c in range(len(m))
                     if all((table[c, k[1]] if which == "a" else table[k[0], c]) == g for k, g in pairs)]
            if not cands:
                ok = False
                break
            m[code] = code if code in cands else cands[0]
        if ok and (m != np.arange(len(m))).any():
            out.append((which, m))
    if same and n_a == n_b:
        m = _joint_map(table, seen, n_a)
        if m is not None and (m != np.arange(n_a)).any():
            out.append(("both", m))
    return out


def _joint_map(table, seen, n) -> np.ndarray | None:
    """One map for both operands, by backtracking over the codes the pack shows (each code's
    candidates first narrowed by its pair with itself, when the pack holds it)."""
    codes = sorted({c for k in seen for c in k})
    cands = {}
    for c in codes:
        cs = [d for d in range(n) if (c, c) not in seen or table[d, d] == seen[(c, c)]]
        cands[c] = sorted(cs, key=lambda d: d != c)          # itself first
    m: dict[int, int] = {}

    def fits(c: int, d: int) -> bool:
        for e, f in m.items():
            if (c, e) in seen and table[d, f] != seen[(c, e)]:
                return False
            if (e, c) in seen and table[f, d] != seen[(e, c)]:
                return False
        return (c, c) not in seen or table[d, d] == seen[(c, c)]

    def solve(i: int) -> bool:
        if i == len(codes):
            return True
        c = codes[i]
        for d in cands[c]:
            if fits(c, d):
                m[c] = d
                if solve(i + 1):
                    return True
                del m[c]
        return False

    if not solve(0):
        return None
    out = np.arange(n)
    for c, d in m.items():
        out[c] = d
    return out


def _map_text(m: np.ndarray) -> str:
    return ", ".join(f"{c:#x} as {d:#x}" for c, d in enumerate(m.tolist()) if c != d)


class ProductModel:
    """product: two codes to the product of their integer mappings (the MAC's one-lane contract)."""
    unit = "product"
    outputs = ("product",)
    primary = ("product",)

    def __init__(self, record: dict):
        from fp4ref.mac.products import int_format
        self.fx = int_format(record["format"]["x"]["name"])
        self.fw = int_format(record["format"]["w"]["name"])
        self.width = next(f["width"] for f in record["fields"] if f["name"] == "product")
        self.options = {}

    def _table(self) -> np.ndarray:
        from fp4ref.mac.products import product_table
        t = product_table(self.fx, self.fw)
        return np.vectorize(lambda v: int(v) & ((1 << self.width) - 1), otypes=[object])(t).astype(np.uint64)

    def expect(self, options: dict, cols: dict) -> dict:
        t = self._table()
        return {"product": t[np.asarray(cols["code_x"], np.int64), np.asarray(cols["code_w"], np.int64)]}

    def hypotheses(self, cols: dict, got: dict, mism: np.ndarray) -> list[Hypothesis]:
        hyps = []
        for which, m in pair_maps(self._table(), np.asarray(cols["code_x"], np.int64),
                                  np.asarray(cols["code_w"], np.int64), got["product"],
                                  self.fx.name == self.fw.name):
            field = {"a": ("code_x",), "b": ("code_w",), "both": ("code_x", "code_w")}[which]
            who = {"a": "its activation codes", "b": "its weight codes", "both": "both operands' codes"}[which]
            hyps.append(Hypothesis(f"code-map-{which}", f"reads {who} permuted: {_map_text(m)}", "codes",
                                   inp=lambda c, m=m, field=field: {**c, **{f: m[np.asarray(c[f], np.int64)] for f in field}}))
        w = self.width
        for k in (-2, -1, 1, 2):
            def scaled(c, out, k=k):
                v = out["product"].astype(np.int64)
                v = np.where(v >= 1 << (w - 1), v - (1 << w), v)
                v = v << k if k > 0 else v >> -k
                return {"product": (v & ((1 << w) - 1)).astype(np.uint64)}
            hyps.append(Hypothesis(f"scale=2^{k}", f"gives products off by a factor 2^{k}", "scale", out=scaled))
        return hyps

    def describe(self, i: int, cols: dict, got: dict) -> str:
        def signed(v):
            return v - (1 << self.width) if v >> (self.width - 1) else v
        x, w = int(cols["code_x"][i]), int(cols["code_w"][i])
        e, g = int(cols["product"][i]), int(got["product"][i])
        return (f"vector {i}: x={x:#x} (I {int(self.fx.table[x])}) w={w:#x} (I {int(self.fw.table[w])}): "
                f"product expected {signed(e)} got {signed(g)}")


class FpMulModel:
    """fp_mul: two codes to their product rounded into a third format (docs/block.md §12)."""
    unit = "fp_mul"
    outputs = ("code", "flags")
    primary = ("code",)

    def __init__(self, record: dict):
        o = record["options"]
        self.o = o
        self.fo = emu.get_format(o["o"])
        self.options = {"rounding": o["rounding"], "overflow": o["overflow"], "signed_zero": "kept"}

    def expect(self, options: dict, cols: dict) -> dict:
        from fp4ref.mac.fp_mul import fp_mul
        o = self.o
        rounding = options["rounding"]
        codes, flags = fp_mul(np.asarray(cols["a"], np.int64), np.asarray(cols["b"], np.int64), o["a"], o["b"],
                              o["o"], rounding, options["overflow"],
                              np.asarray(cols["rand"], np.int64) if rounding == "sr" else None)
        codes = codes.astype(np.uint64)
        if options["signed_zero"] == "positive" and self.fo.has_neg_zero:
            codes = np.where(codes == np.uint64(self.fo.sign_bit), np.uint64(0), codes)
        return {"code": codes, "flags": flags.astype(np.uint64)}

    def hypotheses(self, cols: dict, got: dict, mism: np.ndarray) -> list[Hypothesis]:
        fo, o = self.fo, self.options
        hyps = [Hypothesis(f"rounding={r}", ROUNDING_SAYS[r], "rounding", (("rounding", r),))
                for r in DETERMINISTIC + TIE_VARIANTS if r != o["rounding"]]
        if fo.has_inf or fo.has_nan:
            other = "inf" if o["overflow"] == "saturate" else "saturate"
            hyps.append(Hypothesis(f"overflow={other}", f"overflow policy {other}", "overflow", (("overflow", other),)))
        if fo.has_neg_zero:
            hyps.append(Hypothesis("zero-sign", "drops the sign of zero (-0 results give +0)", "zero",
                                   (("signed_zero", "positive"),)))
        if fo.subnormals and fo.man_w > 0:
            fsign, fmag, frac = np.uint64(fo.sign_bit), np.uint64(fo.mag_mask), np.uint64(fo.frac_mask)

            def ftz(c, out):
                code = out["code"]
                mag = code & fmag
                return {**out, "code": np.where((mag != 0) & (mag <= frac), code & fsign, code)}
            hyps.append(Hypothesis("ftz", f"flushes {fo.name} subnormal results to zero (sign kept)", "subnormal", out=ftz))
        if o["rounding"] != "sr":
            n_a, n_b = (1 << emu.get_format(self.o[k]).bits for k in "ab")
            ga, gb = np.meshgrid(np.arange(n_a), np.arange(n_b), indexing="ij")
            table = self.expect(o, {"a": ga.ravel(), "b": gb.ravel()})["code"].reshape(n_a, n_b)
            for which, m in pair_maps(table, np.asarray(cols["a"], np.int64), np.asarray(cols["b"], np.int64),
                                      got["code"], self.o["a"] == self.o["b"]):
                field = {"a": ("a",), "b": ("b",), "both": ("a", "b")}[which]
                who = {"a": "its first operand's codes", "b": "its second operand's codes",
                       "both": "both operands' codes"}[which]
                hyps.append(Hypothesis(f"code-map-{which}", f"reads {who} permuted: {_map_text(m)}", "codes",
                                       inp=lambda c, m=m, field=field: {**c, **{f: m[np.asarray(c[f], np.int64)] for f in field}}))
        return hyps

    def describe(self, i: int, cols: dict, got: dict) -> str:
        fa, fb, fo = (emu.get_format(self.o[k]) for k in "abo")
        a, b = int(cols["a"][i]), int(cols["b"][i])
        e, g = int(cols["code"][i]), int(got["code"][i])
        ulps = _ulps(fo, e, g)
        if e == g:
            from fp4ref.emu.flags import describe as flag_names
            return (f"vector {i}: a={a:#x} b={b:#x}: code {e:#x} as expected; flags expected "
                    f"{flag_names(int(cols['flags'][i]))} got {flag_names(int(got['flags'][i]))}")
        return (f"vector {i}: a={a:#x} ({fa.fields(a)} = {_value(fa, a)}) b={b:#x} ({fb.fields(b)} = {_value(fb, b)}): "
                f"code expected {e:#x} ({fo.fields(e)} = {_value(fo, e)}) got {g:#x} ({fo.fields(g)} = {_value(fo, g)})"
                + (f", {ulps} ulp off" if ulps is not None else ""))


def row_swaps(fx, fw, lanes: int) -> list[Hypothesis]:
    """A MAC whose decoder has two magnitude rows swapped (a wiring or table error): every swap
    of an FP4 format's magnitudes (both signs), in the activation decoder (lane fields x0..),
    the weight decoder (w0..) or both (one shared decoder, when the formats are the same)."""
    hyps = []
    same = fx.name == fw.name
    for side, fmt in (("x", fx), ("w", fw), ("both", fx)):
        if fmt.bits > 4 or fmt.is_lookup or (side == "both" and not same):
            continue
        fields = ([f"x{k}" for k in range(lanes)] if side in ("x", "both") else []) + \
                 ([f"w{k}" for k in range(lanes)] if side in ("w", "both") else [])
        who = {"x": "activation", "w": "weight", "both": "activation and weight"}[side]
        mags = 1 << (fmt.bits - 1)
        for i in range(1, mags):
            for j in range(i + 1, mags):
                perm = np.arange(1 << fmt.bits)
                for base in (0, mags):
                    perm[[base + i, base + j]] = [base + j, base + i]
                hyps.append(Hypothesis(
                    f"swap-{side}-{i:#x}-{j:#x}",
                    f"swaps the {who} decoder's rows of codes {i:#x} and {j:#x} (and their negatives)",
                    "codes", inp=lambda c, perm=perm, fields=fields: {
                        **c, **{f: perm[np.asarray(c[f], np.int64)] for f in fields}}))
    return hyps


class DotModel:
    """dot: a MAC's lanes of code pairs (and per-lane shifts) added to an accumulator input."""
    unit = "dot"
    outputs = ("acc", "ovf")
    primary = ("acc", "ovf")

    def __init__(self, record: dict):
        from fp4ref.mac.products import int_format
        o = record["options"]
        self.fx = int_format(record["format"]["x"]["name"])
        self.fw = int_format(record["format"]["w"]["name"])
        self.lanes, self.acc_w, self.shift_max = o["lanes"], o["acc_w"], o["shift_max"]
        self.sw = o.get("shift_w", 0)
        self.chain = bool(o.get("chain"))
        self.options = {"policy": o["policy"], "order": o["order"], "shift": "used"}

    def _signed(self, v, w):
        v = np.asarray(v, np.int64)
        return np.where(v >= 1 << (w - 1), v - (1 << w), v)

    def expect(self, options: dict, cols: dict) -> dict:
        from fp4ref.mac.dot import dot
        L = self.lanes
        x = np.stack([np.asarray(cols[f"x{j}"], np.int64) for j in range(L)], axis=1)
        w = np.stack([np.asarray(cols[f"w{j}"], np.int64) for j in range(L)], axis=1)
        if self.sw and options["shift"] == "used":
            s = np.minimum(np.stack([np.asarray(cols[f"s{j}"], np.int64) for j in range(L)], axis=1), self.shift_max)
        else:
            s = np.zeros_like(x)
        acc_in = self._signed(cols["acc_in"], self.acc_w)
        args = (self.fx, self.fw, self.acc_w, options["policy"], options["order"], L)
        if self.chain and options["policy"] == "wrap":
            # a sequential MAC that wraps: the state before vector i is the wrapped running sum of
            # the exact vector sums (wrapping is addition mod 2^W), so one vectorized pass with
            # those as acc_in gives every vector's acc and overflow
            from fp4ref.mac.products import products
            sums = products(x, w, self.fx, self.fw, s, self.shift_max).astype(object).sum(axis=1)
            lo, m = -(1 << (self.acc_w - 1)), 1 << self.acc_w
            prev = np.array([0] + [int(v) for v in np.cumsum(sums)[:-1]], dtype=object)
            prev = np.array([((int(v) - lo) % m) + lo for v in prev], np.int64)
            r = dot(x, w, *args, s, self.shift_max, prev)
            acc, ovf = r.acc, r.overflow
        elif self.chain:                 # a sequential MAC: each vector starts from the last result
            accs, ovfs, prev = [], [], 0
            for i in range(len(x)):
                r = dot(x[i:i + 1], w[i:i + 1], *args, s[i:i + 1], self.shift_max, np.array([prev]))
                prev = int(r.acc[0])
                accs.append(r.acc[0])
                ovfs.append(r.overflow[0])
            acc, ovf = np.array(accs, np.int64), np.array(ovfs, bool)
        else:
            r = dot(x, w, *args, s, self.shift_max, acc_in)
            acc, ovf = r.acc, r.overflow
        mask = (1 << self.acc_w) - 1
        return {"acc": (np.asarray(acc, np.int64) & mask).astype(np.uint64), "ovf": np.asarray(ovf).astype(np.uint64)}

    def hypotheses(self, cols: dict, got: dict, mism: np.ndarray) -> list[Hypothesis]:
        o = self.options
        other = "saturate" if o["policy"] == "wrap" else "wrap"
        hyps = [Hypothesis(f"policy={other}", {"saturate": "saturates the accumulator instead of wrapping",
                                                "wrap": "wraps the accumulator instead of saturating"}[other],
                           "overflow", (("policy", other),))]
        if o["policy"] == "saturate":
            order = "sequential" if o["order"] == "tree" else "tree"
            hyps.append(Hypothesis(f"order={order}", f"adds the products {'one at a time' if order == 'sequential' else 'as one tree per vector'}",
                                   "order", (("order", order),)))
        if self.sw:
            hyps.append(Hypothesis("shift-ignored", "ignores the per-lane shifts (every product unshifted)",
                                   "shift", (("shift", "ignored"),)))
        # a decoder with two magnitude rows swapped (a wiring or table error)
        hyps += row_swaps(self.fx, self.fw, self.lanes)
        return hyps

    def describe(self, i: int, cols: dict, got: dict) -> str:
        L = self.lanes
        xs = " ".join(f"{int(cols[f'x{j}'][i]):x}" for j in range(L))
        ws = " ".join(f"{int(cols[f'w{j}'][i]):x}" for j in range(L))
        e, g = (int(self._signed([cols["acc"][i]], self.acc_w)[0]), int(self._signed([got["acc"][i]], self.acc_w)[0]))
        return (f"vector {i}: x[0..]={xs} w[0..]={ws} acc_in={int(self._signed([cols['acc_in'][i]], self.acc_w)[0])}: "
                f"acc expected {e} got {g}; ovf expected {int(cols['ovf'][i])} got {int(got['ovf'][i])}")


class MxQuantModel:
    """mx_quant: 32 source floats to an E8M0 scale and 32 E2M1 codes (docs/block.md §3, §4, §10)."""
    unit = "mx_quant"
    n = 32

    def __init__(self, record: dict):
        o = record["options"]
        self.src = o["src"]
        self.options = {"rule": o["rule"], "rounding": o["rounding"], "signed_zero": "kept"}
        self.outputs = ("scale",) + tuple(f"code{j}" for j in range(self.n))
        self.primary = self.outputs

    def expect(self, options: dict, cols: dict) -> dict:
        from fp4ref.emu.block.quant import mx_quant
        x, rand = self._inputs(options, cols)
        scale, codes = mx_quant(x, self.src, options["rule"], options["rounding"], rand)
        return self._outputs(options, scale, codes)

    def hypotheses(self, cols: dict, got: dict, mism: np.ndarray) -> list[Hypothesis]:
        from fp4ref.emu.block import SCALE_RULES
        o = self.options
        hyps = [Hypothesis(f"rule={r}", f"computes the E8M0 scale by the {r} rule (docs/block.md §3)", "scale",
                           (("rule", r),)) for r in SCALE_RULES if r != o["rule"]]
        hyps += self._element_hypotheses()
        for conv in conventions().values():
            delta = {}
            if conv.scale_rule in SCALE_RULES:
                delta["rule"] = conv.scale_rule
            if conv.element_ties != "unspecified":
                delta["rounding"] = conv.element_ties
            if conv.signed_zero == "positive":
                delta["signed_zero"] = "positive"
            if conv.scale_rule not in SCALE_RULES or not any(o.get(k) != v for k, v in delta.items()):
                continue
            hyps.append(Hypothesis(f"convention={conv.name}", f"follows {conv.title} "
                                   f"({', '.join(f'{k} {v}' for k, v in delta.items())})", "convention",
                                   tuple(delta.items())))
        return hyps

    def _inputs(self, options: dict, cols: dict):
        """The block's source bit patterns [n, N] and, for sr, its random bits."""
        x = np.stack([np.asarray(cols[f"x{j}"], np.int64) for j in range(self.n)], axis=1)
        rand = (np.stack([np.asarray(cols[f"rand{j}"], np.int64) for j in range(self.n)], axis=1)
                if options["rounding"] == "sr" else None)
        return x, rand

    def _outputs(self, options: dict, scale, codes) -> dict:
        """The pack's output fields, zero codes unsigned under signed_zero 'positive'."""
        codes = codes.astype(np.uint64)
        if options["signed_zero"] == "positive":
            codes = np.where(codes == 8, np.uint64(0), codes)
        return {"scale": scale.astype(np.uint64), **{f"code{j}": codes[:, j] for j in range(self.n)}}

    def _element_hypotheses(self) -> list[Hypothesis]:
        """The element step of a block quantizer: its tie rule, the sign of zero, FTZ."""
        hyps = [Hypothesis(f"rounding={r}", "elements: " + ROUNDING_SAYS[r], "rounding", (("rounding", r),))
                for r in DETERMINISTIC + TIE_VARIANTS if r != self.options["rounding"]]
        hyps.append(Hypothesis("zero-sign", "drops the sign of zero elements (-0 codes give +0)", "zero",
                               (("signed_zero", "positive"),)))

        def ftz(c, out):
            return {**out, **{f"code{j}": np.where((out[f"code{j}"] & np.uint64(7)) == 1,
                                                   out[f"code{j}"] & np.uint64(8), out[f"code{j}"])
                              for j in range(self.n)}}
        hyps.append(Hypothesis("ftz", "flushes subnormal elements (+-0.5 after scaling) to zero", "subnormal",
                               out=ftz))
        return hyps

    def describe(self, i: int, cols: dict, got: dict) -> str:
        fmt = emu.get_format("e2m1")
        x = units.source_array(np.array([int(cols[f"x{j}"][i]) for j in range(self.n)], np.uint64), self.src)
        with np.errstate(invalid="ignore"):
            amax = float(np.nanmax(np.abs(x.astype(np.float64)))) if not np.isnan(x.astype(np.float64)).all() else float("nan")
        e, g = int(cols["scale"][i]), int(got["scale"][i])
        def sc(v):
            return "NaN" if v == 0xFF else f"2^{v - 127}"
        parts = [f"vector {i}: amax {amax!r}: scale expected {e:#04x} ({sc(e)}) got {g:#04x} ({sc(g)})"]
        diff = [j for j in range(self.n) if int(cols[f"code{j}"][i]) != int(got[f"code{j}"][i])]
        if diff:
            j = diff[0]
            ce, cg = int(cols[f"code{j}"][i]), int(got[f"code{j}"][i])
            parts.append(f"{len(diff)} codes differ, e.g. x{j} = {float(x[j])!r}: expected {ce:#x} "
                         f"({_value(fmt, ce)}) got {cg:#x} ({_value(fmt, cg)})")
        return "; ".join(parts)


class NvQuantModel(MxQuantModel):
    """nvfp4_quant: 16 source floats and an FP32 tensor scale to a UE4M3 scale and 16 E2M1 codes
    (docs/block.md §5, §10)."""
    unit = "nvfp4_quant"
    n = 16

    def __init__(self, record: dict):
        o = record["options"]
        self.src = o["src"]
        self.options = {"rounding": o["rounding"], "scale_rounding": "rne", "signed_zero": "kept"}
        self.outputs = ("scale",) + tuple(f"code{j}" for j in range(self.n))
        self.primary = self.outputs

    def expect(self, options: dict, cols: dict) -> dict:
        from fp4ref.emu.block.quant import nvfp4_quant
        x, rand = self._inputs(options, cols)
        scale, codes = nvfp4_quant(x, np.asarray(cols["ts"], np.int64), self.src, options["rounding"], rand,
                                   options["scale_rounding"])
        return self._outputs(options, scale, codes)

    def hypotheses(self, cols: dict, got: dict, mism: np.ndarray) -> list[Hypothesis]:
        o = self.options
        hyps = [Hypothesis(f"scale-rounding={r}", f"rounds the UE4M3 block scale {ROUNDING_SAYS[r].removeprefix('rounds ')}",
                           "scale", (("scale_rounding", r),)) for r in ("rna", "rtz", "rup") ]
        hyps += self._element_hypotheses()
        hyps.append(Hypothesis("ts-magnitude", "reads a negative tensor scale by its magnitude (the contract: "
                               "the block is NaN)", "nan",
                               inp=lambda c: {**c, "ts": np.asarray(c["ts"], np.uint64) & np.uint64(0x7FFFFFFF)}))
        return hyps

    def describe(self, i: int, cols: dict, got: dict) -> str:
        fmt = emu.get_format("e2m1")
        e4 = emu.get_format("e4m3")
        x = units.source_array(np.array([int(cols[f"x{j}"][i]) for j in range(self.n)], np.uint64), self.src)
        ts = float(np.uint32(int(cols["ts"][i])).view(np.float32))
        e, g = int(cols["scale"][i]), int(got["scale"][i])
        parts = [f"vector {i}: ts {ts!r}: scale expected {e:#04x} ({_value(e4, e)}) got {g:#04x} ({_value(e4, g)})"]
        diff = [j for j in range(self.n) if int(cols[f"code{j}"][i]) != int(got[f"code{j}"][i])]
        if diff:
            j = diff[0]
            ce, cg = int(cols[f"code{j}"][i]), int(got[f"code{j}"][i])
            parts.append(f"{len(diff)} codes differ, e.g. x{j} = {float(x[j])!r}: expected {ce:#x} "
                         f"({_value(fmt, ce)}) got {cg:#x} ({_value(fmt, cg)})")
        return "; ".join(parts)


#: bits kept below a result's last place tried for "sticky bits lost" (a window of G guard bits)
GUARDS = (0, 1, 2, 3, 4, 6, 8, 12, 16, 20, 24, 32, 40, 48)


def _f32_text(bits: int) -> str:
    return f"{bits:#010x} ({float(np.uint32(bits).view(np.float32))!r})"


class BlockDotModel:
    """mx_dot and nvfp4_dot: K blocks of E2M1 pairs with block scales (and FP32 tensor scales,
    an accumulator) to an FP32 result, flags and per-block results (docs/block.md §7-§9)."""

    def __init__(self, record: dict):
        o = record["options"]
        self.unit = record["unit"]
        self.nv = self.unit == "nvfp4_dot"
        self.k = o["blocks"]
        self.size = 16 if self.nv else 32
        self.o = o
        self.options = {"semantics": o["semantics"], "rounding": o["rounding"], "ftz": bool(o["ftz"]),
                        "guard": None}
        self.outputs = ("res", "flags") + (tuple(f"blk{j}" for j in range(self.k)) if o["blocks_out"] else ())
        self.primary = tuple(f for f in self.outputs if f != "flags")

    def _lanes(self, cols, name, n):
        return np.stack([np.asarray(cols[f"{name}{j}"], np.int64) for j in range(n)], axis=1)

    def expect(self, options: dict, cols: dict) -> dict:
        from fp4ref.mac.block_dot import mx_dot_fp32, nvfp4_dot_fp32
        o = self.o
        a, b = self._lanes(cols, "a", self.size * self.k), self._lanes(cols, "b", self.size * self.k)
        kw = dict(acc=np.asarray(cols["acc"], np.int64) if o["acc"] else None, semantics=options["semantics"],
                  rounding=options["rounding"], ftz=options["ftz"], guard=options["guard"])
        if self.nv:
            ts = o.get("tscale")
            res, flags, blk = nvfp4_dot_fp32(a, b, self._lanes(cols, "sa", self.k), self._lanes(cols, "sb", self.k),
                                             np.asarray(cols["ta"], np.int64) if ts else None,
                                             np.asarray(cols["tb"], np.int64) if ts else None, **kw)
        else:
            res, flags, blk = mx_dot_fp32(a, b, self._lanes(cols, "xa", self.k), self._lanes(cols, "xb", self.k), **kw)
        out = {"res": res.astype(np.uint64), "flags": flags.astype(np.uint64)}
        if o["blocks_out"]:
            out.update({f"blk{j}": blk[:, j].astype(np.uint64) for j in range(self.k)})
        return out

    def hypotheses(self, cols: dict, got: dict, mism: np.ndarray) -> list[Hypothesis]:
        o = self.options
        other = "per_block" if o["semantics"] == "exact" else "exact"
        hyps = [Hypothesis(f"semantics={other}", {
            "per_block": "rounds each block to FP32, then adds in FP32 (per_block semantics)",
            "exact": "sums exactly and rounds once (exact semantics)"}[other], "semantics", (("semantics", other),)),
            Hypothesis(f"rounding={'rtz' if o['rounding'] == 'rne' else 'rne'}",
                       "truncates its FP32 results (rtz)" if o["rounding"] == "rne" else "rounds its FP32 results to nearest even",
                       "rounding", (("rounding", "rtz" if o["rounding"] == "rne" else "rne"),)),
            Hypothesis("ftz" if not o["ftz"] else "no-ftz",
                       "flushes subnormal FP32 results to zero" if not o["ftz"] else "keeps subnormal FP32 results",
                       "subnormal", (("ftz", not o["ftz"]),))]
        if o["rounding"] == "rne":
            hyps += [Hypothesis(f"sticky-{g}", f"loses its sticky bits: keeps {g} bits below the result's last "
                                f"place and nothing below (a result one ulp off next to a rounding tie)", "sticky",
                                (("guard", g),)) for g in GUARDS]
        return hyps

    def describe(self, i: int, cols: dict, got: dict) -> str:
        parts = []
        for f in self.primary:
            e, g = int(cols[f][i]), int(got[f][i])
            if e != g:
                d = abs(int(np.int64(e & 0x7FFFFFFF)) - int(np.int64(g & 0x7FFFFFFF))) if (e ^ g) >> 31 == 0 else None
                parts.append(f"{f} expected {_f32_text(e)} got {_f32_text(g)}" + (f", {d} ulp off" if d is not None else ""))
        if not parts:
            from fp4ref.emu.flags import describe as flag_names
            parts.append(f"res {_f32_text(int(cols['res'][i]))} as expected; flags expected "
                         f"{flag_names(int(cols['flags'][i]))} got {flag_names(int(got['flags'][i]))}")
        scale = ("sa", "sb") if self.nv else ("xa", "xb")
        sc = " ".join(f"{s}{j}={int(cols[f'{s}{j}'][i]):#04x}" for j in range(self.k) for s in scale)
        acc = f" acc={_f32_text(int(cols['acc'][i]))}" if self.o["acc"] else ""
        return f"vector {i}: {sc}{acc}: " + "; ".join(parts)


class MacStreamModel:
    """mac_stream: a clocked MAC, one row per clock edge: clr, en and L code pairs in, the
    accumulator and its sticky overflow flag out (docs/block.md §11)."""
    unit = "mac_stream"
    outputs = ("acc", "ovf")
    primary = ("acc", "ovf")

    def __init__(self, record: dict):
        o = record["options"]
        self.o = o
        self.fx, self.fw = emu.get_format(o["x"]), emu.get_format(o["w"])
        self.options = {"policy": o["policy"], "sticky": True}

    def expect(self, options: dict, cols: dict) -> dict:
        from fp4ref.mac.stream import mac_stream
        L = self.o["lanes"]
        x = np.stack([np.asarray(cols[f"x{j}"], np.int64) for j in range(L)], axis=1)
        w = np.stack([np.asarray(cols[f"w{j}"], np.int64) for j in range(L)], axis=1)
        acc, ovf = mac_stream(np.asarray(cols["clr"], np.int64), np.asarray(cols["en"], np.int64), x, w,
                              self.fx, self.fw, self.o["acc_w"], options["policy"], options["sticky"])
        mask = (1 << self.o["acc_w"]) - 1
        return {"acc": (acc & mask).astype(np.uint64), "ovf": ovf.astype(np.uint64)}

    def hypotheses(self, cols: dict, got: dict, mism: np.ndarray) -> list[Hypothesis]:
        other = "saturate" if self.options["policy"] == "wrap" else "wrap"
        hyps = [Hypothesis(f"policy={other}", {"saturate": "saturates the accumulator instead of wrapping",
                                                "wrap": "wraps the accumulator instead of saturating"}[other],
                           "overflow", (("policy", other),)),
                Hypothesis("ovf-not-sticky", "its overflow flag is not sticky: it shows only the last enabled "
                           "cycle's overflow", "overflow", (("sticky", False),))]
        from fp4ref.mac.products import int_format
        hyps += row_swaps(int_format(self.fx), int_format(self.fw), self.o["lanes"])
        return hyps

    def describe(self, i: int, cols: dict, got: dict) -> str:
        w = self.o["acc_w"]
        def signed(v):
            return v - (1 << w) if v >> (w - 1) else v
        L = self.o["lanes"]
        xs = " ".join(f"{int(cols[f'x{j}'][i]):x}" for j in range(L))
        ws = " ".join(f"{int(cols[f'w{j}'][i]):x}" for j in range(L))
        return (f"cycle {i}: clr={int(cols['clr'][i])} en={int(cols['en'][i])} x[0..]={xs} w[0..]={ws}: "
                f"acc expected {signed(int(cols['acc'][i]))} got {signed(int(got['acc'][i]))}; "
                f"ovf expected {int(cols['ovf'][i])} got {int(got['ovf'][i])}")


MODELS = {"mac_stream": MacStreamModel, "encode": EncodeModel, "decode": DecodeModel, "product": ProductModel, "fp_mul": FpMulModel,
          "dot": DotModel, "mx_quant": MxQuantModel, "nvfp4_quant": NvQuantModel, "mx_dot": BlockDotModel, "nvfp4_dot": BlockDotModel}


def model_for(record: dict):
    """The diagnosis model of a pack (its manifest), or None for a unit without one yet."""
    cls = MODELS.get(record["unit"])
    return cls(record) if cls else None
