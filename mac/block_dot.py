"""Block dot products that end in FP32: MXFP4 (`mx_dot_fp32`) and NVFP4 (`nvfp4_dot_fp32`),
exact or block by block (docs/block.md §7-§9).

Each block's exact value is an integer sum S_k (numpy, exact) times a scale that is a power of
two (MX) or an integer times a power of two (NVFP4); the result is one rounding of the exact
total (`exact`) or a rounding per block and IEEE binary32 additions in block order
(`per_block`), both through mac.fp32_round. The vectors' sums are combined with Python ints.
"""
from __future__ import annotations

import numpy as np

from fp4ref.emu import get_format

from .fp32_round import NAN, add_exact, add_f32, check_mode, exact, is_inf, is_nan, round_f32
from .products import int_codes

SEMANTICS = ("exact", "per_block")
MX_BLOCK, NV_BLOCK = 32, 16
MAX_BLOCKS = 8
E8M0_NAN = 0xFF
UE4M3_NAN = 0x7F
_E2M1 = get_format("e2m1")
_INVALID = 8


def ue4m3(code: int) -> tuple[int, int] | None:
    """(S, E) of a UE4M3 scale byte (value S * 2^E), or None for NaN: 0x7F and every byte with
    bit 7 set (UE4M3 has no sign; docs/block.md §9)."""
    if code == UE4M3_NAN or code & 0x80:
        return None
    e, m = code >> 3, code & 7
    return (m, -9) if e == 0 else (8 + m, e - 10)


def _block_sums(a, b, size: int, what: str) -> tuple[np.ndarray, int]:
    """Exact integer block sums S[n, K] of E2M1 codes a, b [n, size * K] (units of 1/4)."""
    a, b = np.atleast_2d(np.asarray(a)), np.atleast_2d(np.asarray(b))
    if a.shape != b.shape or a.ndim != 2 or a.shape[1] % size or not 1 <= a.shape[1] // size <= MAX_BLOCKS:
        raise ValueError(f"{what}: a and b must be [n, {size} * K] E2M1 codes with K = 1..{MAX_BLOCKS} "
                         f"blocks, got {a.shape} and {b.shape}")
    k = a.shape[1] // size
    sums = (int_codes(a, _E2M1) * int_codes(b, _E2M1)).reshape(len(a), k, size).sum(axis=2)
    return sums, k


def _scales(x, n: int, k: int, name: str) -> np.ndarray:
    s = np.asarray(x)
    s = s.reshape(n, k) if s.size == n * k else s
    if s.dtype.kind not in "ui" or s.shape != (n, k) or (s.size and (s.min() < 0 or s.max() > 255)):
        raise ValueError(f"{name}: expected {n} x {k} scale bytes (integers 0..255), got shape "
                         f"{np.shape(x)} dtype {s.dtype}")
    return s.astype(np.int64)


def _f32_bits(x, n: int, name: str) -> np.ndarray | None:
    if x is None:
        return None
    v = np.asarray(x)
    v = np.broadcast_to(v, (n,)) if v.ndim == 0 else v
    if v.dtype.kind not in "ui" or v.shape != (n,) or (v.size and (v.min() < 0 or v.max() > 0xFFFFFFFF)):
        raise ValueError(f"{name}: expected {n} FP32 bit patterns (integers 0..0xFFFFFFFF), got shape "
                         f"{np.shape(x)} dtype {v.dtype}")
    return v.astype(np.int64)


def _check(semantics: str, rounding: str) -> None:
    if semantics not in SEMANTICS:
        raise ValueError(f"semantics: must be one of {', '.join(SEMANTICS)}, got {semantics!r}")
    check_mode(rounding)


def _combine(blocks: list[tuple[int, int] | None], acc: int, semantics: str, rounding: str,
             ftz: bool, guard: int | None = None) -> tuple[int, int, list[int]]:
    """(result, flags, per-block bits) of exact block values (None: a NaN block) and an FP32
    accumulator input."""
    rounded = [(NAN, 0) if v is None else round_f32(*v, rounding, ftz, guard) for v in blocks]
    per_block = [r for r, _ in rounded]
    if semantics == "per_block":
        r, flags = acc, 0
        for bits, f in rounded:
            r, g = add_f32(r, bits, rounding, ftz, guard)
            flags |= f | g
        return r, flags, per_block
    if any(v is None for v in blocks) or is_nan(acc):
        return NAN, 0, per_block
    if is_inf(acc):
        return acc, 0, per_block
    s, e = add_exact([exact(acc)] + list(blocks))
    r, flags = round_f32(s, e, rounding, ftz, guard)
    return r, flags, per_block


