"""Quantization grids for the weight quantizers (RTN, GPTQ): every lookup format of emu.lookup,
the 3-bit integer grids (lookup_names(3)) and the 4-bit formats (lookup_names()).

A Grid is the set of values a code can take before the per-group scale, with the rule that
picks the scale (and zero point) of a group and the rule that rounds a weight to a code:

  scale rule  formats                      scale (float32) per group        code of w
  max         every lookup format but      absmax / max(values)             nearest value of fp32(w / scale)
              the two below; int3_sym                                       (format's tie rule; int3: RNE)
  int_full    int4_full                    absmax / 8, negated when         nearest in -8..7, ties even
                                           |max| > |min|
  asym        int4_asym, int3_asym         (wmax - wmin) / qmax,            clamp(rint(w / scale) + zp, 0, qmax)
                                           wmin <= 0 <= wmax,
                                           zp = rint(-wmin / scale)

The arithmetic is emu.lookup_scale's (llm-datatypes' RTN, formats.md §5.3) operation for
operation, so RTN through a Grid equals emu.lookup_scale.fake_quantize bit for bit (tested for
every 4-bit lookup format). For every "max" lookup format max(values) = max(|values|), so the
scale is also llm-datatypes' GPTQ scale (absmax / max(abs(values)), formats.md §5.3 item 9).
An all-zero group has scale 0 and decodes to zeros.

The 3-bit integer grids (emu/lookup_tables.py INTEGER):
  int3_sym   levels -3..3 (code = the 3-bit two's complement; 0b100 = -4 unused), scale absmax / 3
  int3_asym  levels 0..7 with a zero point per group, scale (wmax - wmin) / 7
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from fp4ref.emu.lookup import LookupFormat, decode, decode_int, encode, get_lookup, lookup_names
from fp4ref.emu.lookup_scale import asym_codes, group_bounds, group_scale, scaled

F32 = np.float32
INT_GRIDS = lookup_names(3)                  #: the 3-bit integer grids: int3_sym, int3_asym
#: the formats of the GPTQ experiment by default (issue 7)
DEFAULT_FORMATS = ("int3_sym", "int3_asym", "int4_sym", "int4_asym", "e2m1", "e2m1_sr", "e2m1_sp",
                   "nf4", "sf4_nu5", "e1m2", "e3m0", "apot4")


@dataclass(frozen=True)
class Grid:
    """A code grid. `table[code]` is the float32 value the code stands for before the scale
    (NaN for unused codes); for asym grids the code is the unsigned integer and the value is
    (code - zero point) * scale."""
    name: str
    title: str
    bits: int
    levels: np.ndarray           # float32, ascending, distinct (+0 over -0)
    level_codes: np.ndarray      # uint8, the code of each level
    table: np.ndarray            # float32 per code (2**bits entries), NaN where unused
    scale_rule: str              # "max" | "int_full" | "asym"
    tie: str                     # "down" | "zero" | "lower_code" | "even"
    lookup: LookupFormat         # the emu.lookup format behind it

    @property
    def max_value(self) -> float:
        """The scale divisor of the "max" rule: the largest positive level (llm-datatypes' max(list))."""
        return float(self.levels.max())

    @property
    def qmax(self) -> int:
        """asym grids: the largest unsigned code (2**bits - 1)."""
        return (1 << self.bits) - 1

    def __hash__(self):
        return hash(self.name)

    def __eq__(self, other):
        return isinstance(other, Grid) and other.name == self.name


def grid_names() -> tuple[str, ...]:
    """Every grid: the 3-bit integer grids, then every 4-bit emu.lookup format."""
    return INT_GRIDS + lookup_names()


def _from_lookup(fmt: LookupFormat) -> Grid:
    table = fmt.values
    pairs = sorted((float(table[c]), c) for c in range(table.size)
                   if fmt.valid[c] and not (table[c] == 0 and np.signbit(table[c])))
    levels = np.array([v for v, _ in pairs], dtype=F32)
    return Grid(fmt.name, fmt.title, fmt.bits, levels, np.array([c for _, c in pairs], dtype=np.uint8),
                table, fmt.scale_rule, fmt.default_tie, fmt)


@lru_cache(maxsize=None)
def grid(name: str | Grid) -> Grid:
    """The grid called `name`: int3_sym, int3_asym or any emu.lookup format (see grid_names())."""
    if isinstance(name, Grid):
        return name
    key = str(name).lower().replace("-", "_")
    if key not in grid_names():
        raise ValueError(f"unknown format {name!r}; known: {', '.join(grid_names())}")
    return _from_lookup(get_lookup(key, bits=None))


SCALE_BITS = 16    #: a group's scale as a deployment stores it (float16)


def bits_per_weight(g: str | Grid, group_size: int, shapes=None) -> float:
    """Storage bits per weight: the code, plus per group a SCALE_BITS scale and, on an asym grid,
    a zero point as wide as the code. ``shapes``: the [out, in] shapes of the weights, whose rows
    are grouped as emu.lookup_scale.group_bounds groups them (a shorter last group costs a whole
    scale); None: the nominal bits + overhead / group_size. group_size -1 (one group per output
    channel): the overhead is negligible and left out (the code's bits)."""
    g = grid(g)
    if group_size == -1:
        return float(g.bits)
    extra = SCALE_BITS + (g.bits if g.scale_rule == "asym" else 0)
    if shapes is None:
        return g.bits + extra / group_size
    shapes = [tuple(int(d) for d in s) for s in shapes]
    weights = sum(o * i for o, i in shapes)
    groups = sum(o * len(group_bounds(i, group_size)) for o, i in shapes)
    return g.bits + extra * groups / weights


def group_params(g: Grid, w_group) -> tuple[np.ndarray, np.ndarray | None]:
    """(scale float32 [rows], zero point int64 [rows] for asym grids else None) of the groups
    w_group [rows, k] (float32; one group per row): emu.lookup_scale.group_scale."""
    w = np.asarray(w_group, dtype=F32)
    if w.ndim == 1:
        w = w[None, :]
    return group_scale(w, g.scale_rule, g.max_value, g.qmax)


def quantize_column(g: Grid, w_col, scale, zero=None) -> tuple[np.ndarray, np.ndarray]:
    """(codes uint8, dequantized float32) of w_col (float32, one element per row), each element
    with its own row's scale (and zero point). Works elementwise on any matching shapes."""
    w = np.asarray(w_col, dtype=F32)
    scale = np.asarray(scale, dtype=F32)
    if g.scale_rule == "asym":
        q = asym_codes(w, scale, zero, g.qmax)
        return q, (q.astype(np.int64) - zero).astype(F32) * scale
    codes = encode(scaled(w, scale), g.lookup, g.tie)
    return codes, g.table[codes] * scale


def dequantize(g: Grid, codes, scales, zeros, groups) -> np.ndarray:
    """float32 weight [out, in] from codes [out, in], scales (zeros) [out, n_groups] and the group
    index of every column: table[code] * scale (asym: (code - zero) * scale), one fp32 multiply.
    ValueError for a code outside the grid or one it does not use (emu.lookup's checks)."""
    g = grid(g)
    groups = np.asarray(groups, dtype=np.int64)
    s = np.asarray(scales, dtype=F32)[:, groups]
    if g.scale_rule == "asym":
        return (decode_int(codes, g.lookup) - np.asarray(zeros)[:, groups]).astype(F32) * s
    return decode(codes, g.lookup) * s
