"""A torch nn.Linear with E2M1 weights (one scale per output channel) and E2M1 activations (one
scale per tensor), computed three ways that must agree exactly:

1. fake-quant: the dequantized tensors through nn.Linear in float64;
2. the integer MAC model (mac.gemm) times the scales;
3. an int8 path through torch._int_mm, times the scales.

The scales are powers of two (as MX's E8M0 scales are), so every float64 operation in path 1 is
exact and the comparison needs no tolerance. The pre-shift variant gives each input channel its
own 2^-b_j on top (LLM-FP4's per-channel activation offsets) and folds it into the MAC.
"""
import numpy as np
import pytest
import torch

from fp4ref import emu
from fp4ref import mac

FMT = emu.get_format("e2m1")
UNIT = FMT.int_unit_exp


def pow2_scale(amax):
    """The power of two that maps amax to at most E2M1's max (6)."""
    return 2.0 ** np.ceil(np.log2(np.maximum(amax, 1e-30) / 6.0))


def quantize(x, scale):
    return emu.encode(np.asarray(x / scale, np.float64), FMT)


@pytest.fixture
def layer_and_input(rng):
    torch.manual_seed(0)
    linear = torch.nn.Linear(256, 64, bias=False).double()
    x = rng.standard_normal((32, 256)) * 3
    return linear, x


@pytest.mark.parametrize("preshift", [False, True])
def test_linear_three_ways_agree_exactly(layer_and_input, preshift, rng):
    linear, x = layer_and_input
    w = linear.weight.detach().numpy()
    s_w = pow2_scale(np.abs(w).max(axis=1))                      # per output channel
    cw = quantize(w, s_w[:, None])
    shift_max = mac.preshift_range(FMT) if preshift else 0
    b = rng.integers(0, shift_max + 1, 256) if preshift else np.zeros(256, int)
    s_x = pow2_scale(np.abs(x).max()) * 2.0 ** shift_max           # per tensor, times 2^-b_j per channel
    cx = quantize(x, s_x * 2.0 ** -b[None, :])

    # 1. fake-quant layer in float64
    with torch.no_grad():
        linear.weight.copy_(torch.from_numpy(emu.decode(cw, FMT) * s_w[:, None]))
        xq = torch.from_numpy(emu.decode(cx, FMT) * s_x * 2.0 ** -b[None, :])
        y_fake = linear(xq).numpy()

    # 2. integer MAC model, scales after the accumulator
    acc = mac.gemm(cx, cw, FMT, FMT, shifts=b if preshift else None, shift_max=shift_max)
    y_mac = mac.layer_output(cx, cw, FMT, FMT, s_x, s_w, shifts=b if preshift else None, preshift=preshift)

    # 3. int8 through torch._int_mm, one GEMM per shift value
    ix = torch.from_numpy(emu.int_map(cx, FMT).astype(np.int8))
    iw = torch.from_numpy(emu.int_map(cw, FMT).astype(np.int8))
    acc_int8 = torch.zeros((32, 64), dtype=torch.int64)
    for shift in range(shift_max + 1):
        cols = torch.from_numpy(np.flatnonzero(b == shift))
        if len(cols):
            part = torch._int_mm(ix[:, cols].contiguous(), iw[:, cols].T.contiguous())
            acc_int8 += part.to(torch.int64) << (shift_max - shift)
    y_int8 = acc_int8.numpy() * 2.0 ** (2 * UNIT - shift_max) * s_x * s_w[None, :]

    assert np.array_equal(acc_int8.numpy(), acc)
    assert np.array_equal(y_mac, y_fake)
    assert np.array_equal(y_int8, y_fake)
    assert np.abs(y_fake).max() > 0
