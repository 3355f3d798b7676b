"""Stimulus of the clocked MAC unit `mac_stream` (docs/block.md §11): one vector per clock edge.

The first cycle is idle (clear and enable low, garbage codes) right after the bench's reset, so
its outputs are the reset values (acc 0, ovf 0); the second clears. Families: runs of the largest same-sign products long enough to leave
the accumulator's range (so a wrap, a pin at the rail and the sticky flag show as they
happen), in both signs; a clear in the middle of a run, a clear together with enable, idle
cycles (enable low) carrying garbage codes; every code of x against the largest w (and back)
accumulated one per cycle; then seeded random cycles (clear 1/48, enable 3/4).
"""
from __future__ import annotations

import numpy as np

from fp4ref.emu import get_format
from fp4ref.mac.products import int_codes

from .mac_pack import finite_codes


def stimulus(fx: str, fw: str, lanes: int, acc_w: int, cycles: int, seed: int):
    """(clr [n], en [n], x [n, L], w [n, L]) as int64."""
    fx, fw = get_format(fx), get_format(fw)
    cx, cw = finite_codes(fx), finite_codes(fw)
    ix, iw = int_codes(cx, fx), int_codes(cw, fw)
    big_x, big_w = cx[np.argmax(ix)], cw[np.argmax(iw)]
    neg_x = cx[np.argmin(ix)]
    rng = np.random.default_rng([seed, 14, lanes, acc_w])
    rows = []

    def cyc(clr, en, x, w):
        rows.append((clr, en, np.broadcast_to(x, lanes), np.broadcast_to(w, lanes)))

    cyc(0, 0, rng.choice(cx, lanes), rng.choice(cw, lanes))    # idle after reset: acc 0, ovf 0
    top = int(ix.max()) * int(iw.max()) * lanes
    run = min(((1 << acc_w) // max(top, 1)) + 6, 4096)
    for x in (big_x, neg_x):                        # a run out of range, in each sign
        cyc(1, 0, 0, 0)
        for _ in range(run):
            cyc(0, 1, x, big_w)
        for _ in range(3):                          # idle: garbage inputs, state held
            cyc(0, 0, rng.choice(cx, lanes), rng.choice(cw, lanes))
    cyc(1, 1, big_x, big_w)                         # clear and load together
    for _ in range(run // 2):
        cyc(0, 1, big_x, big_w)
    cyc(1, 0, big_x, big_w)                         # clear mid-run (en low: acc 0, flag 0)
    for _ in range(run // 2):
        cyc(0, 1, neg_x, big_w)
    cyc(1, 1, neg_x, big_w)
    for c in cx:                                    # every x code, then every w code
        cyc(0, 1, c, big_w)
    for c in cw:
        cyc(0, 1, big_x, c)
    for _ in range(cycles):
        cyc(int(rng.random() < 1 / 48), int(rng.random() < 0.75), rng.choice(cx, lanes), rng.choice(cw, lanes))
    clr = np.array([r[0] for r in rows], np.int64)
    en = np.array([r[1] for r in rows], np.int64)
    x = np.array([r[2] for r in rows], np.int64)
    w = np.array([r[3] for r in rows], np.int64)
    return clr, en, x, w