def _results(rows: list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    res = np.array([r[0] for r in rows], np.uint32)
    flags = np.array([r[1] for r in rows], np.uint8)
    blocks = np.array([r[2] for r in rows], np.uint32)
    return res, flags, blocks


def mx_dot_fp32(a, b, xa, xb, acc=None, semantics: str = "exact", rounding: str = "rne",
                ftz: bool = False, guard: int | None = None):
    """MXFP4 dot products to FP32 (docs/block.md §8).

    Args:
      a, b: E2M1 codes [n, 32 * K] (K = 1..8 blocks; element j of block k at 32k + j).
      xa, xb: E8M0 scale bytes [n, K] (0xFF is NaN).
      acc: FP32 bit patterns [n] of the accumulator input, or None (+0).
      semantics: exact | per_block; rounding: rne | rtz; ftz: flush subnormal results.
      guard: not the contract: every rounding keeps only ``guard`` bits below the last place and
        no sticky bit (mac.fp32_round.round_f32; the diagnosis' "sticky bits lost").
    Returns:
      (result bits uint32 [n], flags uint8 [n], per-block FP32 bits uint32 [n, K]).
    """
    _check(semantics, rounding)
    sums, k = _block_sums(a, b, MX_BLOCK, "mx_dot")
    n = len(sums)
    xa, xb = _scales(xa, n, k, "xa"), _scales(xb, n, k, "xb")
    accs = _f32_bits(acc, n, "acc")
    exps = xa + xb - 254 - 2
    nan = (xa == E8M0_NAN) | (xb == E8M0_NAN)
    rows = []
    for i in range(n):
        blocks = [None if nan[i, j] else (int(sums[i, j]), int(exps[i, j])) for j in range(k)]
        rows.append(_combine(blocks, 0 if accs is None else int(accs[i]), semantics, rounding, ftz, guard))
    return _results(rows)


def nvfp4_dot_fp32(a, b, sa, sb, ta=None, tb=None, acc=None, semantics: str = "exact",
                   rounding: str = "rne", ftz: bool = False, guard: int | None = None):
    """NVFP4 dot products to FP32 (docs/block.md §9): as mx_dot_fp32 with blocks of 16, UE4M3
    scale bytes sa, sb [n, K] (0x7F and bytes >= 0x80 are NaN) and FP32 tensor scales ta, tb
    (bit patterns [n], or None for 1.0): B_k = S_k * ue4m3(sa) * ue4m3(sb) * ta * tb / 4.
    A NaN or infinite tensor scale makes the result and every block NaN, with invalid."""
    _check(semantics, rounding)
    sums, k = _block_sums(a, b, NV_BLOCK, "nvfp4_dot")
    n = len(sums)
    sa, sb = _scales(sa, n, k, "sa"), _scales(sb, n, k, "sb")
    tas, tbs, accs = _f32_bits(ta, n, "ta"), _f32_bits(tb, n, "tb"), _f32_bits(acc, n, "acc")
    rows = []
    for i in range(n):
        t = [(1, 0) if v is None else int(v[i]) for v in (tas, tbs)]
        if any(isinstance(x, int) and (is_nan(x) or is_inf(x)) for x in t):
            rows.append((NAN, _INVALID, [NAN] * k))
            continue
        (ts1, te1), (ts2, te2) = [x if isinstance(x, tuple) else exact(x) for x in t]
        blocks = []
        for j in range(k):
            va, vb = ue4m3(int(sa[i, j])), ue4m3(int(sb[i, j]))
            if va is None or vb is None:
                blocks.append(None)
                continue
            blocks.append((int(sums[i, j]) * va[0] * vb[0] * ts1 * ts2, va[1] + vb[1] + te1 + te2 - 2))
        rows.append(_combine(blocks, 0 if accs is None else int(accs[i]), semantics, rounding, ftz, guard))
    return _results(rows)
