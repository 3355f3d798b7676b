"""cocotb bench of a DUT file (docs/byo_rtl.md): the packs through a user's design as it is, in
its timing (comb, pipeline, handshake, accumulate, cycle), behind the glue of rtl_tb.dut_wrapper.

Every expected bit comes from the packs. The design's outputs are read raw and put into the
contract's terms exactly (a scale divided out only when it divides, a width checked, float bits
widened to float32), then compared with the pack's fields with ==. Configuration arrives as
JSON in FP4REF_DUT (rtl_tb.dut_run writes it); results go to FP4REF_RESULTS, one JSON line per
pack, as the unit benches write them.
"""
from __future__ import annotations

import json
import os
import random
import time

import cocotb
import numpy as np
from cocotb.triggers import Timer

from fp4ref.golden.mac_pack import signed, twos
from fp4ref.golden.pack import load

from .contracts import shared_values
from .drive import Heartbeat, clocked, read_bits, stream
from .lanes import pack_lanes, unpack_lanes, vector_bits
from .mismatches import MISMATCH_DIR, write_mismatches
from .report import describe_mismatch


@cocotb.test()
async def dut_packs_match(dut):
    cfg = json.loads(os.environ["FP4REF_DUT"])
    heart = Heartbeat()
    total_bad = 0
    with open(cfg["results"], "a") as results:
        for pack_dir in cfg["packs"]:
            name = os.path.basename(os.path.normpath(pack_dir))
            heart.beat(name, 0, 0, force=True)
            record, cols = load(pack_dir)
            count = record["count"]
            heart.beat(name, 0, count, force=True)
            start = time.perf_counter()
            got, xbad, error = await DRIVERS[cfg["kind"]](dut, cfg, record, cols, heart, name)
            seconds = time.perf_counter() - start
            if cfg["kind"] == "cycle" and "reset" not in cfg["roles"] and "clr" in cols:
                # no reset: the state before the first clear is the design's own (X or garbage)
                first = int(np.flatnonzero(cols["clr"])[0]) if cols["clr"].any() else 0
                xbad = None if xbad is None else xbad.copy()
                if xbad is not None:
                    xbad[:first] = False
                cols = {k: v.copy() for k, v in cols.items()}
                got = _trust_before(got, cols, first)
            bad, lines, converted = compare(cfg, record, cols, got, xbad, cfg["max_mismatches"] - total_bad)
            if error:
                lines = [error] + lines
            n_bad = int(bad.sum())
            record_csv = {}
            missing = got.get("#missing", count)
            if n_bad and missing == count:
                # every mismatch, in the contract's terms (fields the design lacks: as expected)
                outs = [f["name"] for f in record["fields"] if f["role"] == "output"]
                ins = [f["name"] for f in record["fields"] if f["role"] == "input"]
                given = {f: converted[f] for f in outs if f in converted}   # the design's outputs only
                csv_path = os.path.join(os.path.dirname(cfg["results"]), MISMATCH_DIR, f"{name}.csv")
                write_mismatches(csv_path, np.flatnonzero(bad), {f: cols[f] for f in ins},
                                 {f: cols[f] for f in outs}, given)
                record_csv = {"csv": csv_path, "dir": pack_dir}
            for line in lines:
                dut._log.error(line)
            total_bad += n_bad + (1 if error else 0)
            dut._log.info(f"{name}: {count} vectors, {n_bad} mismatches, {count / max(seconds, 1e-9):,.0f} vectors/s")
            results.write(json.dumps({"pack": name, "count": count, "mismatches": n_bad, "seconds": seconds,
                                      "first": lines, "error": error, **record_csv}) + "\n")
            results.flush()
            if total_bad >= cfg["max_mismatches"] or error:
                break
    assert total_bad == 0, f"{total_bad} mismatching vectors"


