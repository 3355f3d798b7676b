"""A clocked MAC cycle by cycle (docs/block.md §11): the accumulator and sticky overflow flag
after every clock edge, for checking a MAC's registered outputs on every cycle."""
from __future__ import annotations

import numpy as np

from fp4ref.emu import get_format
from fp4ref.emu.spec import FloatFormat

from .accumulate import check_acc_w
from .products import int_codes

STREAM_POLICIES = ("wrap", "saturate")
MAX_LANES = 16


def mac_stream(clr, en, x, w, fx: str | FloatFormat = "e2m1", fw: str | FloatFormat = "e2m1",
               acc_w: int = 12, policy: str = "wrap", sticky: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """(acc int64 [n], ovf uint8 [n]) after each of n clock edges.

    clr, en: 0/1 per cycle [n]; x, w: codes [n, L] (L pairs per cycle). At each edge, with
    P = the exact sum of the cycle's L products Ix * Iw: clr and not en -> acc 0, ovf 0;
    clr and en -> acc = op(P), ovf = P out of range; en alone -> acc = op(acc + P), ovf |= out of
    range; neither -> hold. op: wrap (mod 2^W) or saturate; range [-2^(W-1), 2^(W-1) - 1].
    The state before the first edge is acc 0, ovf 0 (a reset). ``sticky`` False is not the
    contract: ovf shows only the last enabled edge's overflow (a fault the diagnosis names)."""
    fx, fw = get_format(fx), get_format(fw)
    acc_w = check_acc_w(acc_w)
    if policy not in STREAM_POLICIES:
        raise ValueError(f"policy: must be one of {', '.join(STREAM_POLICIES)}, got {policy!r}")
    clr, en = np.asarray(clr), np.asarray(en)
    x, w = np.atleast_2d(np.asarray(x)), np.atleast_2d(np.asarray(w))
    n = len(clr)
    if (clr.shape != (n,) or en.shape != (n,) or x.shape != w.shape or x.shape[0] != n
            or not 1 <= x.shape[1] <= MAX_LANES):
        raise ValueError(f"mac_stream: clr, en [n] and x, w [n, L] with L = 1..{MAX_LANES}, got "
                         f"{clr.shape}, {en.shape}, {x.shape}, {w.shape}")
    for name, v in (("clr", clr), ("en", en)):
        if v.size and not np.isin(v, (0, 1)).all():
            raise ValueError(f"{name}: must be 0 or 1 on every cycle")
    p = (int_codes(x, fx).astype(object) * int_codes(w, fw).astype(object)).sum(axis=1)   # E5M2: 2^64
    lo, hi = -(1 << (acc_w - 1)), (1 << (acc_w - 1)) - 1
    acc, ovf = 0, 0
    out_acc, out_ovf = np.zeros(n, np.int64), np.zeros(n, np.uint8)
    for i in range(n):
        if clr[i]:
            acc, ovf = 0, 0
        if en[i]:
            t = acc + int(p[i])
            out = not lo <= t <= hi
            ovf = (ovf | out) if sticky else out
            acc = (((t - lo) % (1 << acc_w)) + lo) if policy == "wrap" else min(max(t, lo), hi)
        out_acc[i], out_ovf[i] = acc, ovf
    return out_acc, out_ovf
