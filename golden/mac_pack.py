"""Pack specs for the MAC units (docs/mac.md): every product of two formats, and dot products.

- product: every pair of finite codes of X and W, and the exact integer product Ix * Iw
  (two's complement; fields wider than 64 bits are fine, E5M2 x E5M2 needs 65).
- dot: one cycle of an L-lane MAC (codes, shifts, acc_in -> acc, ovf): corner cases (every
  operand at its maximum, the most negative sum, alternating signs, zeros, sums exactly at the
  accumulator's limits and one past them, shifts at 0 and at B, acc_in at its extremes) and
  seeded random vectors. The shift port is ``bit_length(B)`` bits per lane unless ``shift_w``
  says otherwise (docs/mac.md §5): 0 is no port (every s_j = 0, each product << B, and the
  bench drives the ignored port with ones); wider fields carry shifts above B, which the
  MAC clamps to B.

Operand formats are any integer-mapped format (mac.products.int_format): the presets, and the
lookup formats with an integer mapping (E2M1-SR/SP, APoT4, INT4, ...: docs/lookup.md, docs/mac.md
§3). Packs of a lookup format are for user RTL (``fp4ref verify --rtl``): the reference
rtl/fp4_mac.v decodes ExMy presets only, and their headers say so (format record "rtl").
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from fp4ref.emu.spec import FloatFormat
from fp4ref.mac import dot, product_table
from fp4ref.mac.accumulate import check_acc_w
from fp4ref.mac.dot import ORDERS
from fp4ref.mac.products import IntFormat, check_pair, extremes, int_format, range_bits

from .cases import MAX_RANDOM
from .codec_pack import DEFAULT_SEED, fmt_record
from .units import Field

MAC_UNITS = ("product", "dot")
MAC_POLICIES = ("wrap", "saturate")


def finite_codes(fmt) -> np.ndarray:
    """The codes with an integer (a preset's finite codes; a lookup format's used codes)."""
    return int_format(fmt).codes


#: why a lookup format's pack names no reference RTL (its format record's "rtl")
USER_RTL_ONLY = "user RTL only: rtl/fp4_mac.v decodes ExMy presets, not lookup formats"


def format_record(fmt) -> dict:
    """The pack header's record of one operand format."""
    f = int_format(fmt)
    if not f.is_lookup:
        return fmt_record(f.source)
    from .lut_pack import lookup_record          # (lut_pack imports this module)
    return {**lookup_record(f.source), "bits": f.bits, "ints": list(f.ints), "rtl": USER_RTL_ONLY}


#: the widest shift field a pack may ask for (the RTL takes up to 31)
MAX_SHIFT_W = 8


def shift_w(shift_max: int) -> int:
    """Bits of a lane's shift field (0 without pre-shift)."""
    return int(shift_max).bit_length()


def product_w(fx, fw) -> int:
    """Signed bits of every product of the pair (1 + bit_length(Imax_x * Imax_w) for presets)."""
    neg, pos = extremes(int_format(fx), int_format(fw))
    return range_bits(neg.product, pos.product)


def twos(values, width: int):
    """Two's complement of signed integers in ``width`` bits (uint64, or Python ints past 64)."""
    if width > 64:
        return np.array([int(v) & ((1 << width) - 1) for v in values], dtype=object)
    return np.asarray(values, np.int64).astype(np.uint64) & np.uint64((1 << width) - 1)


def signed(column, width: int) -> np.ndarray:
    """The signed integers (int64) of a column of ``width``-bit two's complement fields (width <=
    63): the inverse of twos."""
    v = np.asarray(column, np.uint64).astype(np.int64)
    return np.where(v >> (width - 1) & 1, v - (1 << width), v)


