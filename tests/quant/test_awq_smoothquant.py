"""AWQ and SmoothQuant (quant/awq.py, quant/smoothquant.py) on synthetic layers with planted
outlier channels, where the expected effect is known (issue 17, part 4):

- SmoothQuant leaves the float layer unchanged ((x / s) (W s)^T = x W^T), flattens the planted
  activation outliers by the exponent alpha, and lowers the W4A4 output error on every grid tried;
- AWQ includes plain RTN (alpha = 0), so its error on the calibration data is never above RTN's;
  with salient input channels planted it chooses alpha > 0 and lowers the error; with every
  channel's mean |x| equal there is nothing to scale and it is exactly RTN.
Seeds are fixed and printed in the assertion messages."""
from __future__ import annotations

import numpy as np
import pytest

from fp4ref.quant.awq import awq
from fp4ref.quant.gptq import rtn
from fp4ref.quant.smoothquant import smooth_linear, smooth_scales, w4a4

SEED = 7
OUTLIERS = [3, 77]


def _layer(seed=SEED, factor=60.0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((256, 128)).astype(np.float32)
    x[:, OUTLIERS] *= factor
    w = (rng.standard_normal((64, 128)) * 0.05).astype(np.float32)
    return x, w


def test_smoothing_keeps_the_float_layer_and_flattens_the_outliers():
    x, w = _layer()
    for alpha in (0.0, 0.5, 0.8, 1.0):
        sm = smooth_linear(np.abs(x).max(axis=0), w, alpha)
        y = (x * sm.inv_scale) @ sm.weight.T
        ref = x.astype(np.float64) @ w.T
        assert np.max(np.abs(y - ref)) <= 1e-4 * np.max(np.abs(ref)), alpha
    # alpha = 1: every channel's activation maximum becomes max|W_j|^0 = 1
    s = smooth_scales(np.abs(x).max(axis=0), w, 1.0)
    assert np.allclose(np.abs(x / s).max(axis=0), 1.0, rtol=1e-6)
    # alpha = 0.5: max|x_j| / s_j = sqrt(max|x_j| * max|W_j|), the geometric mean of the two ranges
    s = smooth_scales(np.abs(x).max(axis=0), w, 0.5)
    assert np.allclose(np.abs(x / s).max(axis=0), np.sqrt(np.abs(x).max(axis=0) * np.abs(w).max(axis=0)), rtol=1e-5)


@pytest.mark.parametrize("g, gain", [("int4_sym", 1.3), ("e2m1", 1.5), ("nf4", 1.5)])
def test_smoothquant_lowers_the_w4a4_error_of_a_layer_with_activation_outliers(g, gain):
    x, w = _layer()
    ref = x.astype(np.float64) @ w.T
    plain = np.mean((w4a4(x, w, g, None) - ref) ** 2)
    smooth = np.mean((w4a4(x, w, g, 0.5) - ref) ** 2)
    assert plain / smooth >= gain, f"seed {SEED}: {g}: {plain:.4g} -> {smooth:.4g}"


def _salient(seed=SEED):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((512, 256)).astype(np.float32)
    x[:, :8] *= 20                                     # 8 salient input channels
    w = rng.standard_normal((64, 256)).astype(np.float32)
    return x, w


@pytest.mark.parametrize("g, gain", [("int4_sym", 1.8), ("e2m1", 1.4), ("int3_sym", 1.8)])
def test_awq_scales_the_salient_channels_and_beats_rtn(g, gain):
    x, w = _salient()
    res = awq(x, w, g)
    assert res.errors[0.0] == pytest.approx(np.mean((x.astype(np.float64) @ (rtn(w, g).weight.T.astype(np.float64))
                                                     - x.astype(np.float64) @ w.T) ** 2), rel=1e-9)
    assert res.alpha > 0 and min(res.errors.values()) == res.errors[res.alpha]
    assert res.rtn_error / res.errors[res.alpha] >= gain, f"seed {SEED}: {g}: {res.errors}"
    assert np.all(res.scale[:8] > res.scale[8:].max()), "the salient channels get the largest scales"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_awq_is_never_worse_than_rtn_on_its_calibration_data(seed):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal((128, 256)) * rng.uniform(0.1, 5, 256)).astype(np.float32)
    w = rng.standard_normal((32, 256)).astype(np.float32)
    for g in ("e2m1", "int4_asym"):
        res = awq(x, w, g)
        assert res.errors[res.alpha] <= res.rtn_error, f"seed {seed} {g}"


def test_awq_is_rtn_when_every_channel_has_the_same_mean_magnitude():
    rng = np.random.default_rng(SEED)
    x = rng.choice([-1.0, 1.0], (128, 256)).astype(np.float32)      # mean |x_j| = 1 for every j
    w = rng.standard_normal((32, 256)).astype(np.float32)
    res = awq(x, w, "e2m1")
    assert res.alpha == 0.0 and len(set(res.errors.values())) == 1
    assert np.array_equal(res.weight, rtn(w, "e2m1").weight)


def test_bad_input_is_refused():
    x, w = _layer()
    with pytest.raises(ValueError, match="alpha"):
        smooth_scales(np.abs(x).max(axis=0), w, 1.5)
    with pytest.raises(ValueError, match="channels"):
        smooth_scales(np.ones(5), w)
    with pytest.raises(ValueError, match="NaN or Inf"):
        awq(np.full((4, 128), np.nan, np.float32), w, "e2m1")
    with pytest.raises(ValueError, match="no calibration rows"):
        awq(np.zeros((0, 128), np.float32), w, "e2m1")
    with pytest.raises(ValueError, match="unknown format"):
        awq(x, w, "nope")
