"""Stimulus of the block dot units `mx_dot` and `nvfp4_dot` (docs/block.md §8-§9).

Corners are written as exact block values (S_k, E_k), S_k * 2^E_k, and realized as codes and
scales: each S_k as a sum of E2M1 products (greedy over the product table), each E_k through
the scale bytes (MX: xa + xb - 256 = E_k; NVFP4: power-of-two UE4M3 scales and, with tensor
scales, a common power of two). The bug classes of the issue each get a family:
  - FP32 rounding ties after alignment, exactly on, one unit above and one unit below, with
    the far term 24, 25, 32, 34, 48 and 64 bits below the leading block (sticky bits lost in a
    narrow window), kept significand even and odd, both signs;
  - results in the FP32 subnormal range and at its edges (ties at 2^-150, the carry into
    2^-126, ftz), overflow to Inf and the FLT_MAX tie, cancellation against the accumulator;
  - NaN scales, every scale byte (UE4M3 bytes with bit 7 set), tensor-scale specials;
  - every code pair at lane 0 of each block, every code in every lane of block 0 (and the last
    lane of the others) against a fixed partner, blocks of 0.5 x 0.5 products (scaled magnitudes
    below 1.0); -0 accumulators against blocks that round to -0;
  - (MX) per-block results that set every bit of an FP32 value in every block position (low and
    high subnormal fractions, the smallest and the largest binade, negative, Inf, NaN);
  - (option edges) FP32 edges: operands of +-2^127 (exponent field 254 with a zero fraction:
    finite, not Inf) as accumulator, block and partial sum; inexact results just above 2^-126
    (not tiny); power-of-two blocks far below 2^-149 (each rounds to +-0 on one sticky bit);
then seeded random vectors: uniform codes with scales near 1 or anywhere, large same-sign
codes, accumulators that cancel block 0, and random exponent spreads.
"""
from __future__ import annotations

import numpy as np

from fp4ref.emu import get_format
from fp4ref.mac.block_dot import E8M0_NAN, MAX_BLOCKS, MX_BLOCK, NV_BLOCK, UE4M3_NAN, ue4m3
from fp4ref.mac.fp32_round import INF, NAN, SIGN, round_f32
from fp4ref.mac.products import int_codes

E2M1 = get_format("e2m1")
#: E2M1 magnitude code of each integer mapping I (units of 1/2)
CODE_OF_I = {int(int_codes(c, E2M1)): c for c in range(E2M1.sign_bit)}
#: every product Ia * Ib with one (code_a, code_b), largest first
PRODUCTS = sorted({ia * ib: (CODE_OF_I[ia], CODE_OF_I[ib]) for ia in CODE_OF_I for ib in CODE_OF_I}.items(),
                  reverse=True)
SPREADS = (24, 25, 32, 34, 48, 64)
#: block values (S, E) = S * 2^E whose FP32 results between them set every bit of a per-block
#: output (None: a NaN scale): 0x00000FFF (subnormal, bits 0-11), -4095 * 2^-138 = 0x807FF800
#: (bits 11-22 and the sign), -1.5 * 2^-126 = 0x80C00000 (exponent field 1), 4095 * 2^116 =
#: 0x7F7FF000 (exponent field 254, scale bytes 254 and 118), 4608 * 2^252 (overflow: Inf, or
#: FLT_MAX under rtz), NaN 0x7FC00000
BIT_BLOCKS = ((4095, -149), (-4095, -138), (-3, -127), (4095, 116), (4608, 252), None)
#: UE4M3 byte of 2^e for e = -9..8 (subnormals 1, 2, 4, then normals m = 0)
UE4M3_POW2 = {-9: 0x01, -8: 0x02, -7: 0x04, **{e: (e + 7) << 3 for e in range(-6, 9)}}
ONE_F32 = 0x3F800000
P127_F32 = 254 << 23                                 #: 2^127, the bottom of the largest binade
MIN_NORMAL_F32 = 1 << 23                             #: 2^-126
#: 1/3 rounded to FP32 (0xAAAAAB * 2^-25) times 3 * 2^-124: 2^-124 * (1 + 2^-25), 26 bits
THIRD_F32, THREE_M124_F32 = 0x3EAAAAAB, 0x02400000


