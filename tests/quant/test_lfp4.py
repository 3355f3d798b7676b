"""quant/lfp4.py (float32 reference, literal to the released code) against quant/lfp4_int.py (codes).

llm-fp4.md §1.1-1.7 and §6 (a)(b)(c); formats.md §6. The float reference computes
step = 2^(L - m - b) with a float32 pow, so for a real bias its values are the exact values
rounded (to about 2^-21 relative); exact comparisons are therefore made on the bias-0 grid
(n * 2^(L - m) against the decoded code, both exact in float64) and, for integer biases, on
the values themselves.
"""
import os
from fractions import Fraction as Fr
from functools import lru_cache

import numpy as np
import pytest
import torch

from fp4ref import emu
from fp4ref.quant import lfp4, lfp4_int

SEED = int(os.environ.get("FP4REF_SEED", "20261124"))
NEAR = 1e-6             # "near a rounding decision": |t - boundary| <= NEAR * boundary
VALUE_RTOL = 1e-6       # float32 pow/division/product vs the exact value, for agreeing codes
ALL_CODES = np.arange(16, dtype=np.uint8)
FORMATS = [pytest.param(3, 0, id="e3m0"), pytest.param(2, 1, id="e2m1"), pytest.param(1, 2, id="e1m2")]


# ---- helpers -----------------------------------------------------------------------------------
def grid_magnitudes(e, m):
    """The 8 magnitudes of S(e, m), ascending, from the emu preset."""
    return np.unique(np.abs(emu.decode(ALL_CODES, lfp4_int.grid_format(e, m))))


def boundaries(e, m):
    """Every rounding decision point of t = |x| * 2^b: the ties (midpoints between adjacent
    magnitudes of S, including 0 | smallest) and the binade edges 2^L, L = 1..2^e - 1, where the
    float code's floor(log2|x| + b) changes."""
    g = grid_magnitudes(e, m)
    edges = 2.0 ** np.arange(1, 1 << e)
    return np.unique(np.concatenate([(g[1:] + g[:-1]) / 2, edges]))


def rel_distance_to_boundary(t, e, m):
    """min over boundaries B of |(|t|) - B| / B (exact enough: float64 on float64 t)."""
    b = boundaries(e, m)
    return np.min(np.abs(np.abs(t)[..., None] - b) / b, axis=-1)


def ref_grid_value(parts, m):
    """The float reference's value on the bias-0 grid: n * 2^(L - m) (exact in float64)."""
    return parts.n.double().numpy() * np.exp2(parts.L.double().numpy() - m)


def ref_int(parts):
    """The float reference's integer I = n * 2^(L - 1) (value = I * 2^(1 - m - b))."""
    return (parts.n.double() * torch.exp2(parts.L.double() - 1)).numpy().astype(np.int64)


def nudge_ulps(x, k):
    """Move each float32 x[i] by k[i] ulps (k in -3..3)."""
    x = x.copy()
    for step in range(int(np.abs(k).max(initial=0))):
        sel = np.abs(k) > step
        x[sel] = np.nextafter(x[sel], np.where(k[sel] > 0, np.float32(np.inf), np.float32(-np.inf)))
    return x


def random_inputs(e, m, n=20000):
    """Seeded (x float32, b float32) pairs: every binade, flush, saturation, boundaries, zeros."""
    rng = np.random.default_rng(SEED)
    smax = float(lfp4_int.grid_format(e, m).max_value)
    bias = rng.uniform(-3.0, 6.0, n).astype(np.float32)
    kind = rng.choice(4, size=n, p=[0.6, 0.2, 0.15, 0.05])
    # 0: log-uniform |t| from 1/8 of the flush threshold 2^-m to 4 * S_max
    t = np.exp2(rng.uniform(-m - 3, np.log2(4 * smax), n))
    # 1: heavy-tailed (Cauchy), median |t| = S_max / 8
    t = np.where(kind == 1, np.abs(rng.standard_cauchy(n)) * smax / 8, t)
    # 2: exactly on a tie or binade edge in exact arithmetic; float32 rounding and -3..3 ulps move it
    t = np.where(kind == 2, rng.choice(boundaries(e, m), n), t)
    t = np.where(kind == 3, 0.0, t) * rng.choice([-1.0, 1.0], n)
    x = (t * lfp4_int.pow2(-bias.astype(np.float64))).astype(np.float32)
    x = nudge_ulps(x, np.where(kind == 2, rng.integers(-3, 4, n), 0))
    return x, bias


