"""Runnable answers to the LLM-FP4 users' questions (llm-fp4.md §6, the seed's issues #4, #9, #5,
#7, #3): each answer computes its numbers with the library, so `fp4ref llmfp4 answer X` and the
tests print and check the same thing."""
from __future__ import annotations

import numpy as np
import torch

from fp4ref import emu
from fp4ref.mac import worst_case_width
from fp4ref.mac.width import check_accumulator

from . import lfp4_int
from .lfp4 import fake_quant, per_element_step

QUESTIONS = ("a", "b", "c", "d", "e")


def answer_a() -> str:
    """Why do a_scale entries differ if activations are per tensor?"""
    x = torch.tensor([0.3, 1.0, 2.5, 5.0, -5.0])
    steps = per_element_step(x, 2, 1, torch.tensor(1.0)).tolist()
    shown = [round(v, 6) for v in x.tolist()]
    return "\n".join([
        "(a) a_scale is the per-element step 2^(L - m - bias), not a per-tensor scale: L is each",
        "    element's own binade. E2M1 with one tensor-wide bias 1:",
        f"    x = {shown}  ->  step = {steps}",
        "    Under FPQ the bias is also per channel: rho + b_j with integer offsets b_j in 0..2^e - 1",
        "    (fp4ref llmfp4 export shows them per layer).",
    ])


def answer_b(b_real: float = 1.3) -> str:
    """Eq. 8 and 2^-b when saving codes."""
    x = np.array([0.07, 0.4, -1.3, 2.2, 3.9])
    codes = lfp4_int.encode(x, 2, 1, b_real)                       # the 4-bit codes to store
    fake = fake_quant(torch.tensor(x), 2, 1, torch.tensor(b_real)).double().numpy()
    ocp = emu.decode(codes, "e2m1")                                 # an OCP E2M1 decoder (bias 1)
    right = ocp * lfp4_int.pow2(1 - b_real)
    wrong = ocp * lfp4_int.pow2(-b_real)
    exact = lfp4_int.decode(codes, 2, 1, b_real)
    return "\n".join([
        "(b) What goes to disk is the code of t = x * 2^b~ on the bias-0 grid. Read by a standard",
        "    decoder with integer bias b (OCP E2M1: b = 1), the stored scale must be 2^(b - b~):",
        f"    b~ = {b_real}, x = {x.tolist()}",
        f"    codes = {[hex(c) for c in codes]}",
        f"    fake-quant          = {np.round(fake, 6).tolist()}",
        f"    OCP decode * 2^(1-b~) = {np.round(right, 6).tolist()}  (the integer-exact values "
        f"bit for bit: {np.array_equal(right, exact)}; the float32 fake-quant to 1e-6: "
        f"{np.allclose(right, fake, rtol=1e-6)})",
        f"    OCP decode * 2^(-b~)  = {np.round(wrong, 6).tolist()}  (half: the 2^-b alone is wrong)",
    ])


def distinct_values(e: int, m: int, rho: float = 0.0) -> int:
    """Distinct values 2^-(rho + b) * S(e, m) over the offsets b in 0..2^e - 1 (exact)."""
    grid = lfp4_int.grid_format(e, m)
    codes = np.arange(grid.n_codes)
    values = set()
    for b in range((1 << e)):
        values |= set(lfp4_int.decode(codes, e, m, rho + b).tolist())
    return len({0.0 if v == 0 else v for v in values})


def answer_c() -> str:
    counts = {f"E{e}M{m}": distinct_values(e, m) for e, m in ((2, 1), (1, 2), (3, 0))}
    return "\n".join([
        "(c) A per-tensor real rho plus integer channel offsets b_j makes the tensor a union of 2^e",
        "    shifted copies of the grid; each channel alone still has at most 15 values.",
        f"    at most {counts['E2M1']} distinct values for E2M1 (25 fits), {counts['E1M2']} for E1M2, "
        f"{counts['E3M0']} for E3M0",
    ])


def answer_d() -> str:
    lines = ["(d) A 16-lane int5-mapped E2M1 MAC with a 13-bit accumulator:"]
    for shift_max in (0, 3):
        bound = worst_case_width("e2m1", "e2m1", 16, shift_max)
        lines += ["    " + line for line in bound.explain().splitlines()]
        lines.append("  " + check_accumulator(bound, 13))
    return "\n".join(lines)


def answer_e(n: int = 20, rounds: int = 2) -> str:
    from .experiment import run, table
    from .search import SearchConfig
    cfg = SearchConfig(n=n, rounds=rounds)
    plain = run(("fpq",), cfg)
    with_attn = run(("fpq",), cfg, attention=True)
    return "\n".join([
        "(e) The two attention matmuls (QK^T, softmax.V) quantized to E2M1 as well, with static",
        "    biases from calibration maxima (Q, K, P per tensor; V per head-dim channel),",
        f"    on all-MiniLM-L6-v2 (FPQ search n = {n}, {rounds} rounds):",
        *["    " + line for line in table(plain + with_attn).splitlines()],
    ])


ANSWERS = {"a": answer_a, "b": answer_b, "c": answer_c, "d": answer_d, "e": answer_e}