def block_codes(s: int, size: int) -> tuple[list[int], list[int]]:
    """Codes a, b of one block whose exact sum of Ia * Ib is s (|s| <= size * 144)."""
    left, a, b = abs(s), [], []
    for p, (ca, cb) in PRODUCTS:
        while p and left >= p and len(a) < size:
            a.append(ca)
            b.append(cb)
            left -= p
    if left:
        raise ValueError(f"{s} is not a sum of {size} E2M1 products")
    sign = E2M1.sign_bit if s < 0 else 0
    a = [c | sign for c in a] + [0] * (size - len(a))
    return a, b + [0] * (size - len(b))


class Builder:
    """Collects vectors of one dot unit: codes [32K or 16K], scale pairs [K], tensor scales, acc."""

    def __init__(self, nv: bool, k: int, acc: bool, tscale: bool):
        self.nv, self.k, self.acc, self.tscale = nv, k, acc, tscale
        self.size = NV_BLOCK if nv else MX_BLOCK
        self.rows = []

    def raw(self, a, b, sa, sb, acc=0, ta=ONE_F32, tb=ONE_F32):
        if not self.acc:
            acc = 0
        if not self.tscale:
            ta = tb = ONE_F32
        self.rows.append((list(a), list(b), list(sa), list(sb), acc, ta, tb))

    def exact(self, blocks: list[tuple[int, int]], acc: int = 0, nan: tuple[int, ...] = ()) -> bool:
        """A vector whose block k is exactly S_k * 2^E_k (missing blocks are zero); False when
        the scales cannot express it (the vector is then left out). The blocks ``nan`` get a NaN
        scale on a (their S_k and E_k are then only the codes and the other scale)."""
        blocks = (list(blocks) + [(0, blocks[0][1])] * self.k)[:self.k]
        a, b = [], []
        for s, _ in blocks:
            try:
                ca, cb = block_codes(s, self.size)
            except ValueError:                            # not a sum of this many products
                return False
            a += ca
            b += cb
        scales = self._scales([e for _, e in blocks])
        if scales is None:
            return False
        sa, sb, ta, tb = scales
        for j in nan:
            sa[j] = UE4M3_NAN if self.nv else E8M0_NAN
        self.raw(a, b, sa, sb, acc, ta, tb)
        return True

    def _scales(self, exps):
        if not self.nv:                                   # E = xa + xb - 256, bytes 0..254
            out = []
            for e in exps:
                t = e + 256
                if not 0 <= t <= 508:
                    return None
                out.append((min(t, 254), t - min(t, 254)))
            return [x for x, _ in out], [y for _, y in out], ONE_F32, ONE_F32
        # NVFP4: E = ea + eb - 2 + t (ea, eb in -9..8, t the tensor scales' common exponent)
        t = 0
        if self.tscale:
            t = max(min(exps) + 20, -298) if min(exps) + 20 < 0 else (max(exps) - 14 if max(exps) > 14 else 0)
        sa, sb = [], []
        for e in exps:
            r = e + 2 - t
            if not -18 <= r <= 16:
                return None
            ea = max(-9, min(8, r))
            sa.append(UE4M3_POW2[ea])
            sb.append(UE4M3_POW2[r - ea])
        ta_e = max(-149, min(127, t))
        tb_e = t - ta_e
        if not -149 <= tb_e <= 127:
            return None
        return sa, sb, _pow2_f32(ta_e), _pow2_f32(tb_e)

    def arrays(self):
        cols = list(zip(*self.rows))
        return [np.array(c, np.int64) for c in cols]


def _pow2_f32(e: int) -> int:
    """binary32 bits of 2^e, e = -149..127."""
    return (e + 127) << 23 if e >= -126 else 1 << (e + 149)