def _trust_before(got: dict, cols: dict, first: int) -> dict:
    """The outputs read before vector ``first`` replaced by the pack's (not compared)."""
    out = dict(got)
    for f, v in got.items():
        if f in cols and isinstance(v, np.ndarray) and len(v) >= first:
            out[f] = v.copy()
            out[f][:first] = cols[f][:first].astype(v.dtype)
    return out


# ---- stimulus ---------------------------------------------------------------------------------
def input_bits(cfg: dict, record: dict, cols: dict) -> dict[str, np.ndarray]:
    """(count, bits per vector) of each input field: its pack fields side by side (lane 0 in the
    low bits), a code map applied, the shared fields from the pack's options."""
    fields = {f["name"]: f for f in record["fields"]}
    count = record["count"]
    out = {}
    for name, spec in cfg["inputs"].items():
        if name in ("mode", "sat") and name not in fields:      # the contract's mode_i, sat_i
            value = shared_values(cfg["unit"], record["options"])[f"{name}_i"]
            out[name] = vector_bits([np.full(count, value, np.uint64)], [spec["width"]], spec["width"], count)
            continue
        columns = []
        for f in spec["pack_fields"]:
            col = cols[f]
            if spec["map"] is not None:
                col = np.asarray(spec["map"], np.uint64)[col.astype(np.intp)]
            columns.append(col)
        widths = [fields[f]["width"] for f in spec["pack_fields"]]
        if spec.get("lane_width"):
            widths = [spec["lane_width"]] * len(widths)
        out[name] = vector_bits(columns, widths, spec["total"], count)
    return out


async def _reset(dut, cfg, step) -> None:
    """Hold reset (if any) for two cycles, enable high, clear inactive; then release reset."""
    t = cfg["timing"]
    if "enable" in cfg["roles"]:
        dut.c_enable.value = 1
    if "clear" in cfg["roles"]:
        dut.c_clear.value = 0 if t["clear_active"] == "high" else 1
    if "in_valid" in cfg["roles"]:
        dut.c_in_valid.value = 0
    if "out_ready" in cfg["roles"]:
        dut.c_out_ready.value = 0
    if "reset" in cfg["roles"]:
        active = 1 if t["reset_active"] == "high" else 0
        dut.c_reset.value = active
        await Timer(1, "ns")
        for _ in range(2):
            await step()
        dut.c_reset.value = 1 - active
        await Timer(1, "ns")


def _handles(dut, cfg) -> tuple[list, list[str]]:
    names = list(cfg["outputs"])
    return [getattr(dut, f"g_{n}") for n in names], names


async def drive_comb(dut, cfg, record, cols, heart, name):
    copies, count = cfg["copies"], record["count"]
    bits = input_bits(cfg, record, cols)
    stimulus = [(getattr(dut, f"f_{n}"), pack_lanes(b, copies)) for n, b in bits.items()]
    outs, names = _handles(dut, cfg)
    xmask: dict = {}
    raw = await stream(stimulus, outs, 0, len(stimulus[0][1]), heart=heart, tag=name, copies=copies,
                       count=count, xmask=xmask)
    return _unlane(cfg, names, raw, xmask, copies, count), _xlanes(cfg, names, xmask, copies, count), None


def gapped(cfg, words: list[list[int]], drain: list[int], n_drain: int) -> tuple[list[list[int]], list[int]]:
    """Per-input words per cycle, the enable's words last, and the cycles whose edges are enabled.
    The real words, then ``n_drain`` cycles of the ``drain`` words (to flush the latency). With a
    clock enable, seeded idle cycles (enable low, the other inputs earlier words: garbage the
    design must not take) come between them, so a design that ignores its enable shows."""
    t = cfg["timing"]
    n = len(words[0])
    gaps = t.get("gaps", 0) if "enable" in cfg["roles"] else 0
    rng = random.Random(t.get("seed", 1))
    out = [[] for _ in words] + [[]]
    enabled = []
    for c in range(n + n_drain):
        while gaps and rng.random() < gaps:
            junk = rng.randrange(n)
            for k, w in enumerate(words):
                out[k].append(w[junk])
            out[-1].append(0)
        for k, w in enumerate(words):
            out[k].append(w[c] if c < n else drain[k])
        out[-1].append(1)
        enabled.append(len(out[-1]) - 1)
    return out, enabled


