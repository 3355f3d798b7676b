"""cocotb bench of a mutant bank (rtl_tb.mutation_bank): the packs are loaded and laned once,
then streamed through every mutant in turn (top-level port mutant_sel), mutant 0 (the original)
first; each mutant stops at its first mismatching pack. One JSON line per mutant in
FP4REF_RESULTS: {"mutant": k, "killed": bool, "detail": str}."""
import json
import os

import cocotb
import numpy as np

from fp4ref.golden.pack import load
from fp4ref.rtl_tb.contracts import CONTRACTS, port_widths, resolve, shared_values
from fp4ref.rtl_tb.drive import Heartbeat, clocked, settle, split_outputs, stream
from fp4ref.rtl_tb.lanes import pack_lanes, port_bits

CHUNK = 32            #: cycles between checks: a killed mutant stops within CHUNK cycles


def _prepare(dut, contract, copies, pack_dir):
    record, cols = load(pack_dir)
    widths = port_widths(contract, record)
    field_w = {f["name"]: f["width"] for f in record["fields"]}
    names = [f["name"] for f in record["fields"]]
    stimulus = []
    for port, patterns in contract.lane_inputs.items():
        fields = resolve(patterns, names)
        bits = port_bits(contract, port, fields, cols, field_w, widths[port], record["count"])
        stimulus.append((getattr(dut, port), pack_lanes(bits, copies)))
    checked = {p: resolve((f,), names) for p, f in contract.lane_outputs.items() if f}
    checked = {p: fs for p, fs in checked.items() if fs}
    expect = {f: cols[f].astype(np.uint64) for fs in checked.values() for f in fs}
    shared = shared_values(contract.unit, record["options"])
    return (os.path.basename(os.path.normpath(pack_dir)), record["count"], widths, field_w, stimulus, checked,
            expect, shared)


@cocotb.test()
async def mutants_against_packs(dut):
    contract = CONTRACTS[os.environ["FP4REF_UNIT"]]
    copies = int(os.environ["FP4REF_COPIES"])
    n = int(os.environ["FP4REF_MUTANTS"])
    packs = [_prepare(dut, contract, copies, p) for p in os.environ["FP4REF_PACKS"].split(os.pathsep)]
    heart = Heartbeat()
    step = settle
    if contract.clock:                                     # clocked: one vector per rising edge
        step = clocked(getattr(dut, contract.clock[0]))
        reset = getattr(dut, contract.clock[1])
    with open(os.environ["FP4REF_RESULTS"], "a") as results:
        for k in range(n + 1):
            dut.mutant_sel.value = k
            if contract.clock:                             # each mutant from a reset
                reset.value = 0
                await step()
                await step()
                reset.value = 1
            detail = ""
            for name, count, widths, field_w, stimulus, checked, expect, shared in packs:
                for port, value in shared.items():
                    getattr(dut, port).value = value
                handles = [getattr(dut, p) for p in checked]
                cycles = len(stimulus[0][1])
                for c0 in range(0, cycles, CHUNK):         # stop at the first bad chunk
                    c1 = min(cycles, c0 + CHUNK)
                    heart.beat(f"{name}:mutant{k}", c0 * copies, count)
                    raw = dict(zip(checked, await stream(stimulus, handles, c0, c1, step=step)))
                    v0, v1 = c0 * copies, min(count, c1 * copies)
                    bad = np.zeros(v1 - v0, bool)
                    got = split_outputs(raw, checked, widths, field_w, copies, (c1 - c0) * copies)
                    for f, values in got.items():
                        bad |= values[:v1 - v0] != expect[f][v0:v1]
                    if bad.any():
                        detail = (f"{name}: vector {v0 + int(np.flatnonzero(bad)[0])} of {count} "
                                  "mismatches")
                        break
                if detail:
                    break
            results.write(json.dumps({"mutant": k, "killed": bool(detail), "detail": detail}) + "\n")
            results.flush()
            if k == 0 and detail:
                raise AssertionError(f"the original fails in the bank: {detail}")