@lru_cache(maxsize=None)
def agreement(e, m):
    """Both models on random_inputs: (x, bias, parts, codes, got, want, dist); read-only."""
    x, bias = random_inputs(e, m)
    parts = lfp4.fake_quant_parts(torch.from_numpy(x), e, m, torch.from_numpy(bias))
    codes = lfp4_int.encode(x, e, m, bias)
    got = emu.decode(codes, lfp4_int.grid_format(e, m))
    want = ref_grid_value(parts, m)
    dist = rel_distance_to_boundary(lfp4_int.grid_input(x, bias), e, m)
    return x, bias, parts, codes, got, want, dist


# ---- lfp4: bias <-> maxval (llm-fp4.md §1.1) -----------------------------------------------------
@pytest.mark.parametrize("e, m", FORMATS)
def test_maxval_at_bias_0_is_the_top_of_the_grid(e, m):
    assert lfp4.maxval(e, m, 0.0) == float(lfp4_int.grid_format(e, m).max_value)


@pytest.mark.parametrize("e, m", FORMATS)
@pytest.mark.parametrize("kind", ["float", "numpy", "torch"])
def test_bias_from_max_inverts_maxval(e, m, kind):
    amax = [0.013, 1.0, 7.5, 300.0]
    wrap = {"float": lambda v: v, "numpy": np.array, "torch": lambda v: torch.tensor(v, dtype=torch.float64)}[kind]
    for a in amax:
        bias = lfp4.bias_from_max(e, m, wrap(a))
        assert float(lfp4.maxval(e, m, bias)) == pytest.approx(a, rel=1e-12)


# ---- formats.md §6 value sets (dense sweeps of the float reference) --------------------------------
def _set(*values):
    return [Fr(v) for v in values]


VALUE_SETS = [  # (label, e, m, bias rule, magnitudes) -- formats.md §6 table
    ("e2m1-b_default_2", 2, 1, 2, _set(0, Fr(1, 4), Fr(1, 2), Fr(3, 4), 1, Fr(3, 2), 2, 3)),
    ("e2m1-b_ieee_1", 2, 1, 1, _set(0, Fr(1, 2), 1, Fr(3, 2), 2, 3, 4, 6)),
    ("e2m1-amax_1", 2, 1, "amax1", [Fr(k, 12) for k in (0, 1, 2, 3, 4, 6, 8, 12)]),
    ("e3m0-b_default_4", 3, 0, 4, _set(0, Fr(1, 8), Fr(1, 4), Fr(1, 2), 1, 2, 4, 8)),
    ("e3m0-b_ieee_3", 3, 0, 3, _set(0, Fr(1, 4), Fr(1, 2), 1, 2, 4, 8, 16)),
    ("e3m0-amax_1", 3, 0, "amax1", [Fr(0)] + [Fr(1, 2 ** k) for k in range(6, -1, -1)]),
    ("e1m2-b_default_1", 1, 2, 1, [Fr(k, 4) for k in range(8)]),
    ("e1m2-b_ieee_0", 1, 2, 0, [Fr(k, 2) for k in range(8)]),
    ("e1m2-amax_1", 1, 2, "amax1", [Fr(k, 7) for k in range(8)]),
]


@pytest.mark.parametrize("e, m, rule, want", [pytest.param(*r[1:], id=r[0]) for r in VALUE_SETS])
def test_float_reference_value_set_matches_formats_md_6(e, m, rule, want):
    bias = lfp4.bias_from_max(e, m, torch.tensor(1.0)) if rule == "amax1" else torch.tensor(float(rule))
    top = float(lfp4.maxval(e, m, bias))
    want = np.array([float(v) for v in want])
    x = torch.cat([torch.linspace(-1.25 * top, 1.25 * top, 400_001), torch.from_numpy(want).float()])
    parts = lfp4.fake_quant_parts(x, e, m, bias)
    got = np.unique(np.abs(parts.x_q.double().numpy()))
    assert np.array_equal(np.unique(np.abs(ref_grid_value(parts, m))), grid_magnitudes(e, m))
    if float(bias) == round(float(bias)):   # integer bias: the float32 pow is exact
        assert np.array_equal(got, want)
    else:                                    # real bias: each value is the exact one, rounded
        assert got.shape == want.shape and np.allclose(got, want, rtol=VALUE_RTOL, atol=0)


