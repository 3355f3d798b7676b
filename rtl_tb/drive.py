"""In-simulator driver shared by the unit benches: stream packs through the copies and compare.

The bench never recomputes an expectation: every expected bit comes from the pack, which is
hash-checked before use. Configuration arrives in the environment (set by rtl_tb.runner):
FP4REF_PACKS (pack folders, os.pathsep-separated), FP4REF_UNIT, FP4REF_COPIES,
FP4REF_MAX_MISMATCHES, FP4REF_RESULTS (a JSONL file the runner reads back), FP4REF_PROGRESS
(the heartbeat file the runner's watchdog reads: every driving loop calls Heartbeat.beat).
"""
from __future__ import annotations

import json
import os
import time

import numpy as np
from cocotb.triggers import Timer

from fp4ref.golden.pack import load

from .contracts import CONTRACTS, port_widths, resolve, shared_values
from .lanes import pack_lanes, port_bits, unpack_lanes
from .mismatches import MISMATCH_DIR, write_mismatches
from .report import describe_mismatch


class Heartbeat:
    """Where a driving loop is, for the runner's watchdog (rtl_tb.runner): the line
    'PACK VECTOR COUNT' in FP4REF_PROGRESS, replaced whole at most every ``every`` seconds. A
    design that hangs the simulator stops the beats; the watchdog then names the pack and vector."""

    def __init__(self, every: float = 0.5):
        self.path = os.environ.get("FP4REF_PROGRESS")
        self.every, self.next = every, 0.0

    def beat(self, pack: str, vector: int, count: int, force: bool = False) -> None:
        if not self.path:
            return
        now = time.monotonic()
        if force or now >= self.next:
            self.next = now + self.every
            tmp = f"{self.path}.tmp"
            with open(tmp, "w") as fh:
                fh.write(f"{pack} {vector} {count}\n")
            os.replace(tmp, self.path)


_X_TO_0 = str.maketrans({c: "0" for c in "xXzZuUwW-"})
_X_MASK = str.maketrans({"0": "0", "1": "0", **{c: "1" for c in "xXzZuUwWlLhH-"}})


def read_bits(handle) -> tuple[int, int]:
    """(value, mask of X/Z bits) of an output: X/Z read as 0 and flagged, not an exception."""
    v = handle.value
    try:
        return (v.to_unsigned() if hasattr(v, "to_unsigned") else int(v)), 0   # a 1-bit port: Logic
    except ValueError:
        s = str(v)
        return int(s.translate(_X_TO_0), 2), int(s.translate(_X_MASK), 2)


async def settle() -> None:
    """One step of a combinational bench: 1 ns for the design to settle."""
    await Timer(1, "ns")


def clocked(clock):
    """One step of a clocked bench: a whole clock cycle (low 1 ns, then the rising edge and 1 ns
    for the outputs to follow it)."""
    async def step() -> None:
        clock.value = 0
        await Timer(1, "ns")
        clock.value = 1
        await Timer(1, "ns")
    return step


async def stream(stimulus, outputs, c0: int, c1: int, step=settle, heart=None, tag: str = "",
                 copies: int = 1, count: int = 0, xmask: dict | None = None) -> list[list[int]]:
    """THE driving loop of every streaming bench (the unit benches, the mutation bank, a DUT
    file's comb, pipeline and accumulate timings): for cycles c0..c1-1, put each input's word of
    that cycle (the last word once they run out) on its handle, take one ``step``, read every
    output. ``xmask`` (a dict): cycle -> {output index: X/Z bit mask}, for outputs that had any."""
    raw = [[] for _ in outputs]
    for cycle in range(c0, c1):
        if heart is not None and not cycle & 63:
            heart.beat(tag, cycle * copies, count)
        for handle, words in stimulus:
            handle.value = words[cycle] if cycle < len(words) else words[-1]
        await step()
        for k, handle in enumerate(outputs):
            if xmask is None:
                v = handle.value
                raw[k].append(v.to_unsigned() if hasattr(v, "to_unsigned") else int(v))   # 1 bit: Logic
            else:
                value, bad = read_bits(handle)
                raw[k].append(value)
                if bad:
                    xmask.setdefault(cycle, {})[k] = bad
    return raw


def _config():
    return (os.environ["FP4REF_UNIT"], os.environ["FP4REF_PACKS"].split(os.pathsep),
            int(os.environ["FP4REF_COPIES"]), int(os.environ.get("FP4REF_MAX_MISMATCHES", "10")),
            os.environ["FP4REF_RESULTS"])


def _check_widths(dut, widths: dict[str, int], copies: int) -> None:
    """The DUT's flat ports must be ``copies`` times the widths the pack implies."""
    for port, width in widths.items():
        have = len(getattr(dut, port))
        if have != copies * width:
            raise AssertionError(f"port {port} is {have} bits; the pack needs {copies} x {width}: "
                                 "wrong format parameters or a module that breaks the contract")


