"""The format card's RNE/RNA intervals are what encode does at and next to every endpoint."""
import numpy as np
import pytest

from fp4ref import emu
from fp4ref.emu.intervals import nearest_intervals


@pytest.mark.parametrize("rounding", ["rne", "rna"])
@pytest.mark.parametrize("name", emu.list_formats())
def test_interval_endpoints_encode_as_tabulated(name, rounding):
    fmt = emu.get_format(name)
    for row in nearest_intervals(fmt, rounding):
        lo = float(row.lo)
        probes = [(lo, row.lo_closed), (np.nextafter(lo, np.inf), True), (float(row.value), True)]
        if row.hi is not None:
            hi = float(row.hi)
            probes += [(hi, row.hi_closed), (np.nextafter(hi, -np.inf), True),
                       (np.nextafter(hi, np.inf), False)]
        else:
            probes += [(1e300, True)]
        if row.lo > 0:
            probes += [(np.nextafter(lo, -np.inf), False)]
        for x, inside in probes:
            code = int(emu.encode(np.float64(x), fmt, rounding=rounding))
            assert (code == row.code) == inside, f"{name} {rounding} x={x!r} -> {code:#x}, row {row}"


def test_the_card_column_of_e2m1_word_for_word():
    """The intervals as the format card prints them: open and closed ends, -0, the unbounded
    saturation interval, and their negative mirrors."""
    from fp4ref import emu
    from fp4ref.emu.intervals import nearest_intervals

    iv = nearest_intervals(emu.get_format("e2m1"))
    assert [str(i) for i in iv] == ["[0, 0.25]", "(0.25, 0.75)", "[0.75, 1.25]", "(1.25, 1.75)",
                                    "[1.75, 2.5]", "(2.5, 3.5)", "[3.5, 5]", "(5, inf)"]
    assert [i.negated() for i in iv] == ["[-0.25, -0]", "(-0.75, -0.25)", "[-1.25, -0.75]",
                                         "(-1.75, -1.25)", "[-2.5, -1.75]", "(-3.5, -2.5)",
                                         "[-5, -3.5]", "(-inf, -5)"]