def test_real_bias_1p5_is_a_continuous_scale_of_the_ocp_grid():
    """formats.md §6: b = 1.5 gives 2^-0.5 * {0, .5, 1, 1.5, 2, 3, 4, 6} (printed to 5 decimals)."""
    want = [0, 0.35355, 0.70711, 1.06066, 1.41421, 2.12132, 2.82843, 4.24264]
    x = torch.linspace(-5.0, 5.0, 200_001)
    got = np.unique(np.abs(lfp4.fake_quant(x, 2, 1, 1.5).double().numpy()))
    assert np.round(got, 5).tolist() == want
    assert np.round(np.unique(np.abs(lfp4_int.decode(ALL_CODES, 2, 1, 1.5))), 5).tolist() == want


# ---- ties, saturation, signed zero (integer bias: both models exact) ----------------------------
# Bias 0. E2M1: step 2^(L - 1) = 1 below 4, 2 in [4, 8), 4 in [8, 12]; n = RNE(t / step):
#   0.5 -> n 0.5 -> 0; 1.5 -> 2; 2.5 -> 2; 3.5 -> 4; 5 -> n 2.5 -> 2 (4); 7 -> 3.5 -> 4 (8); 10 -> 2.5 -> 2 (8).
# E3M0: step 2^L (2 below 4): 1 -> n 0.5 -> 0; every other midpoint 3 * 2^(L-1) has n = 1.5 -> 2: up.
# E1M2: L is always 1, step 0.5: n = 2t, ties k + 0.5 go to the even k.
TIES = [  # (label, e, m, t, expected)
    ("e2m1-tie_0p5_to_0", 2, 1, 0.5, 0.0), ("e2m1-tie_1p5_to_2", 2, 1, 1.5, 2.0),
    ("e2m1-tie_2p5_to_2", 2, 1, 2.5, 2.0), ("e2m1-tie_3p5_to_4", 2, 1, 3.5, 4.0),
    ("e2m1-tie_5_to_4", 2, 1, 5.0, 4.0), ("e2m1-tie_7_to_8", 2, 1, 7.0, 8.0),
    ("e2m1-tie_10_to_8", 2, 1, 10.0, 8.0),
    ("e3m0-tie_1_to_0", 3, 0, 1.0, 0.0), ("e3m0-tie_3_to_4", 3, 0, 3.0, 4.0),
    ("e3m0-tie_6_to_8", 3, 0, 6.0, 8.0), ("e3m0-tie_12_to_16", 3, 0, 12.0, 16.0),
    ("e3m0-tie_24_to_32", 3, 0, 24.0, 32.0), ("e3m0-tie_48_to_64", 3, 0, 48.0, 64.0),
    ("e3m0-tie_96_to_128", 3, 0, 96.0, 128.0),
    ("e1m2-tie_0p25_to_0", 1, 2, 0.25, 0.0), ("e1m2-tie_0p75_to_1", 1, 2, 0.75, 1.0),
    ("e1m2-tie_1p25_to_1", 1, 2, 1.25, 1.0), ("e1m2-tie_1p75_to_2", 1, 2, 1.75, 2.0),
    ("e1m2-tie_2p25_to_2", 1, 2, 2.25, 2.0), ("e1m2-tie_2p75_to_3", 1, 2, 2.75, 3.0),
    ("e1m2-tie_3p25_to_3", 1, 2, 3.25, 3.0),
]
SATURATION = [  # (label, e, m, t, expected): clamp to ±maxval before rounding
    ("e2m1-sat_13_to_12", 2, 1, 13.0, 12.0), ("e2m1-sat_1e30_to_12", 2, 1, 1e30, 12.0),
    ("e2m1-sat_inf_to_12", 2, 1, np.inf, 12.0), ("e3m0-sat_200_to_128", 3, 0, 200.0, 128.0),
    ("e3m0-sat_inf_to_128", 3, 0, np.inf, 128.0), ("e1m2-sat_3p75_to_3p5", 1, 2, 3.75, 3.5),
    ("e1m2-sat_1e6_to_3p5", 1, 2, 1e6, 3.5),
]


