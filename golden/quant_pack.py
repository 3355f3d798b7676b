"""Stimulus of the block quantizer units `mx_quant` and `nvfp4_quant` (docs/block.md §10).

Corners: the worked amax table of docs/block.md §3 as the block maximum; a NaN or Inf in every
lane; zero blocks with mixed signs; quotients far below 2^-126; source subnormals (amax subnormal, elements subnormal);
elements that scale to 0.25, 0.5, 0.75 and every element tie of E2M1 and one source ulp either
side, in both signs; a sweep of the element grid in 1/16 steps; for 16-bit sources every bit
pattern of the type in some lane; for NVFP4 tensor scales at the clamp edges of s_b, E4M3 ties,
zero, subnormal, negative, NaN and Inf. Random bits for sr: 0, 255, 128 on the corners, seeded
random elsewhere. Then seeded random blocks with log-uniform magnitudes and outliers.
"""
from __future__ import annotations

import numpy as np

from fp4ref.emu.block.quant import SOURCE_DTYPES
from fp4ref.emu.unpack import SOURCES

#: docs/block.md §3's worked amax values (as float32)
AMAX_TABLE = (0.0, 2.0 ** -149, 1.0, 1.5, 1.75, 6.0, 6.0000005, 7.0, 8 - 2.0 ** -21, 8.0,
              3.4028234663852886e38, np.inf, np.nan)
#: E2M1 ties (x / X) and values below 1.0
ELEMENT_POINTS = (0.25, 0.5, 0.75, 1.25, 1.75, 2.5, 3.5, 5.0, 6.5, 7.0, 0.125, 0.375)


def _bits(values, src: str) -> np.ndarray:
    """Bit patterns of float values rounded to src (RNE)."""
    with np.errstate(over="ignore"):
        v = np.asarray(values, np.float64).astype(np.float32).astype(SOURCE_DTYPES[src])
    return v.view(SOURCES[src].bits_dtype).astype(np.int64)


def _neighbours(value: float, src: str) -> list[int]:
    """Bit patterns of value in src and one ulp either side (same sign)."""
    b = int(_bits([value], src)[0])
    mask = (1 << SOURCES[src].bits) - 1
    return [x & mask for x in (b - 1, b, b + 1) if 0 <= x <= mask]


