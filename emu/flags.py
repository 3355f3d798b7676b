"""Per-element exception flags returned by ``encode(..., flags=True)`` (docs/encoding.md §3.4).

The bit assignment is part of the golden-vector contract: the RTL and the packs use it too.
"""
from enum import IntFlag


class Flag(IntFlag):
    INEXACT = 1     #: the code's value differs from the input
    UNDERFLOW = 2   #: 0 < |x| < smallest normal (tininess before rounding) and inexact
    OVERFLOW = 4    #: the rounded magnitude exceeds the largest finite value, or Inf was clamped
    INVALID = 8     #: NaN input, or Inf sent to NaN in a format without Inf


def describe(flags: int) -> str:
    """'inexact|underflow' style text for one flags value ('-' for none)."""
    names = [f.name.lower() for f in Flag if flags & f]
    return "|".join(names) if names else "-"
