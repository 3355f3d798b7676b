"""Every exact GEMM path gives the Python-int reference's accumulators."""
import numpy as np
import pytest
import torch

from fp4ref import emu
from fp4ref import mac
from fp4ref.mac import slow
from fp4ref.mac.gemm import PATHS, choose_path


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("x, w, shift_max", [("e2m1", "e2m1", 0), ("e2m1", "e2m1", 3),
                                             ("e3m0_b0", "e2m1_b0", 7), ("e1m2", "e2m1", 1)])
def test_every_path_matches_the_reference(x, w, shift_max, path, rng):
    fx, fw = emu.get_format(x), emu.get_format(w)
    cx, cw = rng.integers(0, 16, (9, 70)), rng.integers(0, 16, (7, 70))
    s = rng.integers(0, shift_max + 1, 70)
    want = np.array(slow.gemm(cx.tolist(), cw.tolist(), fx, fw, s.tolist(), shift_max))
    assert np.array_equal(mac.gemm(cx, cw, fx, fw, s, shift_max, path=path), want)


@pytest.mark.parametrize("path", PATHS)
def test_one_row_and_one_column_operands_are_exact(path, rng):
    """torch._int_mm reads the stride of a size-1 dimension as a leading dimension: one token,
    one weight row, K = 1 and a shift that one column alone has must still be exact."""
    f = emu.get_format("e2m1")
    for m, n, k in [(1, 7, 12), (9, 1, 12), (1, 1, 12), (9, 7, 1), (1, 7, 1)]:
        for s in (None, np.array([3] + [0, 1, 2] * k)[:k]):
            for _ in range(5):
                cx, cw = rng.integers(0, 16, (m, k)), rng.integers(0, 16, (n, k))
                ss = None if s is None else s.tolist()
                want = np.array(slow.gemm(cx.tolist(), cw.tolist(), f, f, ss, 3))
                assert np.array_equal(mac.gemm(cx, cw, f, f, s, 3, path=path), want), (m, n, k, s)


def test_wide_formats_take_an_exact_float64_or_integer_path(rng):
    f = emu.get_format("e4m3")
    finite = np.array([c for c in range(256) if not f.is_nan_code(c)])
    cx, cw = rng.choice(finite, (5, 300)), rng.choice(finite, (4, 300))
    assert choose_path(f, f, 300, 0) == "float64"
    want = np.array(slow.gemm(cx.tolist(), cw.tolist(), f, f))
    assert np.array_equal(mac.gemm(cx, cw, f, f), want)


def test_float32_chunks_keep_large_k_exact(rng):
    f = emu.get_format("e2m3")          # |I| <= 60: K * 3600 passes 2^24 at K = 4661
    assert choose_path(f, f, 8192, 0) == "int8"
    cx, cw = rng.integers(0, 64, (3, 8192)), rng.integers(0, 64, (2, 8192))
    ref = mac.gemm(cx, cw, f, f, path="int64")
    assert np.array_equal(mac.gemm(cx, cw, f, f, path="float32"), ref)


def test_float32_matmul_precision_is_restored():
    torch.set_float32_matmul_precision("medium")
    try:
        mac.gemm(np.zeros((2, 2), int), np.zeros((2, 2), int), "e2m1", "e2m1", path="float32")
        assert torch.get_float32_matmul_precision() == "medium"
    finally:
        torch.set_float32_matmul_precision("highest")


@pytest.mark.parametrize("cx, cw, message", [
    (np.zeros((2, 3), int), np.zeros((2, 4), int), "shapes do not match"),
    (np.zeros(3, int), np.zeros((2, 3), int), "shapes do not match"),
    (np.full((1, 1), 16), np.zeros((1, 1), int), "outside e2m1"),
])
def test_bad_input_is_named(cx, cw, message):
    with pytest.raises(ValueError, match=message):
        mac.gemm(cx, cw, "e2m1", "e2m1")


@pytest.mark.parametrize("name", ["e2m1", "e3m0_b0", "e4m3", "e1m2"])
def test_the_paired_lookup_equals_int_map(name, rng):
    from fp4ref.mac.gemm import operand
    f = emu.get_format(name)
    finite = np.array([c for c in range(f.n_codes) if not f.is_nan_code(c)], np.uint8)
    codes = rng.choice(finite, (512, 256))           # large enough for the two-codes-per-lookup path
    for dtype in (np.float32, np.float64, np.int64) + ((np.int8,) if f.int_max <= 127 else ()):
        assert np.array_equal(operand(codes, f, dtype), emu.int_map(codes, f).astype(dtype))
    if f.has_nan:
        codes[3, 7] = f.nan_code()
        with pytest.raises(ValueError, match="NaN or Inf"):
            operand(codes, f, np.float32)
