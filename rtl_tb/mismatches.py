"""Every mismatching vector of a bench run, as CSV in the build folder: <build>/mismatches/<pack>.csv
holds the vector index, its inputs, and expected_<field> and got_<field> for every output, in hex.
Written by the benches (rtl_tb.drive), read by the diagnosis (rtl_tb.explain) and by people."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

MISMATCH_DIR = "mismatches"


def write_mismatches(path: Path | str, index: np.ndarray, inputs: dict, expected: dict, got: dict) -> None:
    """Every mismatching vector of one pack as CSV (hex values), written whole."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    cols = (["vector"] + list(inputs) + [f"expected_{f}" for f in expected] + [f"got_{f}" for f in got])
    buf = io.StringIO()
    buf.write(",".join(cols) + "\n")
    data = [index.tolist()] + [np.asarray(inputs[f])[index].tolist() for f in inputs] + \
           [np.asarray(expected[f])[index].tolist() for f in expected] + \
           [np.asarray(got[f])[index].tolist() for f in got]
    for row in zip(*data):
        buf.write(str(row[0]) + "," + ",".join(f"{int(v):#x}" for v in row[1:]) + "\n")
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(buf.getvalue())
    tmp.replace(path)


def read_mismatches(path: Path) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """(vector indices, {field: got values}) from a bench's mismatch CSV."""
    rows = list(csv.reader(Path(path).read_text().splitlines()))
    head, body = rows[0], rows[1:]
    index = np.array([int(r[0]) for r in body], np.int64)
    got = {h[4:]: np.array([int(r[k], 16) for r in body], np.uint64)
           for k, h in enumerate(head) if h.startswith("got_")}
    return index, got