async def _clocked_stream(dut, cfg, words, drain, n_drain, heart, name, copies, count):
    """Stream ``words`` [(handle, per-cycle words)] through a clocked design with enable gaps;
    the raw outputs and X masks after each enabled edge, in order."""
    cycles, enabled = gapped(cfg, [w for _, w in words], drain, n_drain)
    stimulus = list(zip([h for h, _ in words], cycles))
    if "enable" in cfg["roles"]:
        stimulus.append((dut.c_enable, cycles[-1]))
    outs, names = _handles(dut, cfg)
    xmask: dict = {}
    raw = await stream(stimulus, outs, 0, len(cycles[-1]), step=clocked(dut.c_clock), heart=heart,
                       tag=name, copies=copies, count=count, xmask=xmask)
    return names, [[r[c] for c in enabled] for r in raw], {k: xmask[c] for k, c in enumerate(enabled)
                                                          if c in xmask}


async def drive_pipeline(dut, cfg, record, cols, heart, name):
    copies, count = cfg["copies"], record["count"]
    latency = cfg["timing"]["latency"]
    await _reset(dut, cfg, clocked(dut.c_clock))
    bits = input_bits(cfg, record, cols)
    words = [(getattr(dut, f"f_{n}"), pack_lanes(b, copies)) for n, b in bits.items()]
    # the inputs of enabled edge t are in the outputs after enabled edge t + latency - 1
    names, raw, xmask = await _clocked_stream(dut, cfg, words, [w[-1] for _, w in words], latency - 1,
                                              heart, name, copies, count)
    raw = [r[latency - 1:] for r in raw]
    xmask = {c - (latency - 1): m for c, m in xmask.items() if c >= latency - 1}
    return _unlane(cfg, names, raw, xmask, copies, count), _xlanes(cfg, names, xmask, copies, count), None


async def drive_accumulate(dut, cfg, record, cols, heart, name):
    """One pair group per enabled cycle, never cleared between vectors (the pack is chained: each
    vector's acc_in is the last one's acc); the accumulator read ``latency`` - 1 enabled edges
    after each vector's last group."""
    t, count = cfg["timing"], record["count"]
    latency, lanes, per = t["latency"], cfg["lanes"], t["pairs_per_cycle"]
    groups = lanes // per
    step = clocked(dut.c_clock)
    await _reset(dut, cfg, step)
    clear_on = 1 if t["clear_active"] == "high" else 0
    dut.c_clear.value = clear_on                       # one clearing edge, then never again
    await step()
    dut.c_clear.value = 1 - clear_on
    bits = input_bits(cfg, record, cols)
    words = []
    for n, b in bits.items():                           # (count, lanes*w) -> a row per cycle
        w = b.shape[1] // groups
        words.append((getattr(dut, f"f_{n}"), pack_lanes(b.reshape(count * groups, w), 1)))
    names, raw, xmask = await _clocked_stream(dut, cfg, words, [0] * len(words), latency - 1, heart, name,
                                              1, count * groups)       # zero pairs add nothing
    picks = [k * groups + groups - 1 + latency - 1 for k in range(count)]
    raw = [[r[i] for i in picks] for r in raw]
    xm = {k: xmask[i] for k, i in enumerate(picks) if i in xmask}
    return _unlane(cfg, names, raw, xm, 1, count), _xlanes(cfg, names, xm, 1, count), None


