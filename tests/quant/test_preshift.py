"""The pre-shifted exponent bias folded into the weights: the two exact ways give the same
integer accumulators as each other and as the unfolded fake-quant layer (exact rationals),
bit for bit; the lossy way does not, and its error is measured. The exported artefacts alone
reproduce the layer."""
from fractions import Fraction

import numpy as np
import pytest
import torch

from fp4ref.mac import gemm
from fp4ref.quant import lfp4_int
from fp4ref.quant.export import artefacts, export_files
from fp4ref.quant.preshift import fold, shift_range, widened_format
from fp4ref.quant.search import LayerQuant

FORMATS = [(2, 1), (3, 0), (1, 2)]


def synthetic(rng, w_fmt, a_fmt, tokens=24, k=48, out=12):
    x = rng.standard_normal((tokens, k)) * np.exp(rng.uniform(-2, 2, k))[None, :]
    w = rng.standard_normal((out, k)) * 0.1
    w_bias = rng.uniform(1, 5, out)
    rho = float(rng.uniform(-2, 3))
    offsets = rng.integers(0, shift_range(a_fmt) + 1, k)
    w_codes = lfp4_int.encode(w, *w_fmt, w_bias[:, None])
    return x, w_codes, w_bias, rho, offsets


def exact_sum(cx_row, cw_row, offsets, a_fmt, w_fmt):
    """sum_j Sx(c_xj) * 2^-b_j * Sw(c_wj) with Fractions, from the format definitions alone."""
    gx, gw = lfp4_int.grid_format(*a_fmt), lfp4_int.grid_format(*w_fmt)
    return sum(gx.code_value(int(a)) * gw.code_value(int(b)) / 2 ** int(o)
               for a, b, o in zip(cx_row, cw_row, offsets))


@pytest.mark.parametrize("a_fmt", FORMATS, ids=lambda f: f"A-e{f[0]}m{f[1]}")
@pytest.mark.parametrize("w_fmt", FORMATS, ids=lambda f: f"W-e{f[0]}m{f[1]}")
def test_two_exact_folds_equal_the_unfolded_layer_bit_for_bit(w_fmt, a_fmt, rng):
    x, w_codes, w_bias, rho, offsets = synthetic(rng, w_fmt, a_fmt)
    row = fold(w_codes, w_fmt, w_bias, a_fmt, rho, offsets, "rowshift")
    wide = fold(w_codes, w_fmt, w_bias, a_fmt, rho, offsets, "widened")
    cx = row.act_codes(x)
    assert np.array_equal(cx, wide.act_codes(x))
    acc = row.accumulate(cx)
    assert np.array_equal(acc, wide.accumulate(cx))                  # the same integers
    assert row.unit_exp() == wide.unit_exp()
    for i in range(0, x.shape[0], 7):                                   # and the exact sum
        for k in range(0, w_codes.shape[0], 5):
            unit = Fraction(2) ** row.unit_exp()
            assert Fraction(int(acc[i, k])) * unit == exact_sum(cx[i], w_codes[k], offsets, a_fmt, w_fmt)
    assert np.array_equal(row.forward(x), wide.forward(x))             # float64 outputs, bit for bit


@pytest.mark.parametrize("w_fmt, shift_max, exp_w", [((2, 1), 3, 3), ((2, 1), 7, 4), ((1, 2), 3, 3),
                                                    ((1, 2), 1, 2), ((3, 0), 7, 4), ((1, 2), 7, 4)])
def test_widened_format_holds_every_shifted_weight(w_fmt, shift_max, exp_w):
    f = widened_format(w_fmt, shift_max)
    assert (f.exp_w, f.man_w, f.bias) == (exp_w, w_fmt[1], shift_max) and f.bits <= 8
    values = {f.code_value(c) for c in range(f.max_code + 1)}
    grid = lfp4_int.grid_format(*w_fmt)
    for c in range(grid.max_code + 1):
        for b in range(shift_max + 1):
            assert grid.code_value(c) / 2 ** b in values


