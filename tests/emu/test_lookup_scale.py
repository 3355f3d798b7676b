"""Per-group RTN scaling of lookup formats (emu.lookup_scale) against llm-datatypes' formulas
(formats.md §5.3), written here directly in torch as the source does."""
import numpy as np
import pytest
import torch

from fp4ref.emu.lookup import get_lookup
from fp4ref.emu.lookup_scale import dequantize, fake_quantize, group_bounds, quantize

F32 = np.float32


def weights(seed: int, shape=(8, 300), dist="t") -> np.ndarray:
    rng = np.random.default_rng(seed)
    print(f"weights seed {seed}")
    w = rng.standard_t(5, size=shape) if dist == "t" else rng.standard_normal(shape)
    return (w * 0.02).astype(F32)


def llmdt_lookup(w: torch.Tensor, values: list[float]) -> torch.Tensor:
    """quantize_4bit for one [rows, k] group slab: scale, ties to the lower neighbour."""
    v = torch.tensor(values, dtype=torch.float32)
    scale = w.abs().max(-1, keepdim=True)[0] / v.max()
    x = w / scale
    q = torch.zeros_like(x)
    for i in range(len(values)):
        mid_lo = -torch.inf if i == 0 else (v[i - 1] + v[i]) / 2
        mid_hi = torch.inf if i == len(values) - 1 else (v[i] + v[i + 1]) / 2
        q = torch.where((x > mid_lo) & (x <= mid_hi), v[i], q)
    return q * scale


@pytest.mark.parametrize("name", ["e2m1_sr", "e2m1_sp", "apot4_sp", "e3m0_log", "e1m2_ld", "e2m1_i"])
def test_rtn_matches_llm_datatypes(name):
    fmt = get_lookup(name)
    vals = sorted({float(v) for v, ok in zip(fmt.values, fmt.valid) if ok})
    w = weights(20261124)
    want = torch.cat([llmdt_lookup(torch.from_numpy(w[:, a:b]), vals)
                      for a, b in group_bounds(w.shape[1], 128)], dim=1).numpy()
    got = fake_quantize(w, fmt, group_size=128)
    # exact midpoints here; the source rounds (v[i] + v[i+1]) / 2 to float32, which is exact for
    # these grids: the comparison is bit for bit
    assert (got.view(np.uint32) == want.view(np.uint32)).all()


def test_int4_formulas():
    w = torch.from_numpy(weights(20261125, (16, 128)))
    # sym: scale = wmax / 7, clamp(round(w / scale), -8, 7)
    wmax = torch.maximum(w.max(1, keepdim=True)[0].abs(), w.min(1, keepdim=True)[0].abs())
    s = wmax / 7
    sym = torch.clamp(torch.round(w / s), -8, 7) * s
    assert torch.equal(torch.from_numpy(fake_quantize(w.numpy(), "int4_sym")), sym)
    # full range: scale = wmax / 8, negated when |max| > |min|
    s = wmax / 8
    s = torch.where(w.max(1, keepdim=True)[0].abs() > w.min(1, keepdim=True)[0].abs(), -s, s)
    full = torch.clamp(torch.round(w / s), -8, 7) * s
    assert torch.equal(torch.from_numpy(fake_quantize(w.numpy(), "int4_full")), full)
    # asym: scale = (wmax - wmin) / 15, zp = round(-wmin / scale)
    hi = torch.clamp(w.max(1, keepdim=True)[0], min=0)
    lo = torch.clamp(w.min(1, keepdim=True)[0], max=0)
    s = (hi - lo) / 15
    zp = torch.round(-lo / s)
    asym = (torch.clamp(torch.round(w / s) + zp, 0, 15) - zp) * s
    assert torch.equal(torch.from_numpy(fake_quantize(w.numpy(), "int4_asym")), asym)


def test_supernormal_positive_only():
    # formats.md §5.3.6: with E2M1-SR the negative absmax element clips to -0.75 absmax
    w = np.array([[8, -8, -7, 7, -5]], dtype=F32)
    assert fake_quantize(w, "e2m1_sr").tolist() == [[8, -6, -6, 6, -6]]


def test_group_remainder_rule():
    assert group_bounds(300, 128) == [(0, 128), (128, 256), (256, 300)]
    assert group_bounds(100, 128) == [(0, 100)]
    assert group_bounds(256, -1) == [(0, 256)]
    with pytest.raises(ValueError, match="does not divide"):
        group_bounds(300, 128, remainder="error")
    q = quantize(weights(3), "nf4", group_size=128)
    assert q.scales.shape == (8, 3)
    # the remainder group is scaled on its own: its absmax maps to the largest value
    tail = dequantize(q)[:, 256:]
    assert np.allclose(np.abs(tail).max(axis=1), np.abs(weights(3)[:, 256:]).max(axis=1), rtol=0, atol=0)


def test_zero_group_and_bad_input():
    w = np.zeros((2, 64), dtype=F32)
    for name in ("nf4", "e2m1_sr", "int4_asym", "int4_full"):
        assert (fake_quantize(w, name, 32) == 0).all()
    with pytest.raises(ValueError, match="NaN or Inf"):
        quantize(np.array([[1.0, np.nan]], dtype=F32), "nf4")
    with pytest.raises(ValueError, match="float array"):
        quantize(np.array([[1, 2]]), "nf4")
    with pytest.raises(ValueError, match="group size must be positive"):
        quantize(weights(1), "nf4", group_size=0)