async def drive_handshake(dut, cfg, record, cols, heart, name):
    """valid/ready on both sides, one vector per transfer; seeded random idle input cycles
    (``gaps``) and output backpressure (``backpressure``). The input holds valid and data until
    the design takes them. Ends with an error naming the signal that never rose when no
    transfer happens for ``max_wait`` cycles."""
    t, count = cfg["timing"], record["count"]
    rng = random.Random(t["seed"])
    step = clocked(dut.c_clock)
    await _reset(dut, cfg, step)
    bits = input_bits(cfg, record, cols)
    words = {n: pack_lanes(b, 1) for n, b in bits.items()}
    handles_in = {n: getattr(dut, f"f_{n}") for n in words}
    outs, names = _handles(dut, cfg)
    raw = [[] for _ in outs]
    xmask: dict = {}
    sent = idle = cycle = 0
    valid = False
    while len(raw[0]) < count:
        if not cycle & 63:
            heart.beat(name, len(raw[0]), count)
        if not valid and sent < count and rng.random() >= t["gaps"]:
            valid = True
            for n, h in handles_in.items():
                h.value = words[n][sent]
        ready = rng.random() >= t["backpressure"]
        dut.c_in_valid.value = int(valid)
        dut.c_out_ready.value = int(ready)
        dut.c_clock.value = 0
        await Timer(1, "ns")
        took = valid and read_bits(dut.s_in_ready) == (1, 0)      # X or Z: not taken
        gave = ready and read_bits(dut.s_out_valid) == (1, 0)
        if gave:
            if len(raw[0]) >= sent + (1 if took else 0):
                return _partial(cfg, names, raw, xmask, count), None, (
                    f"protocol: out_valid rose with no input in flight after {len(raw[0])} outputs "
                    f"(a duplicated or invented output)")
            for k, h in enumerate(outs):
                value, bad = read_bits(h)
                raw[k].append(value)
                if bad:
                    xmask.setdefault(len(raw[k]) - 1, {})[k] = bad
        dut.c_clock.value = 1
        await Timer(1, "ns")
        if took:
            sent += 1
            valid = False
        idle = 0 if (took or gave) else idle + 1
        if idle > t["max_wait"]:
            who = (f"in_ready ({cfg['ports']['in_ready']}) stayed low with in_valid high" if valid
                   else f"out_valid ({cfg['ports']['out_valid']}) never rose for the "
                        f"{sent - len(raw[0])} input(s) in flight")
            return _partial(cfg, names, raw, xmask, count), None, (
                f"TIMEOUT: the handshake never completed: {who} for {t['max_wait']} cycles, after "
                f"{sent} vectors in and {len(raw[0])} out")
        cycle += 1
    return _unlane(cfg, names, raw, xmask, 1, count), _xlanes(cfg, names, xmask, 1, count), None


def _partial(cfg, names, raw, xmask, count):
    """The outputs so far, padded: the vectors never produced count as mismatches."""
    got = _unlane(cfg, names, [r + [0] * (count - len(r)) for r in raw], xmask, 1, count)
    got["#missing"] = len(raw[0])
    return got


#: cycle: a clocked design with state, one copy, one pack vector per enabled edge in pack order:
#: the pipeline driver with copies = 1 (outputs read ``latency`` - 1 enabled edges later)
DRIVERS = {"comb": drive_comb, "pipeline": drive_pipeline, "handshake": drive_handshake,
           "accumulate": drive_accumulate, "cycle": drive_pipeline}


def _unlane(cfg, names, raw, xmask, copies, count) -> dict[str, np.ndarray]:
    """Per pack field, the raw bits of its lane (an output of L lanes: L values per copy)."""
    got = {}
    for k, n in enumerate(names):
        out = cfg["outputs"][n]
        per = out["lanes"]
        values = unpack_lanes(raw[k], out["width"], copies * per, count * per).reshape(-1, per)
        for j, f in enumerate(out["pack_fields"]):
            got[f] = values[:, j]
    return got


