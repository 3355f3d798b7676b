"""`make bench`: encode throughput beside ml_dtypes and torch casts in the same run, as ratios.

The measurements are mac.bench's (the best of --repeat runs over the same seeded arrays); this
module prints them, their ratios and the RTL engines' rates.
"""
from __future__ import annotations

import platform

import ml_dtypes
import numpy as np

from fp4ref.mac import bench


def run_bench(n: int, repeat: int, gemm_size: int = 2048, rtl: bool = True) -> None:
    if n > bench.MAX_SIZE:
        raise ValueError(f"--size: at most {bench.MAX_SIZE:,} (2^28) elements, got {n:,}")
    run_cast_bench(n, repeat)
    run_gemm_bench(gemm_size, max(1, repeat // 2))
    if rtl:
        run_rtl_bench()


def run_rtl_bench() -> None:
    """Encode vectors/s through rtl/fp4_encode.v: cocotb and native engines per simulator, and
    the C++ harness of `make exhaustive-rtl` (rtl_tb.engine_bench)."""
    from fp4ref.rtl_tb.engine_bench import run

    print("\nRTL encode throughput, float32 -> e2m1 rne packs through rtl/fp4_encode.v "
          "(simulation only, builds excluded; issue #16 targets: native >= 10 M/s Verilator, >= 1 M/s Icarus)")
    run()


def run_gemm_bench(size: int, repeat: int) -> None:
    """Exact integer-mapped E2M1 layer GEMM against float32 torch.matmul of the same shape."""
    times, threads = bench.gemm_times(size, repeat)
    flops = 2 * size ** 3
    print(f"\nlayer GEMM {size} x {size} x {size}, {threads} threads, best of {repeat}")
    for name, t in times.items():
        print(f"  {name:<46} {t * 1e3:8.1f} ms  {flops / t / 1e9:7.1f} GOP/s")
    exact, float_path, matmul = (times[name] for name in bench.GEMMS)
    print(f"  fp4ref exact GEMM / torch.matmul float32      {matmul / exact:6.2f}x"
          "   (issue #4 target >= 0.5x, goal 1x)")
    print(f"  fp4ref exact GEMM, float32 path / matmul     {matmul / float_path:6.2f}x")


def run_cast_bench(n: int, repeat: int) -> None:
    import torch

    rates = bench.cast_rates(n, repeat)
    print(f"encode throughput, {n:,} float32 values (seed {bench.SEED}), best of {repeat}, one thread; "
          f"{platform.processor() or platform.machine()}, numpy {np.__version__}, "
          f"ml_dtypes {ml_dtypes.__version__}, torch {torch.__version__}")
    for name, rate in rates.items():
        print(f"  {name:<42} {rate / 1e6:8.1f} M values/s")
    e2m1, ml_e2m1, e4m3, ml_e4m3, torch_e4m3 = (rates[name] for name in bench.CASTS)
    print("ratios (higher is better for fp4ref):")
    print(f"  fp4ref e2m1 / ml_dtypes e2m1      {e2m1 / ml_e2m1:6.2f}x   (issue #2 target >= 1x)")
    print(f"  fp4ref e2m1 / torch e4m3fn cast   {e2m1 / torch_e4m3:6.2f}x   (long-run goal >= 1x)")
    print(f"  fp4ref e4m3 / ml_dtypes e4m3fn    {e4m3 / ml_e4m3:6.2f}x")
    print(f"  fp4ref e4m3 / torch e4m3fn cast   {e4m3 / torch_e4m3:6.2f}x")