@pytest.mark.parametrize("e, m, t, want", [pytest.param(*r[1:], id=r[0]) for r in TIES + SATURATION])
@pytest.mark.parametrize("sign", [1.0, -1.0], ids=["pos", "neg"])
def test_tie_and_saturation_rows_in_both_models(e, m, t, want, sign):
    x = np.array([sign * t], np.float32)
    ref = lfp4.fake_quant(torch.from_numpy(x), e, m, 0.0).double().numpy()
    got = lfp4_int.decode(lfp4_int.encode(x, e, m, 0.0), e, m, 0.0)
    for value in (ref, got):
        assert value[0] == sign * want and np.signbit(value[0]) == (sign < 0)


@pytest.mark.parametrize("e, m", FORMATS)
def test_negative_zero_is_produced_by_both_models(e, m):
    x = np.array([-0.3 * 2.0 ** -m, -0.0, -(2.0 ** -m)], np.float32)   # all flush to zero
    ref = lfp4.fake_quant(torch.from_numpy(x), e, m, 0.0).numpy()
    codes = lfp4_int.encode(x, e, m, 0.0)
    assert np.all(ref == 0) and np.all(np.signbit(ref))
    assert np.all(codes == 0b1000)          # -0: sign 1, exponent and fraction 0 (every split)
    assert np.all(np.signbit(lfp4_int.decode(codes, e, m, 0.0)))