def _xlanes(cfg, names, xmask, copies, count) -> np.ndarray:
    """Vectors whose outputs had an X or Z bit."""
    bad = np.zeros(count, bool)
    for cycle, ports in xmask.items():
        for k, mask in ports.items():
            w = cfg["outputs"][names[k]]["width"] * cfg["outputs"][names[k]]["lanes"]
            for lane in range(copies):
                if (mask >> (lane * w)) & ((1 << w) - 1) and cycle * copies + lane < count:
                    bad[cycle * copies + lane] = True
    return bad


# ---- comparison -------------------------------------------------------------------------------
def to_field(raw: np.ndarray, out: dict, field: dict) -> tuple[np.ndarray, np.ndarray]:
    """The design's raw output bits in the contract's terms: (field bits, representable?)."""
    width, fw = out["width"], field["width"]
    raw = raw.astype(np.uint64)
    if out["float"]:
        if out["float"] == "float32":
            bits = raw
        elif out["float"] == "float16":
            bits = raw.astype(np.uint16).view(np.float16).astype(np.float32).view(np.uint32).astype(np.uint64)
        else:
            bits = (raw << np.uint64(16)) & np.uint64(0xFFFFFFFF)
        return bits, np.ones(len(raw), bool)
    reads_signed = field["signed"] if out["signed"] is None else out["signed"]
    v = signed(raw, width) if reads_signed else raw.astype(np.int64)      # widths <= 63 (dut_wrapper)
    q, rem = np.divmod(v, out["scale"])
    lo, hi = (-(1 << (fw - 1)), (1 << (fw - 1)) - 1) if field["signed"] else (0, (1 << fw) - 1)
    return twos(q, fw), (rem == 0) & (q >= lo) & (q <= hi)


def compare(cfg, record, cols, got, xbad, room: int):
    """(bad vectors, report lines): every checked pack field of every output, in the contract's
    terms (to_field), against the pack; an output of several lanes is one pack field per lane."""
    fields = {f["name"]: f for f in record["fields"]}
    count = record["count"]
    bad = np.zeros(count, bool) if xbad is None else xbad.copy()
    converted, notes = {}, {}
    missing = got.get("#missing", count)
    checked = [(n, f) for n, out in cfg["outputs"].items() for f in out["pack_fields"]]
    for name, f in checked:
        out = cfg["outputs"][name]
        bits, ok = to_field(got[f], out, fields[f])
        expect = cols[f].astype(np.uint64)
        if out["float"]:
            e = expect.astype(np.uint32).view(np.float32)
            g = bits.astype(np.uint32).view(np.float32)
            same = (bits == expect) | (np.isnan(e) & np.isnan(g))
        else:
            same = bits == expect
        bad |= ~(same & ok)
        converted[f] = bits
        notes[f] = ok
    bad[missing:] = True
    inputs = [f for spec in cfg["inputs"].values() for f in spec["pack_fields"] if f in fields]
    lines = []
    for i in np.flatnonzero(bad)[:max(0, room)]:
        i = int(i)
        if i >= missing:
            lines.append(f"vector {i}: no output (the design produced {missing} of {count})")
            continue
        line = describe_mismatch(record, i, {f: int(cols[f][i]) for f in inputs},
                                 {f: int(cols[f][i]) for _, f in checked},
                                 {f: int(converted[f][i]) for _, f in checked})
        extra = []
        for n, out in cfg["outputs"].items():
            port = cfg["ports"][n]
            if xbad is not None and xbad[i]:
                extra.append(f"{port} has X/Z bits")
                continue
            for j, f in enumerate(out["pack_fields"]):
                at = port if out["lanes"] == 1 else f"{port} lane {j}"
                if not notes[f][i]:
                    extra.append(f"{at} = {int(got[f][i]):#x} is not {out['scale']} x a {fields[f]['width']}-bit "
                                 f"field value")
                elif out["scale"] != 1 or out["float"]:
                    extra.append(f"{at} = {int(got[f][i]):#x}")
        lines.append(line.rstrip() + (f" [{'; '.join(extra)}]" if extra else ""))
    return bad, lines, converted