def corners(u: Builder, rng) -> None:
    k, size = u.k, u.size
    zeros = [0] * (size * k)
    one_scales = ([0x38] * k, [0x38] * k) if u.nv else ([127] * k, [127] * k)
    # zero, and zero against every special accumulator
    for acc in (0, SIGN, 1, SIGN | 1, 0x00800000, INF, SIGN | INF, NAN, 0x7F800001, 0xFFC00000, 0x7F7FFFFF):
        u.raw(zeros, zeros, *one_scales, acc)
    # every code pair at lane 0 of each block; every code in every lane of block 0 (and the last
    # lane of the others: the blocks are alike) against +6 and -0.5
    for j in range(k):
        for ca in range(16):
            for cb in range(16):
                a, b = list(zeros), list(zeros)
                a[j * size], b[j * size] = ca, cb
                u.raw(a, b, *one_scales)
    for lane in list(range(size)) + [j * size + size - 1 for j in range(1, k)]:   # block 0, last lanes
        for c in range(16):
            for partner in (7, 9):
                a, b = list(zeros), list(zeros)
                a[lane], b[lane] = c, partner
                u.raw(a, b, *one_scales)
    # scaled magnitudes below 1.0: blocks of 0.5 x 0.5, 0.5 x 1.5, every lane
    for ca, cb in ((1, 1), (1, 3), (9, 1), (1, 2)):
        u.raw([ca] * (size * k), [cb] * (size * k), *one_scales)
    # every scale byte, on each operand, with a fixed random block
    fixed_a, fixed_b = rng.integers(0, 16, size * k), rng.integers(0, 16, size * k)
    for byte in range(256):
        for side in (0, 1):
            sa, sb = list(one_scales[0]), list(one_scales[1])
            (sa if side == 0 else sb)[byte % k] = byte
            u.raw(fixed_a, fixed_b, sa, sb, ONE_F32)
    # the largest blocks, all signs (|S| = 144 * size per block)
    for sign_a in (0, 8):
        for sign_b in (0, 8):
            u.raw([7 | sign_a] * (size * k), [7 | sign_b] * (size * k), *one_scales)
    # tensor scales: specials and edges, with a fixed block
    if u.tscale:
        for ta in (ONE_F32, SIGN | ONE_F32, 0, SIGN, 1, SIGN | 0x00400000, 0x00800000, 0x7F7FFFFF, INF, SIGN | INF,
                   NAN, 0x7F800001, 0x40400000, 0x3EAAAAAB):
            for tb in (ONE_F32, 0x00000003, 0x7F7FFFFF, NAN):
                u.raw(fixed_a, fixed_b, *one_scales, ONE_F32, ta, tb)
    ties(u)
    subnormals_and_overflow(u)
    if not u.nv:
        block_bits(u)


def ties(u: Builder) -> None:
    """Exact sums on an FP32 tie, one unit above and one below, for far terms d bits down."""
    top = 4096 if u.size == MX_BLOCK else 2048       # a 13- or 12-bit leading block
    lead = top.bit_length()
    for base in (0, -40, 60) if not u.nv else (0, -6):
        for d in SPREADS:
            for odd in (0, 1):
                for delta in (0, 1, -1):
                    for sign in (1, -1):
                        e0 = base
                        half = (1 + 2 * odd, e0 + lead - 25)          # half an ulp (+ one ulp when odd)
                        far = (delta, e0 - d)
                        blocks = [(sign * top, e0), (sign * half[0], half[1]),
                                  (sign * far[0], far[1])]
                        if u.k >= 3:
                            u.exact(blocks)
                        elif u.k == 2:                                 # half and far in one block
                            shift = half[1] - far[1]
                            s1 = half[0] * (1 << shift) + delta
                            if abs(s1) <= 144 * u.size:
                                u.exact([(sign * top, e0), (sign * s1, far[1])])
                        if u.acc:                                      # the accumulator leads
                            acc_s = (1 << 23) + odd
                            acc, _ = round_f32(sign * acc_s, e0 - 23 + 12)
                            u.exact([(sign * 1, e0 - 12), (sign * delta, e0 - 12 - d)][:u.k], acc)


