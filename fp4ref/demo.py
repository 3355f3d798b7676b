"""`make demo`: the E2M1 format card, then a sample tensor through encode, pack and decode."""
from __future__ import annotations

import numpy as np

from emu import decode, encode, get_format, int_map, pack_x2
from emu.flags import describe

from .card import format_card

SEED = 20261124


def run_demo() -> None:
    fmt = get_format("e2m1")
    print(format_card(fmt))
    rng = np.random.default_rng(SEED)
    x = (rng.standard_normal((2, 8)) * 2.5).astype(np.float32)
    x[0, :4] = [0.25, 2.5, -0.0, 7.0]           # a tie to zero, a tie to even, -0, saturation
    codes, flags = encode(x, fmt, flags=True)
    print(f"\nsample tensor (float32, seed {SEED}) -> e2m1, RNE, saturating")
    print("  x       :", np.array2string(x, precision=4, max_line_width=120, prefix="  x       : "))
    print("  codes   :", " | ".join(" ".join(f"{c:x}" for c in row) for row in codes))
    print("  packed  :", " | ".join(" ".join(f"{b:02x}" for b in row) for row in pack_x2(codes, fmt)),
          "  (x2 per byte, first element in the low nibble)")
    print("  decoded :", np.array2string(decode(codes, fmt), max_line_width=120, prefix="  decoded : "))
    print("  I(code) :", np.array2string(int_map(codes, fmt), max_line_width=120, prefix="  I(code) : "),
          f"  (value = I * 2^{fmt.int_unit_exp})")
    print("  flags   :", " | ".join(" ".join(f"{f:x}" for f in row) for row in flags),
          "  (1 inexact, 2 underflow, 4 overflow, 8 invalid; e.g. 3 = " + describe(3) + ")")
