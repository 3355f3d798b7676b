"""The FPQ search and the granularity rules on a real MiniLM layer and on constructed data."""
import numpy as np
import pytest
import torch

from fp4ref.quant import minilm
from fp4ref.quant.granularity import channel_biases, channel_offsets, tensor_bias, weight_biases
from fp4ref.quant.lfp4 import bias_from_max, maxval
from fp4ref.quant.methods import calibrate
from fp4ref.quant.search import SearchConfig, search_layer
from fp4ref.quant.sentences import CALIBRATION

QUICK = SearchConfig(n=10, rounds=1)


def test_candidate_gammas_follow_the_spec_and_the_release_option():
    g = SearchConfig().gammas()
    assert len(g) == 101 and g[0] == 0.01 and abs(g[-1] - 1.2) < 1e-12
    release = SearchConfig(include_last=False).gammas()
    assert len(release) == 100 and abs(release[-1] - 1.1881) < 1e-12     # llm-fp4.md §2.3


def test_eq7_bias_makes_the_format_max_equal_the_data_max():
    for e, m in ((3, 0), (2, 1), (1, 2)):
        for amax in (0.01, 1.0, 37.5):
            assert abs(maxval(e, m, bias_from_max(e, m, amax)) - amax) < 1e-9 * amax


@pytest.mark.parametrize("rounding, b_tilde, rho, want", [
    ("code", [2.6, 3.4, 0.2, 9.0], 1.6, [1, 1, 0, 3]),     # round(b~) - round(rho), clamped 0..3
    ("paper", [2.6, 3.4, 0.2, 9.0], 1.6, [1, 2, 0, 3]),    # round(b~ - rho): 3.4 - 1.6 = 1.8 -> 2
])
def test_channel_offsets_code_and_paper_rules(rounding, b_tilde, rho, want):
    assert channel_offsets(np.array(b_tilde), rho, 2, rounding).tolist() == want


def test_granularity_shapes_and_monotonicity(rng):
    w = rng.standard_normal((5, 7))
    x = rng.standard_normal((11, 7))
    assert weight_biases(w, 2, 1).shape == (5,)
    b = channel_biases(x, 2, 1)
    assert b.shape == (7,) and abs(b.min() - tensor_bias(x, 2, 1)) < 1e-12   # widest channel = tensor
    with pytest.raises(ValueError, match="rounding"):
        channel_offsets(b, 0.0, 2, "nearest")


@pytest.fixture(scope="module")
def layer():
    model, tok = minilm.load()
    name = "encoder.layer.0.attention.self.query"
    x, y = minilm.capture_linear_io(model, tok, CALIBRATION[:16], [name])[name]
    lin = dict(model.named_modules())[name]
    return x, lin.weight.detach(), lin.bias.detach(), y


def mse(q, x, w, b, y):
    return float(((torch.nn.functional.linear(q.quant_act(x), q.quant_weight(w), b) - y) ** 2).mean())


def test_the_weight_search_picks_each_channels_best_candidate(layer):
    """Brute force: every output channel's chosen bias beats every other candidate on that
    channel (gamma = 1, the starting bias, is not a candidate: the search may end above it)."""
    from fp4ref.quant.search import LayerQuant, _Layer, _search_w_bias
    from fp4ref.quant.lfp4 import fake_quant
    x, w, b, y = layer
    L = _Layer(x, w, b, y, QUICK)
    fmt = (2, 1)
    q = LayerQuant(fmt, L.w_init[fmt], fmt, L.rho_init[fmt], L.offsets(fmt, L.rho_init[fmt]))
    chosen = _search_w_bias(L, q, fmt)
    xq = q.quant_act(x)
    errs = []
    for g in QUICK.gammas():
        wq = fake_quant(w, *fmt, torch.as_tensor(g * L.w_init[fmt], dtype=torch.float32)[:, None])
        errs.append(((torch.nn.functional.linear(xq, wq, b) - y) ** 2).mean(dim=0).double().numpy())
    errs = np.array(errs)
    wq = fake_quant(w, *fmt, torch.as_tensor(chosen, dtype=torch.float32)[:, None])
    got = ((torch.nn.functional.linear(xq, wq, b) - y) ** 2).mean(dim=0).double().numpy()
    assert np.allclose(got, errs.min(axis=0), rtol=1e-6, atol=0)


def test_the_recorded_loss_is_the_final_layers_loss(layer):
    x, w, b, y = layer
    for cfg in (QUICK, SearchConfig(n=10, rounds=1, preshift=False)):
        q = search_layer(x, w, b, y, cfg)
        assert [step for step, _ in q.history] == ["init", "round 1"]
        assert abs(mse(q, x, w, b, y) - q.history[-1][1]) < 1e-9


def test_methods_rank_as_in_the_paper_on_a_real_layer(layer):
    x, w, b, y = layer
    err = {m: mse(calibrate(m, x, w, b, y, QUICK), x, w, b, y)
           for m in ("minmax_int4", "minmax_e2m1", "fpq_baseline", "fpq")}
    print(err)
    assert err["fpq"] <= err["fpq_baseline"] <= err["minmax_e2m1"]
    assert err["fpq"] < err["minmax_int4"]


def test_fpq_offsets_stay_in_range(layer):
    x, w, b, y = layer
    q = search_layer(x, w, b, y, QUICK)
    assert q.offsets.min() >= 0 and q.offsets.max() <= (1 << q.a_fmt[0]) - 1
    assert q.w_bias.shape == (w.shape[0],)