@pytest.mark.parametrize("e, m", FORMATS)
def test_integer_bias_values_agree_exactly_including_ties(e, m):
    """Integer b: 2^(L - m - b) is exact in float32, so the float reference is exact and must
    equal decode(encode(x)) bit for bit, ties and binade edges included."""
    rng = np.random.default_rng(SEED)
    print(f"seed {SEED}")
    n = 20000
    bias = rng.integers(-3, 7, n).astype(np.float32)
    smax = float(lfp4_int.grid_format(e, m).max_value)
    t = np.concatenate([np.exp2(rng.uniform(-m - 3, np.log2(4 * smax), n // 2)),
                        rng.choice(np.concatenate([boundaries(e, m), grid_magnitudes(e, m)]), n - n // 2)])
    x = (t * rng.choice([-1.0, 1.0], n) * np.exp2(-bias.astype(np.float64))).astype(np.float32)
    ref = lfp4.fake_quant(torch.from_numpy(x), e, m, torch.from_numpy(bias)).double().numpy()
    got = lfp4_int.decode(lfp4_int.encode(x, e, m, bias), e, m, bias)
    assert np.array_equal(got, ref) and np.array_equal(np.signbit(got), np.signbit(ref))


# ---- float reference vs integer codes, real biases (llm-fp4.md §1.3, §1.7) -----------------------
@pytest.mark.parametrize("e, m", FORMATS)
def test_codes_agree_except_within_1e_6_of_a_rounding_boundary(e, m):
    x, bias, parts, codes, got, want, dist = agreement(e, m)
    differ = got != want
    near = dist <= NEAR
    print(f"seed {SEED} e{e}m{m}: {x.size} pairs, {int(near.sum())} within {NEAR:g} of a boundary, "
          f"{int(differ.sum())} disagreements, farthest {dist[differ].max(initial=0):.3g} relative")
    assert not np.any(differ & ~near), f"far from any boundary: x={x[differ & ~near][:5]}"
    assert differ.sum() <= 0.02 * x.size
    # a disagreement is a rounding decision taken the other way: adjacent magnitudes of S
    g = grid_magnitudes(e, m)
    gap = np.abs(np.searchsorted(g, np.abs(got[differ])) - np.searchsorted(g, np.abs(want[differ])))
    assert np.all(gap == 1)


@pytest.mark.parametrize("e, m", FORMATS)
def test_disagreements_are_ties_never_binade_edges(e, m):
    """A binade misread by float32 log2 gives the same value (n = 2^(m+1) at step/2 or n = 2^m
    at 2*step); only a tie decided the other way changes the code."""
    x, bias, parts, codes, got, want, dist = agreement(e, m)
    t = np.abs(lfp4_int.grid_input(x, bias))[got != want]
    b = boundaries(e, m)
    nearest = b[np.argmin(np.abs(t[:, None] - b) / b, axis=1)]
    g = grid_magnitudes(e, m)
    assert np.all(np.isin(nearest, (g[1:] + g[:-1]) / 2))


@pytest.mark.parametrize("e, m", FORMATS)
def test_integer_mapping_agrees_with_the_float_reference_n_times_2_pow_L_minus_1(e, m):
    x, bias, parts, codes, got, want, dist = agreement(e, m)
    same = got == want
    assert np.array_equal(lfp4_int.int_values(codes, e, m)[same], ref_int(parts)[same])


@pytest.mark.parametrize("e, m", FORMATS)
def test_values_agree_to_float32_rounding_where_codes_agree(e, m):
    x, bias, parts, codes, got, want, dist = agreement(e, m)
    same = got == want
    ref = parts.x_q.double().numpy()[same]
    val = lfp4_int.decode(codes, e, m, bias)[same]
    rel = np.abs(val - ref) / np.where(ref == 0, 1.0, np.abs(ref))
    print(f"seed {SEED} e{e}m{m}: max relative value difference {rel.max():.3g} "
          f"({np.mean(val == ref):.1%} bit-equal)")
    assert np.all(rel <= VALUE_RTOL)
    assert np.array_equal(np.signbit(val), np.signbit(ref))   # -0 on both sides


@pytest.mark.parametrize("e, m", FORMATS)
def test_codes_agree_exactly_far_from_boundaries(e, m):
    rng = np.random.default_rng(SEED)
    print(f"seed {SEED}")
    n = 20000
    g = grid_magnitudes(e, m)
    i = rng.integers(0, g.size - 1, n)
    u = np.where(rng.random(n) < 0.5, rng.uniform(0.02, 0.48, n), rng.uniform(0.52, 0.98, n))
    t = g[i] + u * (g[i + 1] - g[i])
    t = np.where(rng.random(n) < 0.1, g[-1] * rng.uniform(1.02, 50, n), t)    # saturation
    bias = rng.uniform(-3.0, 6.0, n).astype(np.float32)
    x = (t * rng.choice([-1.0, 1.0], n) * lfp4_int.pow2(-bias.astype(np.float64))).astype(np.float32)
    assert rel_distance_to_boundary(lfp4_int.grid_input(x, bias), e, m).min() > 1e-3
    parts = lfp4.fake_quant_parts(torch.from_numpy(x), e, m, torch.from_numpy(bias))
    codes = lfp4_int.encode(x, e, m, bias)
    assert np.array_equal(emu.decode(codes, lfp4_int.grid_format(e, m)), ref_grid_value(parts, m))
    assert np.array_equal(lfp4_int.int_values(codes, e, m), ref_int(parts))


# ---- question (a): a_scale is the per-element step (llm-fp4.md §6a) -------------------------------
def test_a_per_element_step_varies_under_one_per_tensor_bias():
    """E2M1, one tensor-wide bias 1: t = 2x = 0.6, 2, 5, 10, 10 -> L = 1, 1, 2, 3, 3 ->
    step 2^(L - 1 - 1) = 0.5, 0.5, 1, 2, 2."""
    x = torch.tensor([0.3, 1.0, 2.5, 5.0, -5.0])
    assert lfp4.per_element_step(x, 2, 1, 1.0).tolist() == [0.5, 0.5, 1.0, 2.0, 2.0]


def test_a_per_element_step_carries_2_pow_L_under_a_real_calibrated_bias():
    x = torch.tensor([0.01, 0.3, 1.0, 2.5, 5.0])
    bias = lfp4.bias_from_max(2, 1, x.abs().max())       # per tensor, Eq. 7
    parts = lfp4.fake_quant_parts(x, 2, 1, bias)
    steps = parts.step.double().numpy()
    ratio = steps / np.exp2(parts.L.double().numpy())     # the per-tensor part 2^(-m - b)
    print(f"bias {float(bias):.6f}: L {parts.L.tolist()}, step {steps.tolist()}")
    assert len(set(parts.L.tolist())) == 3 and len(set(steps.tolist())) == 3
    assert np.allclose(ratio, np.exp2(-1 - float(bias)), rtol=VALUE_RTOL, atol=0)


# ---- question (b): Eq. 8 and the stored scale (llm-fp4.md §6b) ------------------------------------
def _eq8_data(integer_bias):
    rng = np.random.default_rng(SEED)
    print(f"seed {SEED}")
    w = (rng.standard_t(3, (64, 256)) * np.exp2(rng.uniform(-6, 2, (64, 1)))).astype(np.float32)
    bias = lfp4.bias_from_max(2, 1, np.abs(w).max(axis=1, keepdims=True).astype(np.float64))
    bias = (np.round(bias) if integer_bias else bias * rng.uniform(0.9, 1.1, bias.shape)).astype(np.float32)
    codes = lfp4_int.encode(w, 2, 1, bias)
    parts = lfp4.fake_quant_parts(torch.from_numpy(w), 2, 1, torch.from_numpy(bias))
    return w, bias, codes, parts


def test_b_code_read_by_ocp_e2m1_times_2_pow_1_minus_b_is_the_fake_quant_value():
    w, bias, codes, parts = _eq8_data(integer_bias=False)
    ocp = emu.decode(codes, "e2m1")                           # OCP E2M1: bias 1
    assert np.array_equal(ocp * 2.0, emu.decode(codes, "e2m1_b0"))
    stored_scale = lfp4_int.pow2(1.0 - bias.astype(np.float64))
    assert np.array_equal(ocp * stored_scale, lfp4_int.decode(codes, 2, 1, bias))
    far = rel_distance_to_boundary(lfp4_int.grid_input(w, bias), 2, 1) > NEAR
    assert np.array_equal((ocp * 2.0)[far], ref_int(parts)[far])   # I(c) = n * 2^(L - 1), m = 1
    ref = parts.x_q.double().numpy()
    assert np.allclose((ocp * stored_scale)[far], ref[far], rtol=VALUE_RTOL, atol=0)


def test_b_code_read_by_ocp_e2m1_is_exact_with_an_integer_bias():
    w, bias, codes, parts = _eq8_data(integer_bias=True)
    ocp = emu.decode(codes, "e2m1")
    ref = parts.x_q.double().numpy()
    assert np.array_equal(ocp * np.exp2(1.0 - bias), ref)
    assert np.array_equal(ocp * np.exp2(-bias.astype(np.float64)), ref / 2)


def test_b_scaling_by_2_pow_minus_b_instead_is_wrong_by_exactly_2():
    w, bias, codes, parts = _eq8_data(integer_bias=False)
    ocp = emu.decode(codes, "e2m1")
    wrong = ocp * lfp4_int.pow2(-bias.astype(np.float64))
    right = lfp4_int.decode(codes, 2, 1, bias)
    nonzero = right != 0
    assert nonzero.mean() > 0.5
    assert np.array_equal(wrong * 2.0, right)
    ref = parts.x_q.double().numpy()
    assert np.allclose(wrong[nonzero] / ref[nonzero], 0.5, rtol=VALUE_RTOL, atol=0)


# ---- question (c): distinct values under per-channel offsets (llm-fp4.md §6c) ----------------------
RHO = np.float32(0.37)    # one real per-tensor bias; any value gives the same counts


@pytest.mark.parametrize("e, m, most", [pytest.param(2, 1, 27, id="e2m1-27"),
                                        pytest.param(1, 2, 23, id="e1m2-23"),
                                        pytest.param(3, 0, 29, id="e3m0-29")])
def test_c_union_of_shifted_grids_has_at_most_n_values(e, m, most):
    per_offset = [lfp4_int.decode(ALL_CODES, e, m, np.float64(RHO) + b) for b in range(1 << e)]
    assert all(np.unique(v).size == 15 for v in per_offset)          # one channel: <= 15 values
    assert np.unique(np.concatenate(per_offset)).size == most


def test_c_e2m1_union_magnitudes_are_the_13_listed():
    want = [Fr(1, 8), Fr(1, 4), Fr(3, 8), Fr(1, 2), Fr(3, 4), 1, Fr(3, 2), 2, 3, 4, 6, 8, 12]
    want = np.array([float(v) for v in want])
    exact = np.concatenate([lfp4_int.decode(ALL_CODES, 2, 1, b) for b in range(4)])
    assert np.array_equal(np.unique(np.abs(exact))[1:], want)
    real = np.concatenate([lfp4_int.decode(ALL_CODES, 2, 1, np.float64(RHO) + b) for b in range(4)])
    assert np.array_equal(np.unique(np.abs(real))[1:], want * lfp4_int.pow2(-np.float64(RHO)))


@pytest.mark.parametrize("e, m, most", [pytest.param(2, 1, 27, id="e2m1-27"),
                                        pytest.param(1, 2, 23, id="e1m2-23"),
                                        pytest.param(3, 0, 29, id="e3m0-29")])
def test_c_float_reference_values_cluster_onto_at_most_n_values(e, m, most):
    """The float32 simulation can print *more* distinct floats than the exact count: the same
    exact value reached through different (L, b_j) gets differently rounded 2^(L - m - b)."""
    rng = np.random.default_rng(SEED)
    smax = float(lfp4_int.grid_format(e, m).max_value)
    bias = torch.tensor(RHO) + torch.arange(1 << e, dtype=torch.float32)          # rho + b_j, float32
    t = torch.from_numpy(rng.uniform(-1.1 * smax, 1.1 * smax, (50_000, 1 << e)).astype(np.float32))
    q = np.unique(lfp4.fake_quant(t * 2.0 ** -bias, e, m, bias).double().numpy())
    clusters = 1 + int(np.sum(np.diff(q) > VALUE_RTOL * np.abs(q[1:])))
    print(f"seed {SEED} e{e}m{m}: {q.size} distinct float32 values, {clusters} within {VALUE_RTOL:g}")
    assert clusters == most


# ---- lfp4_int API ------------------------------------------------------------------------------
@pytest.mark.parametrize("e, m, smax", [pytest.param(3, 0, 128, id="e3m0"), pytest.param(2, 1, 12, id="e2m1"),
                                        pytest.param(1, 2, 3.5, id="e1m2")])
def test_grid_format_is_the_bias_0_grid(e, m, smax):
    fmt = lfp4_int.grid_format(e, m)
    assert (fmt.exp_w, fmt.man_w, fmt.bias, fmt.subnormals, fmt.specials) == (e, m, 0, True, "fn")
    assert fmt.max_value == smax


@pytest.mark.parametrize("e, m", [pytest.param(2, 2, id="e2m2"), pytest.param(4, 3, id="e4m3"),
                                  pytest.param(0, 3, id="e0m3")])
def test_grid_format_refuses_other_splits_naming_the_pair(e, m):
    with pytest.raises(ValueError, match=rf"\({e}, {m}\)"):
        lfp4_int.grid_format(e, m)


def test_int_values_of_e2m1_are_the_int5_table():
    assert sorted(set(lfp4_int.int_values(ALL_CODES, 2, 1).tolist())) == \
        [-12, -8, -6, -4, -3, -2, -1, 0, 1, 2, 3, 4, 6, 8, 12]


def test_encode_takes_torch_input_per_row_bias_and_nan():
    x = torch.tensor([[1.0, -3.0, float("nan")], [1.0, -3.0, 0.5]])
    bias = np.array([[0.0], [1.0]])
    codes = lfp4_int.encode(x, 2, 1, bias)
    assert codes.tolist() == [[0b0_00_1, 0b1_01_1, 0b0_00_0],   # t = +1 (subnormal), -3, NaN -> +0
                              [0b0_01_0, 0b1_10_1, 0b0_00_1]]   # t = 2x: +2, -6, +1


# ---- the released eval path's int64 mantissa buffer (llm-fp4.md §1.1 as executed) ------------------
def test_int64_mantissa_buffer_moves_the_clamp_to_2_pow_2e_minus_b():
    """get_maxval_from_bias computes (2 - 2 ** (-M)) with M the int64 buffer: torch's integer
    pow gives 2 ** -1 = 0, so the clamp is 16 (not 12) at E2M1 bias 0 and t >= 14 rounds to 16."""
    assert int(2 - 2 ** (-torch.tensor(1))) == 2
    x = torch.tensor([13.0, 14.0, 15.0, 100.0, -100.0])
    assert lfp4.fake_quant(x, 2, 1, 0.0).tolist() == [12.0, 12.0, 12.0, 12.0, -12.0]
    assert lfp4.fake_quant(x, 2, 1, 0.0, int64_mantissa=True).tolist() == [12.0, 16.0, 16.0, 16.0, -16.0]
    assert lfp4.fake_quant(x * 10, 3, 0, 0.0, int64_mantissa=True).tolist() == [128.0] * 4 + [-128.0]
