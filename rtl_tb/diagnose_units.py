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

import emu
from emu.conventions import conventions, encode_options
from emu.encode import NAN_POLICIES
from emu.round import DETERMINISTIC, TIE_VARIANTS
from emu.spec import FloatFormat
from emu.unpack import SOURCES
from golden import units

from .diagnose import Hypothesis
from .report import split

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
    f = record["format"]
    return FloatFormat(f["name"], f["exp_w"], f["man_w"], f["bias"], f["subnormals"], f["specials"])


def _ulps(fmt: FloatFormat, a: int, b: int) -> int | None:
    """Steps between two finite codes along the format's value line (None: a NaN or Inf)."""
    if any(fmt.is_nan_code(c) or fmt.is_inf_code(c) for c in (a, b)):
        return None
    def pos(c):   # the index of a code on the line of finite values, 0 at zero
        mag = c & fmt.mag_mask
        return -mag if c & fmt.sign_bit else mag
    return abs(pos(a) - pos(b))


def _as_f64(bits, src: str) -> np.ndarray:
    """Source bit patterns as float64 values (exact; NaN patterns read as NaN, quietly)."""
    with np.errstate(invalid="ignore"):
        return units.source_array(np.asarray(bits, np.uint64), src).astype(np.float64)


def _value(fmt: FloatFormat, code: int) -> str:
    return repr(float(emu.decode(np.array([code]), fmt)[0]))


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
            return (f"{head}: code {e:#x} as expected; flags expected {int(cols['flags'][i]):#x} "
                    f"got {int(got['flags'][i]):#x}")
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
        return [Hypothesis("code-map", f"reads its input codes permuted: {text}", "codes",
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


MODELS = {"encode": EncodeModel, "decode": DecodeModel}


def model_for(record: dict):
    """The diagnosis model of a pack (its manifest), or None for a unit without one yet."""
    cls = MODELS.get(record["unit"])
    return cls(record) if cls else None