def subnormals_and_overflow(u: Builder) -> None:
    """Results in and at the edges of the FP32 subnormal range, ftz edges, overflow."""
    for s in (1, 2, 3, 5, 7, 4095, 4607 if u.size == MX_BLOCK else 2303):
        for e in range(-156, -120, 1):
            u.exact([(s, e)])
            u.exact([(-s, e)])
    # (2^24 - 1) * 2^-150 rounds to 2^-126; (2^24 - 3) * 2^-150 stays subnormal
    for low in (4095, 4093, 4094):
        for sign in (1, -1):
            u.exact([(sign * 4095, -138), (sign * low, -150)])
            u.exact([(sign * 4095, -138), (sign * low, -150), (sign * 1, -160)])
    # FLT_MAX exactly, its tie (overflows in rne), and one unit past
    for extra in ((0, 0), (1, 103), (1, 90), (-1, 90)):
        for sign in (1, -1):
            u.exact([(sign * 4095, 116), (sign * 4095, 104), (sign * extra[0], extra[1])])
    for e in (112, 113, 114, 115, 116, 117, 200, 252):
        u.exact([(4608 if u.size == MX_BLOCK else 2304, e)] * u.k)
    # blocks that overflow to opposite infinities (per_block: NaN, invalid; exact: their sum)
    top = 4608 if u.size == MX_BLOCK else 2304
    u.exact([(top, 252), (-top, 252)])
    u.exact([(top, 252), (-top, 252), (5, 0)])
    for inf in (INF, SIGN | INF):
        u.exact([(-top, 252)], inf)
        u.exact([(top, 252)], inf)
    # IEEE signs of zero: -0 accumulator plus a block that rounds to -0 (per_block: -0 + -0 = -0)
    if u.acc:
        for acc in (SIGN, 0):
            u.exact([(-1, -150)], acc)
            u.exact([(-1, -151), (-1, -151)], acc)
    # cancellation: +X - X + tiny; and an accumulator that cancels block 0
    for d in (1, 24, 30, 60):
        u.exact([(4000, 0), (-4000, 0), (1, -d)])
        if u.acc:
            acc, _ = round_f32(-4000, 0)
            u.exact([(4000, 0), (3, -d)], acc)


def block_bits(u: Builder) -> None:
    """Every bit of every per-block FP32 result is 1 in some vector: each value of BIT_BLOCKS
    at each block position (vector r gives block j value (r + j) mod 6). Random blocks of 8
    never set some of blocks 2-7's fraction bits (their stuck-at-0 mutants survived:
    docs/mutation.md). MX only: the NVFP4 row with 4 blocks and tensor scales sets them all."""
    n = len(BIT_BLOCKS)
    for r in range(n):
        row = [BIT_BLOCKS[(r + j) % n] for j in range(u.k)]
        u.exact([v or (0, 0) for v in row], nan=tuple(j for j, v in enumerate(row) if v is None))


def fp32_edges(u: Builder) -> None:
    """FP32 edges the families above miss (option edges):
      - +-2^127 as a partial sum (block 0), then a block of +-2^127 (per_block: overflow, or +0)
        or +-2^100 (inexact); as the accumulator against the same blocks; blocks of +-2^127
        against an accumulator of +-1.0. Exponent field 254 with a zero fraction is finite, not Inf;
      - inexact results just above 2^-126, which are not tiny (no underflow: tininess is before
        rounding): an accumulator of +-2^-126 plus a block of +-2^-160 (or just below 2^-126:
        tiny), and (tensor scales) one block of 2^-126 * (1 + 2^-25), 26 significant bits: S = 1
        times THIRD_F32 * THREE_M124_F32;
      - blocks +-2^e, e = -151 .. -230: each rounds to +-0 on one sticky bit, at every distance
        of the rounding's alignment shift and past its word (a block word of W bits leaves the
        bit in its last position at 2^(-151 - W): 2^-165 for MX's 14, 2^-219 for NVFP4's 68)."""
    for sign in (1, -1):
        neg = SIGN if sign < 0 else 0
        for other in ((1, 127), (-1, 127), (1, 100), (-1, 100)):
            if u.k >= 2:
                u.exact([(sign, 127), other])
            if u.acc:
                u.exact([other], neg | P127_F32)
        for pos_neg in ((0, SIGN) if u.acc else ()):
            u.exact([(sign, 127)], pos_neg | ONE_F32)
            u.exact([(sign, -160)], pos_neg | MIN_NORMAL_F32)
    if u.nv and u.tscale:
        a, b = block_codes(1, u.size)
        pad = [0] * (u.size * (u.k - 1))
        for ta in (THIRD_F32, SIGN | THIRD_F32):
            u.raw(a + pad, b + pad, [UE4M3_POW2[0]] * u.k, [UE4M3_POW2[0]] * u.k, 0, ta, THREE_M124_F32)
    for e in range(-151, -231, -1):
        for sign in (1, -1):
            u.exact([(sign, e)])