def split_outputs(raw: dict, checked: dict, widths: dict, field_w: dict, copies: int, count: int) -> dict:
    """Per field: the values read from its port (a port carries one field, or several 'blk*'
    fields side by side, first in the LSBs)."""
    got = {}
    for port, fields in checked.items():
        whole = unpack_lanes(raw[port], widths[port], copies, count)
        if len(fields) == 1:
            got[fields[0]] = whole.astype(np.uint64)
            continue
        at = 0
        for f in fields:                    # Python ints: a port of several fields may pass 64 bits
            mask = (1 << field_w[f]) - 1
            got[f] = np.array([(int(v) >> at) & mask for v in whole], np.uint64)
            at += field_w[f]
    return got


async def run_packs(dut, step=settle) -> None:
    """Stream every pack of FP4REF_PACKS through the copies: one cycle of ``step`` per word
    (settle for combinational units, drive.clocked(clk) for a clocked one)."""
    unit, pack_dirs, copies, max_mismatches, results_path = _config()
    contract = CONTRACTS[unit]
    log = dut._log
    total_bad = 0
    heart = Heartbeat()
    with open(results_path, "a") as results:
        for pack_dir in pack_dirs:
            name = os.path.basename(os.path.normpath(pack_dir))
            heart.beat(name, 0, 0, force=True)
            record, cols = load(pack_dir)
            widths = port_widths(contract, record)
            _check_widths(dut, widths, copies)
            field_w = {f["name"]: f["width"] for f in record["fields"]}
            names = [f["name"] for f in record["fields"]]
            count = record["count"]
            heart.beat(name, 0, count, force=True)
            for port, value in shared_values(unit, record["options"]).items():
                getattr(dut, port).value = value
            stimulus = []
            for port, patterns in contract.lane_inputs.items():
                fields = resolve(patterns, names)
                bits = port_bits(contract, port, fields, cols, field_w, widths[port], count)
                stimulus.append((getattr(dut, port), pack_lanes(bits, copies)))
            checked = {p: resolve((f,), names) for p, f in contract.lane_outputs.items() if f}
            checked = {p: fs for p, fs in checked.items() if fs}
            start = time.perf_counter()
            words = await stream(stimulus, [getattr(dut, p) for p in checked], 0, len(stimulus[0][1]),
                                 step=step, heart=heart, tag=name, copies=copies, count=count)
            raw = dict(zip(checked, words))
            seconds = time.perf_counter() - start
            got = split_outputs(raw, checked, widths, field_w, copies, count)
            bad = np.zeros(count, bool)
            for f in got:
                bad |= got[f] != cols[f].astype(np.uint64)
            n_bad = int(bad.sum())
            inputs = [f for pats in contract.lane_inputs.values() for f in resolve(pats, names)]
            lines = [describe_mismatch(record, int(i), {f: int(cols[f][i]) for f in inputs},
                                       {f: int(cols[f][i]) for f in got}, {f: int(got[f][i]) for f in got})
                     for i in np.flatnonzero(bad)[:max(0, max_mismatches - total_bad)]]
            for line in lines:
                log.error(line)
            total_bad += n_bad
            rate = count / seconds if seconds > 0 else float("inf")
            log.info(f"{name}: {count} vectors, {n_bad} mismatches, {rate:,.0f} vectors/s")
            record_csv = {}
            if n_bad:                    # every mismatch of the pack, for the diagnosis and people
                csv_path = os.path.join(os.path.dirname(results_path), MISMATCH_DIR, f"{name}.csv")
                write_mismatches(csv_path, np.flatnonzero(bad), {f: cols[f] for f in inputs},
                                 {f: cols[f] for f in got}, got)
                record_csv = {"csv": csv_path, "dir": pack_dir}
            results.write(json.dumps({"pack": name, "count": count, "mismatches": n_bad,
                                      "seconds": seconds, "first": lines, **record_csv}) + "\n")
            results.flush()
            if total_bad >= max_mismatches:
                log.error(f"stopping after {total_bad} mismatches (FP4REF_MAX_MISMATCHES={max_mismatches})")
                break
    assert total_bad == 0, f"{total_bad} mismatching vectors"


async def run_clocked_packs(dut) -> None:
    """run_packs for a clocked unit (Contract.clock): reset held low for two edges, then one pack
    vector per rising edge, outputs read after it. The first vector of a pack clears."""
    clk, rst = CONTRACTS[os.environ["FP4REF_UNIT"]].clock
    clock, reset = getattr(dut, clk), getattr(dut, rst)
    step = clocked(clock)
    reset.value = 0
    for _ in range(2):
        await step()
    reset.value = 1
    await run_packs(dut, step=step)