def stimulus(size: int, src: str, n_random: int, seed: int, nv: bool):
    """(x bits [n, size], ts bits [n] (nv only, else zeros), rand [n, size])."""
    rng = np.random.default_rng([seed, 14, size, SOURCES[src].bits])
    rows: list[tuple[list[int], int]] = []
    one = int(_bits([1.0], "float32")[0])
    ts_default = one if not nv else int(np.float32(6.0 * 448 / 2688).view(np.uint32))   # s_t = 1.0

    def add(x, ts=ts_default):
        x = list(x)
        rows.append(((x + [0] * size)[:size], ts))

    # the amax table: the maximum in lane 0, a spread of smaller values after it
    for amax in AMAX_TABLE:
        tail = _bits(np.float64(amax if np.isfinite(amax) else 1.0) * np.linspace(-1, 1, size - 1), src)
        for lane0 in _neighbours(amax, src) if np.isfinite(amax) else [int(_bits([amax], src)[0])]:
            add([lane0, *tail])
    # a NaN or an Inf in every lane
    spread = _bits(np.linspace(-3, 3, size), src)
    for special in (np.nan, np.inf, -np.inf):
        for lane in range(size):
            x = list(spread)
            x[lane] = int(_bits([special], src)[0])
            add(x)
    # zero blocks with mixed signs; a single non-zero among zeros
    sign = 1 << (SOURCES[src].bits - 1)
    add([0] * size)
    add([sign] * size)
    add([sign * (i % 2) for i in range(size)])
    for v in (1.0, -2.0 ** -20, 2.0 ** -130, 448.0):
        add([int(_bits([v], src)[0])] + [0] * (size - 1))
    # quotients far below 2^-126 (rup gives 0.5, rdn -0.5: a float32 ldexp would flush them)
    if src != "float16":
        add(list(_bits([2.0 ** 100, 2.0 ** -149, -2.0 ** -149, 2.0 ** -130], src)) + [0] * (size - 4))
    # source subnormals: the whole block, and under a normal maximum
    sub = SOURCES[src]
    tiny = [(i + 1) * 37 % (1 << sub.man_w) for i in range(size)]
    add(tiny)
    add([t | sign for t in tiny])
    add([int(_bits([6.0], src)[0])] + tiny[1:])
    # element ties and values below 1.0 with X = 1 (lane 0 = 6 fixes the scale for every rule
    # but rceil, which also gives X = 1 for amax 6), each point and one source ulp either side
    six = int(_bits([6.0], src)[0])
    for p in ELEMENT_POINTS:
        for s in (1.0, -1.0):
            nb = _neighbours(s * p, src)
            add([six] + (nb * size)[:size - 1])
    # the element grid in 1/16 steps, both signs
    grid = np.arange(-112, 113) / 16.0
    for start in range(0, len(grid), size - 1):
        add([six, *_bits(grid[start:start + size - 1], src)])
    # 16-bit sources: every bit pattern in lanes 1.., lane 0 cycling through maxima
    if SOURCES[src].bits == 16:
        maxima = [int(_bits([m], src)[0]) for m in (1.0, 6.0, 448.0, 2.0 ** -14, 65504.0 if src == "float16" else 2.0 ** 100)]
        patterns = np.arange(1 << 16)
        for i, start in enumerate(range(0, len(patterns), size - 1)):
            add([maxima[i % len(maxima)], *patterns[start:start + size - 1]])
    if nv:                                       # tensor scales: specials, clamp edges, E4M3 ties
        block = list(_bits(np.linspace(-6, 6, size), src))
        f = lambda v: int(np.float32(v).view(np.uint32))    # noqa: E731
        for ts in (0, 0x80000000, 1, 0x00800000, f(2.0 ** -20), f(1.0), f(1.0 / 448), f(1.0 / 1.0625),
                   f(1.0 / 1.1875), f(64.0), f(1e30), 0x7F7FFFFF, 0x7F800000, 0xFF800000, 0x7FC00000,
                   0x7F800001, f(-1.0), f(-2.0), 0x80000001, f(6.0 / 2688), f(6.0 / 2688) + 1,
                   f(6.0 / 2688) - 1):
            add(block, ts)
        if src == "float32":
            # s2 = fl32(fl32(9 / 6) / ts) = 2^-6 * (1 + 2^-4 + 2^-23): one float32 ulp past an E4M3
            # tie, so only its last bit (the sticky's lowest) makes s_b round up
            add(list(_bits([9.0], src)), 0x42B4B4B3)
            # ts * s_b exactly on a float32 tie (ts's significand 11184822 times 1.5 ends in binary
            # 1000 past the 24 kept bits, kept part even: total rounds down), and x = 2.5 * total
            # exact: q = 2.5 on an E2M1 tie (rna: 3); a total one ulp larger would give 2
            ts_c = np.uint32((127 << 23) | (11184822 - (1 << 23))).view(np.float32)
            total = np.float32(float(ts_c) * 1.5)
            add(list(_bits([9.0 * float(ts_c), 2.5 * float(total), -2.5 * float(total)], src)), f(ts_c))
            # amax = 9 * 2^-149: amax / 6 = 1.5 * 2^-149 is a float32 (subnormal) tie, s1 = 2^-148 to
            # even; any error in the divisor rounds it to 2^-149. With ts = 2^-149, s_b = 2 (not 1)
            add([9, 5], 1)
            # ties and stickies of the shared rounding functions (fp4_quant_common.vh) that only
            # exact or subnormal intermediates reach: total = fl32(ts * s_b) on a normal-range tie
            # (rtz then decides q = 4 against 3.9999998); q = 1.5 * 2^-150 with its only sticky bit
            # below the round bit (rup: 2^-149, not 0); s1 = 42.5 and 17.5 * 2^-149, ties with even
            # and odd kept bits; ts = 0 with a subnormal element (total 0, q = Inf saturates)
            for elems, ts in (([0x40C0000A, 0x41100000], 0x3F800007), ([0x000000C0, 0x44C00000], 0x3F800000),
                              ([0x000000FF], 0x00000080), ([0x00000069], 0x00000001), ([0x00000001], 0)):
                add(elems, ts)
        # s_b = amax / 6 / ts right at the clamp edges 2^-6, 448 and on E4M3 ties
        for target in (2.0 ** -6, 2.0 ** -6 * 0.99, 448.0, 460.0, 1.0625, 1.1875, 300.0, 2.0 ** -9, 0.01):
            add(block, f(1.0 / target))
    n_corners = len(rows)
    # seeded random blocks: log-uniform magnitudes, a few outliers
    exp_lo, exp_hi = (-140, 120) if src != "float16" else (-24, 15)
    for i in range(n_random):
        mag = 2.0 ** rng.uniform(exp_lo, exp_hi)
        x = rng.standard_normal(size) * mag
        if i % 4 == 0:
            x[rng.integers(0, size)] *= 50
        if i % 16 == 1:
            x[rng.integers(0, size)] = np.nan if i % 32 == 1 else np.inf
        with np.errstate(over="ignore"):
            bits = _bits(x, src)
        ts = ts_default
        if nv:
            amax_tensor = float(np.nanmax(np.abs(np.where(np.isfinite(x), x, 0)))) * 2.0 ** rng.uniform(0, 8)
            ts = int(np.float32(amax_tensor / 2688).view(np.uint32)) if i % 8 else int(rng.integers(0, 1 << 32))
        add(bits, ts)
    x = np.array([r[0] for r in rows], np.int64)
    ts = np.array([r[1] for r in rows], np.int64)
    rand = rng.integers(0, 256, x.shape)
    rand[:n_corners:3] = 0
    rand[1:n_corners:3] = 255
    rand[2:n_corners:3] = 128
    return x, ts, rand
