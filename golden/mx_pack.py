"""Pack spec for the MX block unit (docs/rtl_contract.md `fp4_mx_block`, docs/mac.md §7).

One vector is one block of 32 E2M1 element pairs with one E8M0 scale code per operand; the
expected outputs are the exact block sum S = sum Ia * Ib (mac.products.int_codes), the block's
exponent xa + xb - 254 + 2 * unit_exp (-256 for E2M1) and the NaN flag (a scale code 0xFF).
sum and exp follow their definitions whatever the scales (the contract defines them
unconditionally); nan only adds the flag. Vectors: structured corners (zero, every element at
+-6 x +-6 in both signs, every code pair at lane 0, every code pair in every lane, each lane
set alone, one lane against the rest, alternating signs, every pair of the scale corners
{0, 1, 127, 254, 255}) and seeded random blocks, a quarter of them drawn from the large codes
with a common sign so the high sum bits toggle. The JSONL adds the block's float32 value from
mac.mx_dot (the model) for people.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np

from fp4ref.emu import get_format
from fp4ref.emu.spec import FloatFormat
from fp4ref.mac.mx_dot import BLOCK, E8M0_NAN, mx_dot
from fp4ref.mac.products import int_codes

from .cases import MAX_RANDOM
from .codec_pack import DEFAULT_SEED, fmt_record
from .mac_pack import twos
from .units import Field

MX_UNITS = ("mx_block",)
SUM_W, EXP_W, SCALE_W = 16, 10, 8         #: sum_o, exp_o, xa_i / xb_i widths of the contract
SCALE_CORNERS = (0, 1, 127, 254, 255)
E8M0_BIAS = 127


@dataclass(frozen=True)
class MxPackSpec:
    unit: str = "mx_block"
    n_random: int = 20000
    seed: int = DEFAULT_SEED
    fmt: FloatFormat = field(default_factory=lambda: get_format("e2m1"))

    def __post_init__(self):
        if self.unit not in MX_UNITS:
            raise ValueError(f"unit: must be one of {', '.join(MX_UNITS)}, got {self.unit!r}")
        if self.fmt.name != "e2m1":
            raise ValueError(f"mx_block: the contract's elements are E2M1, got {self.fmt.name}")
        if (isinstance(self.n_random, bool) or not isinstance(self.n_random, int)
                or not 0 <= self.n_random <= MAX_RANDOM):
            raise ValueError(f"random: must be an integer 0..{MAX_RANDOM:,} (2^20), got {self.n_random!r}")

    @property
    def vector_set(self) -> str:
        return "corners+random"

    @property
    def name(self) -> str:
        return f"mx_block-{self.fmt.name}"

    def header(self) -> dict:
        return {"unit": self.unit, "format": fmt_record(self.fmt),
                "options": {"block": BLOCK, "n_random": self.n_random},
                "vector_set": self.vector_set, "seed": self.seed}

    # ---- vectors ------------------------------------------------------------------------------
    def build(self):
        a, b, xa, xb = self.stimulus()
        exp = expected(a, b, xa, xb, self.fmt)
        lanes = range(BLOCK)
        fields = ([Field(f"a{j}", "input", self.fmt.bits) for j in lanes]
                  + [Field(f"b{j}", "input", self.fmt.bits) for j in lanes]
                  + [Field("xa", "input", SCALE_W), Field("xb", "input", SCALE_W),
                     Field("sum", "output", SUM_W, signed=True), Field("exp", "output", EXP_W, signed=True),
                     Field("nan", "output", 1)])
        cols = {f"a{j}": a[:, j].astype(np.uint64) for j in lanes}
        cols.update({f"b{j}": b[:, j].astype(np.uint64) for j in lanes})
        cols.update(xa=xa.astype(np.uint64), xb=xb.astype(np.uint64), sum=twos(exp["sum"], SUM_W),
                    exp=twos(exp["exp"], EXP_W), nan=exp["nan"].astype(np.uint64))
        cols["_sum"], cols["_exp"] = exp["sum"], exp["exp"]      # not fields: signed, for the JSONL
        return fields, cols

    def stimulus(self):
        """Corner cases, then seeded random blocks: (a, b, xa, xb), codes as int64."""
        fmt = self.fmt
        pos, neg = fmt.max_code, fmt.max_code | fmt.sign_bit          # +6, -6
        codes = np.arange(fmt.n_codes)
        one = 127
        rows = []

        def add(a, b, xa=one, xb=one):
            rows.append((np.broadcast_to(a, BLOCK), np.broadcast_to(b, BLOCK), xa, xb))

        def alone(j, code_a, code_b):
            a, b = np.zeros(BLOCK, np.int64), np.zeros(BLOCK, np.int64)
            a[j], b[j] = code_a, code_b
            return a, b

        add(0, 0)                                                  # all zero
        for ca in (pos, neg):                                      # |S| = 4,608, both signs
            for cb in (pos, neg):
                add(ca, cb)
        for ca in codes:                                           # every code pair at lane 0
            for cb in codes:
                add(*alone(0, ca, cb))
        for ca in codes:                                           # ... and in every lane at once
            for cb in codes:
                add(ca, cb)
        smallest = 1                                               # +0.5, I = 1
        for j in range(BLOCK):                                     # each lane alone
            add(*alone(j, pos, neg))
            add(*alone(j, neg, neg))
            add(*alone(j, smallest, smallest | fmt.sign_bit))
        for j in range(BLOCK):                                     # one lane against the rest
            a = np.full(BLOCK, pos)
            a[j] = neg
            add(a, pos)
        add(np.where(np.arange(BLOCK) % 2, neg, pos), pos)         # alternating signs: S = 0
        rng = np.random.default_rng([self.seed, BLOCK])
        fixed = rng.integers(0, fmt.n_codes, (2, BLOCK))
        for xa in SCALE_CORNERS:                                   # every pair of scale corners
            for xb in SCALE_CORNERS:
                add(pos, pos, xa, xb)
                add(neg, pos, xa, xb)
                add(fixed[0], fixed[1], xa, xb)

        n = self.n_random
        a = rng.integers(0, fmt.n_codes, (n, BLOCK))
        b = rng.integers(0, fmt.n_codes, (n, BLOCK))
        big = rng.random(n) < 0.25                                 # large codes, a common sign
        large = np.array([c for c in range(fmt.n_codes // 2) if int_codes(c, fmt) >= 6])
        sign_a = np.where(rng.random((n, 1)) < 0.5, 0, fmt.sign_bit)
        sign_b = np.where(rng.random((n, 1)) < 0.5, 0, fmt.sign_bit)
        a[big] = (rng.choice(large, (n, BLOCK)) | sign_a)[big]
        b[big] = (rng.choice(large, (n, BLOCK)) | sign_b)[big]
        xa = rng.integers(0, 256, n)
        xb = rng.integers(0, 256, n)
        stack = lambda k: np.stack([r[k] for r in rows]).astype(np.int64)   # noqa: E731
        return (np.concatenate([stack(0), a]).astype(np.int64), np.concatenate([stack(1), b]).astype(np.int64),
                np.concatenate([[r[2] for r in rows], xa]).astype(np.int64),
                np.concatenate([[r[3] for r in rows], xb]).astype(np.int64))

    # ---- JSONL for people ---------------------------------------------------------------------
    def jsonl(self, columns) -> bytes:
        a = np.stack([columns[f"a{j}"] for j in range(BLOCK)], axis=1).astype(np.int64)
        b = np.stack([columns[f"b{j}"] for j in range(BLOCK)], axis=1).astype(np.int64)
        lines = []
        for i in range(len(columns["xa"])):
            xa, xb = int(columns["xa"][i]), int(columns["xb"][i])
            value = mx_dot(a[i], b[i], np.array([xa]), np.array([xb]), self.fmt)
            lines.append(json.dumps({"a": a[i].tolist(), "b": b[i].tolist(), "xa": xa, "xb": xb,
                                     "sum": int(columns["_sum"][i]), "exp": int(columns["_exp"][i]),
                                     "nan": int(columns["nan"][i]), "value": repr(float(value))}) + "\n")
        return "".join(lines).encode()


def expected(a, b, xa, xb, fmt: FloatFormat) -> dict[str, np.ndarray]:
    """The contract's outputs from the model: S = sum Ia * Ib exactly, the block exponent and
    the NaN flag, for blocks a, b of shape (n, 32) and scale codes xa, xb of shape (n,)."""
    s = (int_codes(a, fmt) * int_codes(b, fmt)).sum(axis=1)
    e = np.asarray(xa, np.int64) + np.asarray(xb, np.int64) - 2 * E8M0_BIAS + 2 * fmt.int_unit_exp
    nan = (np.asarray(xa) == E8M0_NAN) | (np.asarray(xb) == E8M0_NAN)
    return {"sum": s.astype(np.int64), "exp": e, "nan": nan}
