"""Throughput measurements of `make bench` (`fp4ref bench`): emu.encode beside ml_dtypes' and
torch's casts on one thread, and the exact E2M1 layer GEMM (mac.gemm) beside torch.matmul in
float32 on every core. Every figure is the best of ``repeat`` runs over the same seeded arrays.

Speed claims live here and in the command, never in unit tests: the command prints these
figures and their ratios.
"""
from __future__ import annotations

import os
import time

import ml_dtypes
import numpy as np

from fp4ref.emu import encode

SEED = 20261124
MAX_SIZE = 1 << 28     #: elements per run at most: 2^28 float32 values are 1 GiB before any copy

#: the casts measured, in the order cast_rates returns them
CASTS = ("fp4ref  float32 -> e2m1 (rne, saturate)", "ml_dtypes float32 -> float4_e2m1fn",
         "fp4ref  float32 -> e4m3 (rne, saturate)", "ml_dtypes float32 -> float8_e4m3fn",
         "torch   float32 -> float8_e4m3fn")
#: the GEMMs measured, in the order gemm_times returns them
GEMMS = ("fp4ref exact E2M1 GEMM (codes -> int64 acc)", "fp4ref exact E2M1 GEMM, float32 path",
         "torch.matmul float32")


def best_rate(fn, n: int, repeat: int) -> float:
    """``n`` divided by the best of ``repeat`` timed calls of ``fn`` (after one untimed call that
    builds the tables and faults the pages in)."""
    fn()
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return n / best


def cast_rates(n: int, repeat: int) -> dict[str, float]:
    """Values per second of each cast of CASTS over the same ``n`` seeded float32 values, one
    torch thread."""
    import torch

    torch.set_num_threads(1)
    x = (np.random.default_rng(SEED).standard_normal(n) * 3).astype(np.float32)
    xt = torch.from_numpy(x)
    casts = (lambda: encode(x, "e2m1"), lambda: x.astype(ml_dtypes.float4_e2m1fn),
             lambda: encode(x, "e4m3"), lambda: x.astype(ml_dtypes.float8_e4m3fn),
             lambda: xt.to(torch.float8_e4m3fn))
    return {name: best_rate(fn, n, repeat) for name, fn in zip(CASTS, casts)}


def gemm_times(size: int, repeat: int) -> tuple[dict[str, float], int]:
    """Seconds of each GEMM of GEMMS on seeded ``size`` x ``size`` operands (E2M1 codes for
    fp4ref, standard normal float32 for torch), and the torch threads they ran on (every core)."""
    import torch

    from .gemm import gemm

    torch.set_num_threads(os.cpu_count() or 1)
    rng = np.random.default_rng(SEED)
    cx = rng.integers(0, 16, (size, size), dtype=np.uint8)
    cw = rng.integers(0, 16, (size, size), dtype=np.uint8)
    a = torch.from_numpy(rng.standard_normal((size, size), dtype=np.float32))
    b = torch.from_numpy(rng.standard_normal((size, size), dtype=np.float32))
    runs = (lambda: gemm(cx, cw, "e2m1", "e2m1"), lambda: gemm(cx, cw, "e2m1", "e2m1", path="float32"),
            lambda: torch.matmul(a, b.T))
    times = {name: size ** 3 / best_rate(fn, size ** 3, repeat) for name, fn in zip(GEMMS, runs)}
    return times, torch.get_num_threads()
