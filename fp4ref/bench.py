"""`make bench`: encode throughput beside ml_dtypes and torch casts in the same run, as ratios.

Speed claims live here, never in unit tests. Every figure is the best of --repeat runs over the
same seeded float32 array.
"""
from __future__ import annotations

import os
import platform
import time

import ml_dtypes
import numpy as np

from emu import encode

SEED = 20261124
MAX_SIZE = 1 << 28     #: elements per run at most: 2^28 float32 values are 1 GiB before any copy


def _rate(fn, n: int, repeat: int) -> float:
    fn()   # warm: builds the tables, faults the pages in
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return n / best


def run_bench(n: int, repeat: int, gemm_size: int = 2048, rtl: bool = True) -> None:
    if n > MAX_SIZE:
        raise ValueError(f"--size: at most {MAX_SIZE:,} (2^28) elements, got {n:,}")
    run_cast_bench(n, repeat)
    run_gemm_bench(gemm_size, max(1, repeat // 2))
    if rtl:
        run_rtl_bench()


def run_rtl_bench() -> None:
    """Encode vectors/s through rtl/fp4_encode.v: cocotb and native engines per simulator, and
    the C++ harness of `make exhaustive-rtl` (rtl_tb.engine_bench)."""
    from rtl_tb.engine_bench import run

    print("\nRTL encode throughput, float32 -> e2m1 rne packs through rtl/fp4_encode.v "
          "(simulation only, builds excluded; issue #16 targets: native >= 10 M/s Verilator, >= 1 M/s Icarus)")
    run()


def run_gemm_bench(size: int, repeat: int) -> None:
    """Exact integer-mapped E2M1 layer GEMM against float32 torch.matmul of the same shape."""
    import torch

    from mac import gemm

    torch.set_num_threads(os.cpu_count() or 1)
    rng = np.random.default_rng(SEED)
    cx = rng.integers(0, 16, (size, size), dtype=np.uint8)
    cw = rng.integers(0, 16, (size, size), dtype=np.uint8)
    a = torch.from_numpy(rng.standard_normal((size, size), dtype=np.float32))
    b = torch.from_numpy(rng.standard_normal((size, size), dtype=np.float32))
    flops = 2 * size ** 3
    rows = {
        "fp4ref exact E2M1 GEMM (codes -> int64 acc)": lambda: gemm(cx, cw, "e2m1", "e2m1"),
        "fp4ref exact E2M1 GEMM, float32 path": lambda: gemm(cx, cw, "e2m1", "e2m1", path="float32"),
        "torch.matmul float32": lambda: torch.matmul(a, b.T),
    }
    times = {name: size ** 3 / _rate(fn, size ** 3, repeat) for name, fn in rows.items()}
    print(f"\nlayer GEMM {size} x {size} x {size}, {torch.get_num_threads()} threads, best of {repeat}")
    for name, t in times.items():
        print(f"  {name:<46} {t * 1e3:8.1f} ms  {flops / t / 1e9:7.1f} GOP/s")
    ref = times["torch.matmul float32"]
    print(f"  fp4ref exact GEMM / torch.matmul float32      {ref / times[next(iter(rows))]:6.2f}x"
          "   (issue #4 target >= 0.5x, goal 1x)")
    print(f"  fp4ref exact GEMM, float32 path / matmul     {ref / times['fp4ref exact E2M1 GEMM, float32 path']:6.2f}x")


def run_cast_bench(n: int, repeat: int) -> None:
    import torch

    torch.set_num_threads(1)
    x = (np.random.default_rng(SEED).standard_normal(n) * 3).astype(np.float32)
    xt = torch.from_numpy(x)
    rows = [
        ("fp4ref  float32 -> e2m1 (rne, saturate)", lambda: encode(x, "e2m1")),
        ("ml_dtypes float32 -> float4_e2m1fn", lambda: x.astype(ml_dtypes.float4_e2m1fn)),
        ("fp4ref  float32 -> e4m3 (rne, saturate)", lambda: encode(x, "e4m3")),
        ("ml_dtypes float32 -> float8_e4m3fn", lambda: x.astype(ml_dtypes.float8_e4m3fn)),
        ("torch   float32 -> float8_e4m3fn", lambda: xt.to(torch.float8_e4m3fn)),
    ]
    rates = {name: _rate(fn, n, repeat) for name, fn in rows}
    print(f"encode throughput, {n:,} float32 values (seed {SEED}), best of {repeat}, one thread; "
          f"{platform.processor() or platform.machine()}, numpy {np.__version__}, "
          f"ml_dtypes {ml_dtypes.__version__}, torch {torch.__version__}")
    for name, rate in rates.items():
        print(f"  {name:<42} {rate / 1e6:8.1f} M values/s")
    r = rates
    e2m1, e4m3 = r[rows[0][0]], r[rows[2][0]]
    print("ratios (higher is better for fp4ref):")
    print(f"  fp4ref e2m1 / ml_dtypes e2m1      {e2m1 / r[rows[1][0]]:6.2f}x   (issue #2 target >= 1x)")
    print(f"  fp4ref e2m1 / torch e4m3fn cast   {e2m1 / r[rows[4][0]]:6.2f}x   (long-run goal >= 1x)")
    print(f"  fp4ref e4m3 / ml_dtypes e4m3fn    {e4m3 / r[rows[3][0]]:6.2f}x")
    print(f"  fp4ref e4m3 / torch e4m3fn cast   {e4m3 / r[rows[4][0]]:6.2f}x")