@dataclass(frozen=True)
class MacPackSpec:
    unit: str
    fx: FloatFormat | IntFormat     #: a name or LookupFormat is resolved (mac.products.int_format)
    fw: FloatFormat | IntFormat
    lanes: int = 16
    acc_w: int = 16
    policy: str = "wrap"
    order: str = "tree"
    shift_max: int = 0
    n_random: int = 2000
    seed: int = DEFAULT_SEED
    shift_w: int | None = None      #: bits of a lane's shift field; None: bit_length(shift_max)
    #: dot: each vector's acc_in is the previous vector's acc (the first's is 0): the packs of a
    #: sequential MAC that accumulates across vectors and is cleared once (docs/byo_rtl.md)
    chain: bool = False

    def __post_init__(self):
        if self.unit not in MAC_UNITS:
            raise ValueError(f"unit: must be one of {', '.join(MAC_UNITS)}, got {self.unit!r}")
        for name in ("fx", "fw"):       # presets stay FloatFormats, lookup formats become IntFormats
            f = int_format(getattr(self, name))
            object.__setattr__(self, name, f if f.is_lookup else f.source)
        if self.unit == "product":
            return
        check_pair(self.fx, self.fw, self.shift_max)
        check_acc_w(self.acc_w)
        if isinstance(self.lanes, bool) or not isinstance(self.lanes, int) or not 1 <= self.lanes <= 256:
            raise ValueError(f"lanes: must be an integer in 1..256, got {self.lanes!r}")
        if self.policy not in MAC_POLICIES:
            raise ValueError(f"policy: packs use {' or '.join(MAC_POLICIES)}, got {self.policy!r}")
        if self.order not in ORDERS:
            raise ValueError(f"order: must be one of {', '.join(ORDERS)}, got {self.order!r}")
        if not 0 <= self.n_random <= MAX_RANDOM:
            raise ValueError(f"random: must be 0..{MAX_RANDOM:,} (2^20), got {self.n_random:,}")
        need = shift_w(self.shift_max)
        if self.shift_w is not None and (isinstance(self.shift_w, bool) or not isinstance(self.shift_w, int)
                                         or not (self.shift_w == 0 or need <= self.shift_w <= MAX_SHIFT_W)):
            raise ValueError(f"shift_w: must be 0 (no shift port) or {max(need, 1)}..{MAX_SHIFT_W} bits "
                             f"(B = {self.shift_max} needs {need}), got {self.shift_w!r}")

    @property
    def sw(self) -> int:
        """Bits of each lane's shift field in the pack (0: no shift fields)."""
        return shift_w(self.shift_max) if self.shift_w is None else self.shift_w

    @property
    def vector_set(self) -> str:
        return "exhaustive" if self.unit == "product" else "corners+random"

    @property
    def name(self) -> str:
        pair = f"{self.fx.name}x{self.fw.name}"
        if self.unit == "product":
            return f"product-{pair}"
        port = "" if self.sw == shift_w(self.shift_max) else f"-sw{self.sw}"
        return (f"dot-{pair}-l{self.lanes}-w{self.acc_w}-{self.policy}-{self.order}"
                f"-b{self.shift_max}{port}{'-chain' if self.chain else ''}")

    def header(self) -> dict:
        options = {} if self.unit == "product" else {
            "lanes": self.lanes, "acc_w": self.acc_w, "policy": self.policy, "order": self.order,
            "shift_max": self.shift_max, "shift_w": self.sw, "n_random": self.n_random,
            **({"chain": True} if self.chain else {})}
        return {"unit": self.unit, "format": {"x": format_record(self.fx), "w": format_record(self.fw)},
                "options": options, "vector_set": self.vector_set, "seed": self.seed}

    # ---- vectors ------------------------------------------------------------------------------
    def build(self):
        if self.unit == "product":
            return self._products()
        return self._dots()

    def _products(self):
        cx, cw = finite_codes(self.fx), finite_codes(self.fw)
        gx, gw = np.meshgrid(cx, cw, indexing="ij")
        table = product_table(self.fx, self.fw)
        width = product_w(self.fx, self.fw)
        prod = table[gx.ravel().astype(np.intp), gw.ravel().astype(np.intp)]
        fields = [Field("code_x", "input", self.fx.bits), Field("code_w", "input", self.fw.bits),
                  Field("product", "output", width, signed=True)]
        return fields, {"code_x": gx.ravel(), "code_w": gw.ravel(), "product": twos(prod, width)}

    def _dots(self):
        x, w, s, acc_in = self._stimulus()
        # the MAC's port contract (docs/mac.md §5): a shift above B is clamped to B
        args = (self.fx, self.fw, self.acc_w, self.policy, self.order, self.lanes)
        if self.chain:                 # vector by vector: each starts from the last one's result
            parts, prev = [], 0
            for i in range(len(x)):
                acc_in[i] = prev
                r = dot(x[i:i + 1], w[i:i + 1], *args, np.minimum(s[i:i + 1], self.shift_max),
                        self.shift_max, acc_in[i:i + 1])
                prev = int(r.acc[0])
                parts.append(r)
            res = type(parts[0])(**{k: np.concatenate([getattr(p, k) for p in parts])
                                    for k in parts[0].__dataclass_fields__})
        else:
            res = dot(x, w, *args, np.minimum(s, self.shift_max), self.shift_max, acc_in)
        lanes, sw = range(self.lanes), self.sw
        fields = ([Field(f"x{j}", "input", self.fx.bits) for j in lanes]
                  + [Field(f"w{j}", "input", self.fw.bits) for j in lanes]
                  + ([Field(f"s{j}", "input", sw) for j in lanes] if sw else [])
                  + [Field("acc_in", "input", self.acc_w, signed=True),
                     Field("acc", "output", self.acc_w, signed=True), Field("ovf", "output", 1)])
        cols = {f"x{j}": x[:, j].astype(np.uint64) for j in lanes}
        cols.update({f"w{j}": w[:, j].astype(np.uint64) for j in lanes})
        if sw:
            cols.update({f"s{j}": s[:, j].astype(np.uint64) for j in lanes})
        cols.update(acc_in=twos(acc_in, self.acc_w), acc=twos(res.acc, self.acc_w),
                    ovf=res.overflow.astype(np.uint64))
        cols["exact"] = res.exact      # not a field: the unbounded sum, for the JSONL only
        return fields, cols

    def _stimulus(self):
        """Corner cases, then seeded random vectors: (x, w, shifts, acc_in)."""
        L, B, fx, fw = self.lanes, self.shift_max, int_format(self.fx), int_format(self.fw)
        hi, lo = (1 << (self.acc_w - 1)) - 1, -(1 << (self.acc_w - 1))
        xmax, wmax = fx.max_code, fw.max_code
        xneg = fx.min_code                             # a preset's xmax | sign bit
        neg, pos = extremes(fx, fw)                    # the extreme products' code pairs
        rows = []

        def add(x, w, s, a):
            rows.append((np.broadcast_to(x, L), np.broadcast_to(w, L), np.broadcast_to(s, L), a))

        alternating = np.where(np.arange(L) % 2, xneg, xmax)
        s_top = (1 << self.sw) - 1                     # the largest shift the port carries
        wide = self.sw != shift_w(B)                   # no port, or one wider than B needs
        for s in sorted({0, min(B, s_top), s_top} if wide else {0, B}):
            add(xmax, wmax, s, 0)                      # every operand at its maximum
            add(xneg, wmax, s, 0)                      # the most negative sum
            add(alternating, wmax, s, 0)               # alternating signs
            # the extreme products where the rows above miss them (lookup formats with
            # asymmetric integers: INT4's -8, E2M1-SR's +8); never for the presets
            for e in (pos, neg):
                if e.product not in (fx.int_hi * fw.int_hi, fx.int_lo * fw.int_hi):
                    add(e.cx, e.cw, s, 0)
        add(0, 0, 0, hi)
        add(0, 0, 0, lo)
        add(0, 0, 0, 0)
        for target in (hi, hi + 1, lo, lo - 1):        # the limits exactly, and one past them
            e = pos if target > 0 else neg             # presets: (xmax, wmax) and (xneg, wmax)
            p = e.product << B
            for k in range(L, -1, -1):                 # k lanes at the extreme, acc_in the rest
                a = target - k * p
                if lo <= a <= hi:
                    at = np.arange(L) < k
                    add(np.where(at, e.cx, 0), np.where(at, e.cw, wmax), 0, a)
                    break
        rng = np.random.default_rng([self.seed, L, self.acc_w, B])
        n = self.n_random
        fxc, fwc = finite_codes(fx), finite_codes(fw)
        x = np.concatenate([np.stack([r[0] for r in rows]), rng.choice(fxc, (n, L))]).astype(np.int64)
        w = np.concatenate([np.stack([r[1] for r in rows]), rng.choice(fwc, (n, L))]).astype(np.int64)
        # shifts 0..B, or 0..2^sw - 1 when the port is wider than B needs (no port: all 0)
        s_hi = s_top if wide else B
        s = np.concatenate([np.stack([r[2] for r in rows]), rng.integers(0, s_hi + 1, (n, L))]).astype(np.int64)
        acc_in = np.concatenate([[r[3] for r in rows], rng.integers(lo, hi + 1, n)]).astype(np.int64)
        return x, w, s, acc_in

    # ---- JSONL for people ---------------------------------------------------------------------
    def jsonl(self, columns) -> bytes:
        if self.unit == "product":
            vx, vw = int_format(self.fx).decode(), int_format(self.fw).decode()
            width = product_w(self.fx, self.fw)
            lines = []
            for cx, cw, p in zip(columns["code_x"].tolist(), columns["code_w"].tolist(), columns["product"]):
                signed = int(p) - (1 << width) if int(p) >> (width - 1) else int(p)
                lines.append(json.dumps({"code_x": hex(cx), "code_w": hex(cw), "x": repr(float(vx[cx])),
                                         "w": repr(float(vw[cw])), "product": signed}) + "\n")
            return "".join(lines).encode()
        L, w_acc = self.lanes, self.acc_w
        signed = lambda v: int(v) - (1 << w_acc) if int(v) >> (w_acc - 1) else int(v)   # noqa: E731
        lines = []
        for i in range(len(columns["acc"])):
            record = {"x": [int(columns[f"x{j}"][i]) for j in range(L)],
                      "w": [int(columns[f"w{j}"][i]) for j in range(L)]}
            if self.sw:
                record["s"] = [int(columns[f"s{j}"][i]) for j in range(L)]
            record.update(acc_in=signed(columns["acc_in"][i]), exact=int(columns["exact"][i]),
                          acc=signed(columns["acc"][i]), ovf=int(columns["ovf"][i]))
            lines.append(json.dumps(record) + "\n")
        return "".join(lines).encode()
