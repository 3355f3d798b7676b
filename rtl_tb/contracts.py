"""DATA: the port contract of each unit (docs/rtl_contract.md) and how pack fields map to ports.

Lane ports are replicated LANES times by the wrapper (lane i at bits [i*w, (i+1)*w) of a flat
port); shared ports carry one value per pack, taken from the pack's options.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from emu.round import MODES


@dataclass(frozen=True)
class Contract:
    unit: str
    module: str                                   #: the reference RTL module
    sources: tuple[str, ...]                      #: reference RTL files under rtl/
    lane_inputs: dict[str, str]                   #: port -> pack field
    lane_outputs: dict[str, str]                  #: port -> pack field
    shared_inputs: dict[str, int] = field(default_factory=dict)   #: port -> width


def shared_values(unit: str, options: dict) -> dict[str, int]:
    """Values of the shared ports for a pack's options."""
    if unit == "encode":
        return {"mode_i": MODES.index(options["rounding"]),
                "sat_i": 1 if options["overflow"] == "saturate" else 0}
    return {}


CONTRACTS = {
    "encode": Contract(
        unit="encode", module="fp4_encode", sources=("fp4_round.v", "fp4_encode.v"),
        lane_inputs={"x_i": "x", "rand_i": "rand"},
        lane_outputs={"code_o": "code", "flags_o": "flags"},
        shared_inputs={"mode_i": 3, "sat_i": 1}),
    "decode": Contract(
        unit="decode", module="fp4_decode", sources=("fp4_decode.v",),
        lane_inputs={"code_i": "code"},
        lane_outputs={"int_o": "int", "f32_o": "f32", "is_nan_o": "nan", "is_inf_o": "inf"}),
}
