"""cocotb bench for the lookup-format decoders rtl/lut/fp4_lut_<name>.v (unit lut_decode), and the
"bank" runner the lookup units share (rtl_tb/bench_lut_mul.py uses it too).

Two ways to run:
- one module, like every other unit: `fp4ref verify --unit lut_decode -f nf4 --rtl ... --top ...`
  goes through rtl_tb.runner.run_unit and rtl_tb.drive.run_packs (16 lane copies per cycle);
- a bank (run_bank): one generated top holds one instance of every module side by side, each with
  its own slice of the flat output ports, and every input port is shared. The bench drives every
  input value once (16 codes, or 256 code pairs) and checks each instance against its own pack.
  Every decoder (or multiplier) of the project is then one build per simulator instead of one
  each (a Verilator build costs 20-40 s, a simulation of 256 cycles well under one).

Every expectation comes from the packs (hash-checked when loaded); the bench computes none.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import time
from pathlib import Path

import cocotb
import numpy as np

from fp4ref.golden import manifest as manifests
from fp4ref.golden.pack import load

from .contracts import CONTRACTS, lut_reference, port_widths, resolve
from .drive import Heartbeat, run_packs, stream
from .report import describe_mismatch
from .runner import RTL, UnitRun, build_dir, run_bench, waves_requested

BANK_ENV = "FP4REF_BANK"        #: JSON list of {"pack": dir, "module": name}, one per instance


# ---------------------------------------------------------------------------------- host side

def bank_verilog(unit: str, modules: list[str], widths: dict[str, int], top: str) -> str:
    """Verilog of the bank ``top``: instance k of modules[k] drives bits [k*w, (k+1)*w) of each
    output port (widths: port -> bits of one instance); the input ports go to every instance."""
    contract = CONTRACTS[unit]
    n = len(modules)
    ports = [f"    input  wire [{widths[p] - 1}:0] {p}" for p in contract.lane_inputs]
    ports += [f"    output wire [{n * widths[p] - 1}:0] {p}" for p in contract.lane_outputs]
    body = []
    for k, module in enumerate(modules):
        conns = [f".{p}({p})" for p in contract.lane_inputs]
        conns += [f".{p}({p}[{k * widths[p]} +: {widths[p]}])" for p in contract.lane_outputs]
        body.append(f"    {module} u_{k} ({', '.join(conns)});")
    return "\n".join([
        "`timescale 1ns / 1ps",
        "`default_nettype none",
        f"// {n} {unit} modules side by side for the fp4ref lookup bench (generated glue)",
        f"module {top} (",
        ",\n".join(ports),
        ");",
        *body,
        "endmodule",
        "`default_nettype wire",
        "",
    ])


def reference_lanes(unit: str, packs: list[Path]) -> tuple[list[tuple[Path, str]], list[Path]]:
    """(pack, module) per pack and the RTL sources: the project's module for each pack's format."""
    lanes, sources = [], []
    for p in packs:
        module, files = lut_reference(unit, manifests.load(p)["format"]["name"])
        lanes.append((Path(p), module))
        for f in files:
            for s in [RTL / f, *uses(RTL / f)]:
                if s not in sources:
                    sources.append(s)
    return lanes, sources


def uses(source: Path) -> list[Path]:
    """Other modules of the source's folder that it names (e.g. a cost_mul_* instantiating a
    cost_dec_*): every <word>.v beside it whose stem occurs in its text as a whole word."""
    if not source.is_file():
        return []
    words = set(re.findall(r"\b\w+\b", source.read_text()))
    return [s for s in sorted(source.parent.glob("*.v")) if s != source and s.stem in words]


def run_bank(unit: str, sim: str, lanes: list[tuple[Path, str]], sources: list[Path],
             max_mismatches: int = 10):
    """Build one bank top of every lane's module (one instance per lane) and check each instance
    against its pack; a runner.UnitRun with one result per lane (its "module" added)."""
    if unit not in ("lut_decode", "lut_mul"):
        raise ValueError(f"run_bank: lookup units only (lut_decode, lut_mul), got {unit!r}")
    if not lanes:
        raise ValueError("no packs to run")
    records = [manifests.verify(p) for p, _ in lanes]
    if len({json.dumps(r["fields"]) for r in records}) != 1 or any(r["unit"] != unit for r in records):
        raise ValueError(f"packs of one bank must be {unit} packs with one field layout")
    missing = [str(s) for s in sources if not Path(s).is_file()]
    if missing:
        raise ValueError(f"RTL source not found: {', '.join(missing)}")
    contract = CONTRACTS[unit]
    widths = port_widths(contract, records[0])
    modules = [m for _, m in lanes]
    top = f"tb_{unit}_bank"
    sources = [Path(s).resolve() for s in sources]
    key = {"unit": unit, "modules": modules, "widths": widths, "waves": waves_requested(),
           "sources": [(str(s), hashlib.sha256(s.read_bytes()).hexdigest()) for s in sources]}
    bdir = build_dir(sim, top, key)
    bdir.mkdir(parents=True, exist_ok=True)
    with open(bdir / ".lock", "a") as lock:        # runs of one build folder take turns (runner.py)
        fcntl.flock(lock, fcntl.LOCK_EX)
        wrapper = bdir / f"{top}.v"
        wrapper.write_text(bank_verilog(unit, modules, widths, top))
        results_path = bdir / "fp4ref_results.jsonl"
        results_path.unlink(missing_ok=True)
        env = {"FP4REF_UNIT": unit, "FP4REF_RESULTS": str(results_path),
               "FP4REF_MAX_MISMATCHES": str(max_mismatches),
               BANK_ENV: json.dumps([{"pack": str(Path(p).resolve()), "module": m} for p, m in lanes])}
        cycles = 1 << sum(widths[p] for p in contract.lane_inputs)
        return UnitRun.of(sim, bdir, results_path, lambda: run_bench(
            contract.bench, top, sources + [wrapper], sim, extra_env=env, bdir=bdir, includes=[RTL],
            vectors=cycles))


# ------------------------------------------------------------------------------ in simulator

async def run_bank_packs(dut) -> None:
    """Drive every value of the shared inputs once; check instance k against pack k."""
    unit = os.environ["FP4REF_UNIT"]
    lanes = json.loads(os.environ[BANK_ENV])
    max_mismatches = int(os.environ.get("FP4REF_MAX_MISMATCHES", "10"))
    contract = CONTRACTS[unit]
    packs = [load(lane["pack"]) for lane in lanes]
    record0 = packs[0][0]
    widths = port_widths(contract, record0)
    names = [f["name"] for f in record0["fields"]]
    in_ports = list(contract.lane_inputs)
    in_fields = [resolve(contract.lane_inputs[p], names) for p in in_ports]
    for port, fields in zip(in_ports, in_fields):
        if len(fields) != 1 or len(getattr(dut, port)) != widths[port]:
            raise AssertionError(f"bank input {port}: one field of {widths[port]} bits expected")
    checked = {p: f for p, f in contract.lane_outputs.items() if f}
    for port in checked:
        have = len(getattr(dut, port))
        if have != len(lanes) * widths[port]:
            raise AssertionError(f"bank output {port} is {have} bits, {len(lanes)} x {widths[port]} expected")
    # every combination of the inputs, the first port in the low bits of the cycle number
    total = sum(widths[p] for p in in_ports)
    start = time.perf_counter()
    stimulus, at = [], 0
    for port in in_ports:
        stimulus.append((getattr(dut, port), [(n >> at) & ((1 << widths[port]) - 1) for n in range(1 << total)]))
        at += widths[port]
    words = await stream(stimulus, [getattr(dut, p) for p in checked], 0, 1 << total, heart=Heartbeat(),
                         tag="bank", count=1 << total)
    raw = dict(zip(checked, words))
    seconds = time.perf_counter() - start
    log = dut._log
    total_bad = 0
    with open(os.environ["FP4REF_RESULTS"], "a") as results:
        for k, ((record, cols), lane) in enumerate(zip(packs, lanes)):
            count = record["count"]
            index = np.zeros(count, np.int64)
            at = 0
            for port, (field,) in zip(in_ports, in_fields):
                index |= cols[field].astype(np.int64) << at
                at += widths[port]
            bad = np.zeros(count, bool)
            got = {}
            for port, field in checked.items():
                w = widths[port]
                words = [raw[port][i] for i in index.tolist()]
                got[field] = np.array([(v >> (k * w)) & ((1 << w) - 1) for v in words], np.uint64)
                bad |= got[field] != cols[field].astype(np.uint64)
            n_bad = int(bad.sum())
            inputs = [f for fields in in_fields for f in fields]
            lines = [describe_mismatch(record, int(i), {f: int(cols[f][i]) for f in inputs},
                                       {f: int(cols[f][i]) for f in got}, {f: int(got[f][i]) for f in got})
                     for i in np.flatnonzero(bad)[:max_mismatches]]
            name = os.path.basename(os.path.normpath(lane["pack"]))
            for line in lines:
                log.error(f"{lane['module']} ({name}): {line}")
            total_bad += n_bad
            log.info(f"{lane['module']} ({name}): {count} vectors, {n_bad} mismatches")
            results.write(json.dumps({"pack": name, "module": lane["module"], "count": count,
                                      "mismatches": n_bad, "seconds": seconds / len(lanes),
                                      "first": lines}) + "\n")
    assert total_bad == 0, f"{total_bad} mismatching vectors"


@cocotb.test()
async def lut_decode_packs_match(dut):
    if os.environ.get(BANK_ENV):
        await run_bank_packs(dut)
    else:
        await run_packs(dut)
