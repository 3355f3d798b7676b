"""One-line ValueError messages that count the bad elements and name the first one."""
from __future__ import annotations

import numpy as np


def raise_if_any(bad: np.ndarray, values: np.ndarray, why: str, show=repr) -> None:
    """ValueError "N of M elements: why (first at index i, j: value)" when any ``bad``."""
    bad = np.asarray(bad)
    if not bad.any():
        return
    if bad.ndim == 0:
        first = f"value {show(values[()])}"
    else:
        at = np.unravel_index(int(np.argmax(bad)), bad.shape)
        first = f"first at index {', '.join(str(int(i)) for i in at)}: {show(values[at])}"
    raise ValueError(f"{int(bad.sum())} of {bad.size} elements: {why} ({first})")
