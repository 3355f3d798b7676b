"""The format card's RNE/RNA intervals are what encode does at and next to every endpoint."""
import numpy as np
import pytest

import emu
from emu.intervals import nearest_intervals


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
