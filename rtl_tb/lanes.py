"""Copies of a unit behind flat ports, and the numpy <-> wide-integer packing.

The wrapper is testbench glue generated per build (the DUT itself is never generated): lane i
of a w-bit port sits at bits [i*w, (i+1)*w) of the flat port. Packing whole packs at once into
per-cycle integers keeps Python work per cycle to a few assignments (DEVELOPERS.md: lanes are
the lever).
"""
from __future__ import annotations

import numpy as np

from .contracts import Contract



def wrapper_verilog(contract: Contract, widths: dict[str, int], lanes: int, dut_module: str,
                    dut_params: dict[str, int], top: str) -> str:
    """Verilog of the lane wrapper ``top`` around ``dut_module`` (widths: port -> bits per lane)."""
    ports = [f"    input  wire {p}" for p in contract.clock or ()]
    for port in contract.lane_inputs:
        ports.append(f"    input  wire [{lanes * widths[port] - 1}:0] {port}")
    for port, width in contract.shared_inputs.items():
        ports.append(f"    input  wire [{width - 1}:0] {port}")
    for port in contract.lane_outputs:
        ports.append(f"    output wire [{lanes * widths[port] - 1}:0] {port}")
    params = ", ".join(f".{k}({v})" for k, v in dut_params.items())
    connections = []
    for port in list(contract.lane_inputs) + list(contract.lane_outputs):
        w = widths[port]
        connections.append(f"            .{port}({port}[i*{w} +: {w}])")
    connections += [f"            .{port}({port})" for port in list(contract.shared_inputs) + list(contract.clock or ())]
    return "\n".join([
        "`timescale 1ns / 1ps",
        "`default_nettype none",
        f"// {lanes} lanes of {dut_module} for the fp4ref {contract.unit} bench (generated glue)",
        f"module {top} (",
        ",\n".join(ports),
        ");",
        "    genvar i;",
        "    generate",
        f"        for (i = 0; i < {lanes}; i = i + 1) begin : gen_lane",
        f"            {dut_module} {'#(' + params + ') ' if params else ''}u_dut (",
        ",\n".join("    " + c for c in connections),
        "            );",
        "        end",
        "    endgenerate",
        "endmodule",
        "`default_nettype wire",
        "",
    ])


def field_bits(values: np.ndarray, width: int) -> np.ndarray:
    """(count, width) bits of each value, bit 0 first (Python ints for fields over 64 bits)."""
    if width > 64 or values.dtype == object:
        return np.array([[(int(v) >> k) & 1 for k in range(width)] for v in values], np.uint8)
    v = values.astype(np.uint64)
    return ((v[:, None] >> np.arange(width, dtype=np.uint64)) & np.uint64(1)).astype(np.uint8)


def vector_bits(columns: list[np.ndarray], widths: list[int], total: int, count: int) -> np.ndarray:
    """(count, total) bits of one port per vector: the fields concatenated, first in the LSBs,
    zeros above (a port no field fills is all zeros)."""
    out = np.zeros((count, total), np.uint8)
    at = 0
    for col, w in zip(columns, widths):
        out[:, at:at + w] = field_bits(col, w)
        at += w
    if at > total:
        raise ValueError(f"fields of {at} bits do not fit a {total}-bit port")
    return out


def port_bits(contract: Contract, port: str, fields: list[str], cols: dict, field_w: dict[str, int],
              total: int, count: int) -> np.ndarray:
    """(count, total) bits of one lane input port: its pack fields (vector_bits), or all ones
    when no field fills a port the contract says is ignored (Contract.idle_ones)."""
    if not fields and port in contract.idle_ones:
        return np.ones((count, total), np.uint8)
    return vector_bits([cols[f] for f in fields], [field_w[f] for f in fields], total, count)


def pack_lanes(bits: np.ndarray, copies: int) -> list[int]:
    """Per-cycle integers: ``copies`` vectors per cycle (padded by repeating the last one),
    vector i of a cycle at bits [i*w, (i+1)*w)."""
    n, width = bits.shape
    cycles = -(-n // copies)
    padded = np.concatenate([bits, np.repeat(bits[-1:], cycles * copies - n, axis=0)])
    rows = np.packbits(padded.reshape(cycles, copies * width), axis=1, bitorder="little")
    return [int.from_bytes(row.tobytes(), "little") for row in rows]


def unpack_lanes(words: list[int], width: int, copies: int, count: int) -> np.ndarray:
    """Inverse of pack_lanes for one output port: the first ``count`` values as uint64 (as
    Python ints in an object array when a lane is wider than 64 bits)."""
    if width > 64:
        mask = (1 << width) - 1
        return np.array([(w >> (i * width)) & mask for w in words for i in range(copies)][:count], dtype=object)
    nbytes = (copies * width + 7) // 8
    raw = np.frombuffer(b"".join(w.to_bytes(nbytes, "little") for w in words), np.uint8)
    bits = np.unpackbits(raw.reshape(len(words), nbytes), axis=1, bitorder="little")
    bits = bits[:, :copies * width].reshape(-1, width).astype(np.uint64)
    return (bits << np.arange(width, dtype=np.uint64)).sum(axis=1, dtype=np.uint64)[:count]