def random_vectors(u: Builder, rng, n: int) -> None:
    k, size = u.k, u.size
    for i in range(n):
        kind = i % 5
        a = rng.integers(0, 16, size * k)
        b = rng.integers(0, 16, size * k)
        if kind == 1:                                        # large codes, one sign per operand
            a = rng.choice([5, 6, 7], size * k) | (8 * rng.integers(0, 2))
            b = rng.choice([5, 6, 7], size * k) | (8 * rng.integers(0, 2))
        if u.nv:
            near = kind in (0, 1, 3)
            sa = rng.integers(0x20, 0x50, k) if near else rng.integers(0, 256, k)
            sb = rng.integers(0x20, 0x50, k) if near else rng.integers(0, 256, k)
        else:
            near = kind in (0, 1, 3)
            sa = rng.integers(110, 145, k) if near else rng.integers(0, 256, k)
            sb = rng.integers(110, 145, k) if near else rng.integers(0, 256, k)
        acc = int(rng.integers(0, 1 << 32))
        if kind == 3:                                        # cancels block 0 (rounded)
            s0 = int((int_codes(a[:size], E2M1) * int_codes(b[:size], E2M1)).sum())
            e0 = _block_exp(u, sa[0], sb[0])
            acc = 0 if e0 is None else round_f32(-s0 * e0[0], e0[1])[0]
        elif kind == 0:
            acc = int(rng.integers(0, 1 << 32)) & 0x3FFFFFFF | (int(rng.integers(0, 2)) << 31) | 0x30000000
        ta = tb = ONE_F32
        if u.tscale:
            ta = int(rng.integers(0x30000000, 0x50000000)) | (int(rng.integers(0, 2)) << 31)
            tb = int(rng.integers(0x30000000, 0x50000000)) if kind != 4 else int(rng.integers(0, 1 << 32))
        if kind == 4 and k >= 2 and not u.nv:                # random spreads of block exponents
            sa = 127 + rng.integers(-70, 70, k)
            sb = np.full(k, 127)
        u.raw(a, b, sa, sb, acc, ta, tb)


def _block_exp(u: Builder, sa: int, sb: int):
    """(multiplier, exponent) of a block's scale pair (without tensor scales), None for NaN."""
    if not u.nv:
        return None if E8M0_NAN in (sa, sb) else (1, int(sa) + int(sb) - 256)
    va, vb = ue4m3(int(sa)), ue4m3(int(sb))
    return None if va is None or vb is None else (va[0] * vb[0], va[1] + vb[1] - 2)


def stimulus(nv: bool, k: int, acc: bool, tscale: bool, n_random: int, seed: int, edges: bool = False):
    """(a, b, sa, sb, acc, ta, tb) arrays of every vector: corners (with ``edges``, fp32_edges
    too), then seeded random."""
    if not 1 <= k <= MAX_BLOCKS:
        raise ValueError(f"blocks: must be 1..{MAX_BLOCKS}, got {k}")
    u = Builder(nv, k, acc, tscale)
    rng = np.random.default_rng([seed, 14, k, int(nv)])
    corners(u, rng)
    if edges:
        fp32_edges(u)
    random_vectors(u, rng, n_random)
    return u.arrays()
