"""In-simulator driver shared by the unit benches: stream packs through the lanes and compare.

The bench never recomputes an expectation: every expected bit comes from the pack, which is
hash-checked before use. Configuration arrives in the environment (set by rtl_tb.runner):
FP4REF_PACKS (pack folders, os.pathsep-separated), FP4REF_UNIT, FP4REF_LANES,
FP4REF_MAX_MISMATCHES, FP4REF_RESULTS (a JSONL file the runner reads back).
"""
from __future__ import annotations

import json
import os
import time

import numpy as np
from cocotb.triggers import Timer

from golden.pack import load

from .contracts import CONTRACTS, shared_values
from .lanes import pack_lanes, unpack_lanes
from .report import describe_mismatch


def _config():
    return (os.environ["FP4REF_UNIT"], os.environ["FP4REF_PACKS"].split(os.pathsep),
            int(os.environ["FP4REF_LANES"]), int(os.environ.get("FP4REF_MAX_MISMATCHES", "10")),
            os.environ["FP4REF_RESULTS"])


def _check_widths(dut, contract, manifest, lanes):
    """The DUT's flat ports must be LANES times the pack's field widths."""
    widths = {f["name"]: f["width"] for f in manifest["fields"]}
    for port, fld in {**contract.lane_inputs, **contract.lane_outputs}.items():
        have = len(getattr(dut, port))
        if have != lanes * widths[fld]:
            raise AssertionError(f"port {port} is {have} bits; the pack needs {lanes} x "
                                 f"{widths[fld]} ({fld}); wrong format parameters or contract")


async def run_packs(dut) -> None:
    unit, pack_dirs, lanes, max_mismatches, results_path = _config()
    contract = CONTRACTS[unit]
    log = dut._log
    total_bad = 0
    with open(results_path, "a") as results:
        for pack_dir in pack_dirs:
            manifest, cols = load(pack_dir)
            _check_widths(dut, contract, manifest, lanes)
            widths = {f["name"]: f["width"] for f in manifest["fields"]}
            count = manifest["count"]
            for port, value in shared_values(unit, manifest["options"]).items():
                getattr(dut, port).value = value
            stimulus = {port: pack_lanes(cols[f], widths[f], lanes) for port, f in contract.lane_inputs.items()}
            handles_in = [(getattr(dut, p), words) for p, words in stimulus.items()]
            handles_out = [(p, getattr(dut, p)) for p in contract.lane_outputs]
            raw = {p: [] for p, _ in handles_out}
            start = time.perf_counter()
            for cycle in range(len(next(iter(stimulus.values())))):
                for handle, words in handles_in:
                    handle.value = words[cycle]
                await Timer(1, "ns")
                for port, handle in handles_out:
                    raw[port].append(handle.value.to_unsigned())
            seconds = time.perf_counter() - start
            got = {f: unpack_lanes(raw[p], widths[f], lanes, count) for p, f in contract.lane_outputs.items()}
            bad = np.zeros(count, bool)
            for f in got:
                bad |= got[f] != cols[f]
            n_bad = int(bad.sum())
            lines = [describe_mismatch(manifest, int(i),
                                       {f: int(cols[f][i]) for f in contract.lane_inputs.values()},
                                       {f: int(cols[f][i]) for f in got}, {f: int(got[f][i]) for f in got})
                     for i in np.flatnonzero(bad)[:max(0, max_mismatches - total_bad)]]
            for line in lines:
                log.error(line)
            total_bad += n_bad
            rate = count / seconds if seconds > 0 else float("inf")
            name = os.path.basename(os.path.normpath(pack_dir))
            log.info(f"{name}: {count} vectors, {n_bad} mismatches, {rate:,.0f} vectors/s")
            results.write(json.dumps({"pack": name, "count": count, "mismatches": n_bad,
                                      "seconds": seconds, "first": lines}) + "\n")
            results.flush()
            if total_bad >= max_mismatches:
                log.error(f"stopping after {total_bad} mismatches (FP4REF_MAX_MISMATCHES={max_mismatches})")
                break
    assert total_bad == 0, f"{total_bad} mismatching vectors"