def test_the_lossy_fold_loses_what_small_rows_held(rng):
    x, w_codes, w_bias, rho, offsets = synthetic(rng, (2, 1), (2, 1))
    exact = fold(w_codes, (2, 1), w_bias, (2, 1), rho, offsets, "rowshift").forward(x)
    lossy = fold(w_codes, (2, 1), w_bias, (2, 1), rho, offsets, "lossy").forward(x)
    err = np.mean((lossy - exact) ** 2) / np.mean(exact ** 2)
    print(f"lossy fold relative MSE {err:.4f}")
    assert err > 1e-4
    no_offsets = np.zeros_like(offsets)
    same = fold(w_codes, (2, 1), w_bias, (2, 1), rho, no_offsets, "lossy").forward(x)
    assert np.array_equal(same, fold(w_codes, (2, 1), w_bias, (2, 1), rho, no_offsets, "rowshift").forward(x))


def test_the_float32_simulation_agrees_to_float32_precision(rng):
    """The exact integer path against LLM-FP4's float32 fake-quant layer: not a bit-exactness
    claim (real scales in float32, llm-fp4.md §1.7), so a float32-sized tolerance."""
    from fp4ref.quant.lfp4 import fake_quant
    x, w_codes, w_bias, rho, offsets = synthetic(rng, (2, 1), (2, 1))
    row = fold(w_codes, (2, 1), w_bias, (2, 1), rho, offsets, "rowshift")
    w_hat = torch.from_numpy(lfp4_int.decode(w_codes, 2, 1, w_bias[:, None])).float()
    x_hat = fake_quant(torch.from_numpy(x).float(), 2, 1, torch.from_numpy(rho + offsets[None, :]).float())
    sim = torch.nn.functional.linear(x_hat, w_hat).double().numpy()
    exact = row.forward(x)
    assert np.max(np.abs(sim - exact)) <= 1e-5 * np.max(np.abs(exact))


def test_the_exported_artefacts_alone_reproduce_the_layer(rng):
    x, w_codes, w_bias, rho, offsets = synthetic(rng, (2, 1), (3, 0), k=32, out=8)
    linear = torch.nn.Linear(32, 8)
    with torch.no_grad():
        linear.weight.copy_(torch.from_numpy(lfp4_int.decode(w_codes, 2, 1, w_bias[:, None])))
    q = LayerQuant((2, 1), w_bias, (3, 0), rho, offsets)
    meta, arrays = artefacts("layer", q, linear)
    assert np.array_equal(arrays["w_codes"], w_codes)
    # an accelerator: encode with the offsets, MAC with the row shifts, one scale, the bias
    cx = lfp4_int.encode(x, 3, 0, rho + arrays["act_offsets"][None, :].astype(np.float64))
    acc = gemm(cx, arrays["w_codes"], lfp4_int.grid_format(3, 0), lfp4_int.grid_format(2, 1),
               arrays["row_shifts"], meta["mac"]["shift_max"])
    y = acc * arrays["output_scale"].astype(np.float64)[None, :]
    folded = fold(w_codes, (2, 1), w_bias, (3, 0), rho, offsets, "rowshift")
    want = folded.accumulate(folded.act_codes(x)) * folded.output_scale()[None, :]
    assert np.array_equal(acc, folded.accumulate(cx))
    assert np.allclose(y, want, rtol=2 ** -23, atol=0)        # output_scale is stored as float32
    assert meta["mac"]["accumulator_bits_l1"] <= meta["mac"]["accumulator_bits_worst_case"]
    files = export_files({"layer": (meta, arrays)})
    assert set(files) == {"manifest.json"} | {f"layer.{k}.npy" for k in arrays}
    assert files == export_files({"layer": (meta, arrays)})      # deterministic bytes
