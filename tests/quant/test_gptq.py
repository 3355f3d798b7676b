"""Weight quantizers over any grid (quant.grids, quant.gptq): RTN equals emu's RTN bit for bit,
GPTQ follows the reference algorithm, handles singular Hessians, exports codes + scales + groups
that reproduce its weight exactly, and beats RTN on real MiniLM layers."""
import argparse

import numpy as np
import pytest
import torch

from fp4ref.emu.lookup import lookup_names
from fp4ref.emu.lookup_scale import fake_quantize
from fp4ref.quant import gptq as G
from fp4ref.quant.grids import DEFAULT_FORMATS, grid, grid_names, group_params, quantize_column

#: fixed seed of the random layers and of the choice of MiniLM layers (printed by the tests)
SEED = 20261124


def _layer(rng, out=24, n=300, rows=600):
    w = rng.standard_t(5, size=(out, n)).astype(np.float32) * np.float32(0.05)
    x = rng.standard_normal((rows, n)).astype(np.float32)
    x[:, 1::3] += 0.8 * x[:, 0::3][:, :x[:, 1::3].shape[1]]      # correlated inputs
    x *= rng.uniform(0.2, 3.0, size=n).astype(np.float32)         # uneven input scales
    return w, x


def _out_mse(w, q, x):
    d = x.astype(np.float64) @ (q.astype(np.float64) - w.astype(np.float64)).T
    return float((d ** 2).mean())


# --------------------------------------------------------------------------- grids and RTN

@pytest.mark.parametrize("fmt", lookup_names())
def test_rtn_through_grid_equals_emu_fake_quantize(fmt):
    rng = np.random.default_rng(SEED)
    w = rng.standard_t(4, size=(16, 300)).astype(np.float32)
    w[0, :128] = 0                                   # an all-zero group
    w[1, :8] = [0.5, -0.5, 1.5, 2.5, -2.5, 5, -5, 7]  # exact midpoints on the uniform grids (int4_sym, e1m2)
    w[2] = -np.abs(w[2])                             # negative-dominated rows (int_full sign)
    for gs in (128, 64, -1, 1000):
        q = G.rtn(w, fmt, gs)
        ref = fake_quantize(w, fmt, group_size=gs)
        assert np.array_equal(q.weight.view(np.uint32), ref.view(np.uint32)), (fmt, gs)
        assert np.array_equal(q.dequantize().view(np.uint32), q.weight.view(np.uint32))


def test_grid_catalogue_and_three_bit_grids():
    assert set(DEFAULT_FORMATS) <= set(grid_names())
    assert all(grid(n).name == n for n in grid_names())
    s, a = grid("int3_sym"), grid("int3-asym")
    assert s.bits == a.bits == 3 and grid("nf4").bits == 4
    assert s.levels.tolist() == [-3, -2, -1, 0, 1, 2, 3] and s.level_codes.tolist() == [5, 6, 7, 0, 1, 2, 3]
    w = np.array([[3.0, -1.5, 0.5, -0.5, 2.5, 1.0]], dtype=np.float32)   # absmax 3 -> scale 1
    scale, zero = group_params(s, w)
    assert scale.tolist() == [1.0] and zero is None
    codes, deq = quantize_column(s, w, scale[:, None])
    # RNE: -1.5 -> -2, 2.5 -> 2; -0.5 -> code 0, +0 (bit patterns: the sign of zero counts)
    assert np.array_equal(deq.view(np.uint32), np.array([[3, -2, 0, 0, 2, 1]], np.float32).view(np.uint32))
    w = np.array([[-1.0, 0.0, 2.5, 6.0]], dtype=np.float32)             # (6 - -1) / 7 = 1, zp 1
    scale, zero = group_params(a, w)
    assert scale.tolist() == [1.0] and zero.tolist() == [1]
    codes, deq = quantize_column(a, w, scale[:, None], zero[:, None])
    assert codes.tolist() == [[0, 1, 3, 7]] and deq.tolist() == [[-1, 0, 2, 6]]
    with pytest.raises(ValueError, match="unknown format"):
        grid("int5")


def test_every_grid_is_an_emu_lookup_format():
    """fp4ref.quant.grids defines no format of its own: every grid, the 3-bit ones too, is an emu.lookup
    format's table, width, scale rule and tie rule."""
    from fp4ref.emu.lookup import get_lookup
    assert grid_names() == lookup_names(3) + lookup_names()
    for n in grid_names():
        g, f = grid(n), get_lookup(n, bits=None)
        assert g.lookup == f and (g.title, g.bits, g.scale_rule, g.tie) == (f.title, f.bits, f.scale_rule,
                                                                             f.default_tie)
        assert np.array_equal(g.table.view(np.uint32), f.values.view(np.uint32))


@pytest.mark.parametrize("fmt, code, match", [
    ("int3_sym", 4, "int3_sym: code 0b100 is not used by this format"),
    ("int3_sym", 8, "int3_sym: code 8 is outside 0..7"),
    ("int3_asym", 8, "int3_asym: code 8 is outside 0..7"),
    ("apot4", 8, "apot4: code 0b1000 is not used by this format"),
    ("e2m1", 16, "e2m1: code 16 is outside 0..15"),
    ("int4_asym", 16, "int4_asym: code 16 is outside 0..15"),
])
def test_dequantize_checks_codes_like_emu_lookup(fmt, code, match):
    codes = np.array([[1, code]], np.uint8)
    with pytest.raises(ValueError, match=match) as e:
        G.dequantize(fmt, codes, np.ones((1, 1), np.float32), np.zeros((1, 1), np.int64),
                     np.zeros(2, np.int64))
    assert "\n" not in str(e.value)


# --------------------------------------------------------------------------- GPTQ properties

@pytest.mark.parametrize("fmt", ["int3_sym", "int3_asym", "int4_full", "e2m1", "nf4"])
def test_diagonal_hessian_gives_rtn_exactly(fmt):
    """With H diagonal, H^-1 and its Cholesky factor are diagonal: row i of U has no entries
    right of the diagonal, so no error is fed forward; with groups in the original order
    (no act-order, or act-order with static groups, or one group per row) GPTQ is RTN bit for bit,
    whatever the damping."""
    rng = np.random.default_rng(SEED)
    w, _ = _layer(rng)
    ref = G.rtn(w, fmt, 128)
    for H in (torch.eye(300, dtype=torch.float64),
              torch.diag(torch.from_numpy(rng.uniform(0.01, 5, 300)))):
        for kw in ({}, {"act_order": True, "static_groups": True}, {"damp": 1.0}):
            q = G.gptq(w, H, fmt, 128, **kw)
            assert np.array_equal(q.codes, ref.codes) and np.array_equal(q.scales, ref.scales)
            assert np.array_equal(q.weight.view(np.uint32), ref.weight.view(np.uint32))
        q = G.gptq(w, H, fmt, -1, act_order=True)
        assert np.array_equal(q.weight.view(np.uint32), G.rtn(w, fmt, -1).weight.view(np.uint32))


def _reference_fasterquant(W, H, g, blocksize=128, percdamp=.01, groupsize=-1, actorder=False,
                           static_groups=False):
    """IST-DASLab gptq.py GPTQ.fasterquant, literally, in float64, with the grid as quantizer."""
    W = torch.from_numpy(W.astype(np.float64)).clone()
    H = H.clone()
    columns = W.shape[1]

    def find_params(x):
        return group_params(g, x.numpy().astype(np.float32))

    def quantize(w, params):
        s, z = params
        return torch.from_numpy(quantize_column(g, w.numpy().astype(np.float32), s, z)[1].astype(np.float64))

    params = find_params(W)
    dead = torch.diag(H) == 0
    H[dead, dead] = 1
    W[:, dead] = 0
    if static_groups:
        groups = [find_params(W[:, i:i + groupsize]) for i in range(0, columns, groupsize)]
    if actorder:
        perm = torch.argsort(torch.diag(H), descending=True)
        W, H = W[:, perm], H[perm][:, perm]
        invperm = torch.argsort(perm)
    Q = torch.zeros_like(W)
    damp = percdamp * torch.mean(torch.diag(H))
    diag = torch.arange(columns)
    H[diag, diag] += damp
    H = torch.linalg.cholesky(H)
    H = torch.cholesky_inverse(H)
    Hinv = torch.linalg.cholesky(H, upper=True)
    for i1 in range(0, columns, blocksize):
        i2 = min(i1 + blocksize, columns)
        W1 = W[:, i1:i2].clone()
        Q1 = torch.zeros_like(W1)
        Err1 = torch.zeros_like(W1)
        Hinv1 = Hinv[i1:i2, i1:i2]
        for i in range(i2 - i1):
            w = W1[:, i]
            d = Hinv1[i, i]
            if groupsize != -1:
                if not static_groups:
                    if (i1 + i) % groupsize == 0:
                        params = find_params(W[:, (i1 + i):(i1 + i + groupsize)])
                else:
                    idx = i1 + i
                    if actorder:
                        idx = perm[idx]
                    params = groups[idx // groupsize]
            q = quantize(w, params)
            Q1[:, i] = q
            err1 = (w - q) / d
            W1[:, i:] -= err1.unsqueeze(1).matmul(Hinv1[i, i:].unsqueeze(0))
            Err1[:, i] = err1
        Q[:, i1:i2] = Q1
        W[:, i2:] -= Err1.matmul(Hinv[i1:i2, i2:])
    if actorder:
        Q = Q[:, invperm]
    return Q.numpy().astype(np.float32)


@pytest.mark.parametrize("fmt,gs,kw", [
    ("int4_sym", 128, {}), ("nf4", 128, {"act_order": True}), ("e2m1", -1, {}),
    ("int3_asym", 64, {"blocksize": 64}), ("e2m1_sr", 128, {"act_order": True, "static_groups": True}),
])
def test_gptq_matches_the_reference_algorithm(fmt, gs, kw):
    """Where the block size divides the group size (the reference's own setting), quant.gptq
    and a literal port of the reference agree (up to float64 summation order in the block
    update, which may move a rare element across a rounding boundary)."""
    rng = np.random.default_rng(SEED)
    w, x = _layer(rng, out=16, n=256)
    H = G.hessian(x)
    q = G.gptq(w, H, fmt, gs, **kw)
    ref = _reference_fasterquant(w, H, grid(fmt), groupsize=gs, actorder=kw.get("act_order", False),
                                 static_groups=kw.get("static_groups", False),
                                 blocksize=kw.get("blocksize", 128))
    assert np.mean(q.weight == ref) > 0.999
    assert _out_mse(w, q.weight, x) == pytest.approx(_out_mse(w, ref, x), rel=1e-3)


def test_lazy_block_size_changes_nothing_but_rounding():
    rng = np.random.default_rng(SEED)
    w, x = _layer(rng, out=16, n=300)
    H = G.hessian(x)
    base = G.gptq(w, H, "nf4", 128, blocksize=128)
    for bs in (1, 32, 300):
        assert np.mean(G.gptq(w, H, "nf4", 128, blocksize=bs).codes == base.codes) > 0.999


def test_gptq_beats_rtn_on_a_random_layer():
    print(f"seed {SEED}")
    rng = np.random.default_rng(SEED)
    w, x = _layer(rng)
    H = G.hessian(x)
    for fmt in ("int3_sym", "int4_asym", "e2m1", "nf4"):
        r = _out_mse(w, G.rtn(w, fmt).weight, x)
        for ao in (False, True):
            assert _out_mse(w, G.gptq(w, H, fmt, act_order=ao).weight, x) < 0.8 * r, (fmt, ao)


# --------------------------------------------------------------------------- bad input

def test_singular_hessians_give_finite_weights_and_a_report():
    rng = np.random.default_rng(SEED)
    w, x = _layer(rng, out=8, n=200, rows=50)        # 50 rows for 200 inputs: rank <= 50
    x[:, [3, 77, 150]] = 0                           # dead inputs
    x[:, 10] = x[:, 11]                              # duplicated inputs
    H = G.hessian(x)
    for ao in (False, True):
        q = G.gptq(w, H, "int4_sym", 128, act_order=ao)
        assert np.isfinite(q.weight).all() and np.array_equal(q.dequantize(), q.weight)
        assert q.report["dead_inputs"] == [3, 77, 150] and q.report["damp_used"] == 0.01
        assert not q.report["fallback_rtn"] and q.report["retries"] == 0
        assert (q.weight[:, [3, 77, 150]] == 0).all()   # the reference zeroes dead columns
    # an indefinite "Hessian": Cholesky fails until the damping is raised, and that is reported
    H = torch.tensor([[1.0, 3.0], [3.0, 1.0]], dtype=torch.float64)   # eigenvalues -2, 4
    q = G.gptq(w[:, :2], H, "nf4", -1)
    assert q.report["retries"] == 3 and q.report["damp_used"] == pytest.approx(10.0)
    assert np.isfinite(q.weight).all()
    # nothing helps (negative diagonal): no error feedback at all, reported, still finite
    q = G.gptq(w[:, :4], -torch.eye(4, dtype=torch.float64), "nf4", -1)
    assert q.report["fallback_rtn"] and np.array_equal(q.weight, G.rtn(w[:, :4], "nf4", -1).weight)
    # all inputs dead
    q = G.gptq(w[:, :4], torch.zeros(4, 4, dtype=torch.float64), "e2m1", -1)
    assert q.report["dead_inputs"] == [0, 1, 2, 3] and (q.weight == 0).all()


def test_bad_arguments_are_one_line_value_errors():
    w = np.ones((2, 4), dtype=np.float32)
    H = torch.eye(4, dtype=torch.float64)
    for kw, msg in [({"group_size": 0}, "group size"), ({"group_size": -2}, "group size"),
                    ({"damp": 0.0}, "damp"), ({"damp": 1.5}, "damp"), ({"blocksize": 0}, "blocksize")]:
        with pytest.raises(ValueError, match=msg):
            G.gptq(w, H, "nf4", **{"group_size": 2, **kw})
    with pytest.raises(ValueError, match="does not match"):
        G.gptq(w, torch.eye(3, dtype=torch.float64), "nf4")
    with pytest.raises(ValueError, match="NaN"):
        G.gptq(np.full((2, 4), np.nan, dtype=np.float32), H, "nf4")
    with pytest.raises(ValueError, match="unknown format"):
        G.rtn(w, "fp5")


# --------------------------------------------------------------------------- export

@pytest.mark.parametrize("fmt", ["int3_asym", "int4_asym", "int4_full", "e2m1", "nf4"])
def test_remainder_groups_and_exported_dequantization(fmt):
    """in = 300, group 128: groups 0..127, 128..255 and the shorter 256..299 (in quantization
    order); codes + scales (+ zeros) + the group of each column reproduce the weight exactly."""
    rng = np.random.default_rng(SEED)
    w, x = _layer(rng, n=300)
    H = G.hessian(x)
    for q in (G.rtn(w, fmt, 128), G.gptq(w, H, fmt, 128), G.gptq(w, H, fmt, 128, act_order=True),
              G.gptq(w, H, fmt, 128, act_order=True, static_groups=True)):
        assert q.scales.shape == (24, 3) and q.codes.dtype == np.uint8 and q.codes.shape == w.shape
        assert (q.zeros is not None) == fmt.endswith("asym")
        order = q.perm if q.perm is not None and not q.report.get("static_groups") else np.arange(300)
        assert q.groups[order].tolist() == [0] * 128 + [1] * 128 + [2] * 44
        deq = G.dequantize(q.grid, q.codes, q.scales, q.zeros, q.groups)
        assert np.array_equal(deq.view(np.uint32), q.weight.view(np.uint32))


def test_act_order_is_a_permutation_round_trip():
    """GPTQ with act-order on (W, H) is GPTQ without it on the permuted (W, H), un-permuted."""
    rng = np.random.default_rng(SEED)
    w, x = _layer(rng, n=300)
    H = G.hessian(x)
    q = G.gptq(w, H, "e2m1_sp", 128, act_order=True)
    perm = q.perm
    assert sorted(perm.tolist()) == list(range(300))
    d = torch.diagonal(H).numpy()[perm]
    assert (np.diff(d) <= 0).all()                                   # descending diag(H)
    p = G.gptq(w[:, perm], H[perm][:, perm], "e2m1_sp", 128)
    assert np.array_equal(q.codes[:, perm], p.codes) and np.array_equal(q.scales, p.scales)
    assert np.array_equal(q.weight[:, perm], p.weight) and np.array_equal(q.groups[perm], p.groups)


# --------------------------------------------------------------------------- MiniLM

@pytest.fixture(scope="module")
def minilm_layers():
    """3 layers of the three shapes (384x384, 1536x384, 384x1536), the block of each drawn with SEED."""
    from fp4ref.quant import gptq_experiment as X
    rng = np.random.default_rng(SEED)
    blocks = rng.choice(6, size=3, replace=True)
    kind = ["attention.self.value", "intermediate.dense", "output.dense"]
    layers = [f"encoder.layer.{b}.{k}" for b, k in zip(blocks, kind)]
    print(f"seed {SEED}: layers {layers}")
    return X.prepare(layers, sentences=X.HELD_OUT[:8])


def test_gptq_never_worse_than_rtn_on_minilm_layers(minilm_layers):
    from fp4ref.cli.gptq import markdown, table
    from fp4ref.quant import gptq_experiment as X
    rows = X.run(("int3_sym", "int4_sym", "e2m1", "nf4"), ("rtn", "gptq"), prep=minilm_layers,
                 cosine=False)
    for r in rows:
        print(r.fmt, "held-out", r.layer_rel_mse, "calibration", r.rel_mse_cal)
        for name in minilm_layers.layers:
            assert r.layer_rel_mse["gptq"][name] <= r.layer_rel_mse["rtn"][name], (r.fmt, name)
        assert r.rel_mse_cal["gptq"] <= r.rel_mse_cal["rtn"], r.fmt
        assert r.worse_layers("gptq") == []
    md = markdown(table(rows))
    assert md.count("\n") == 2 + len(rows) and "| int3_sym | 3 |" in md


def test_cli_rejects_bad_input_in_one_line():
    from fp4ref.cli import gptq as cli
    p = argparse.ArgumentParser()
    cli.add_parser(p.add_subparsers(dest="command"))
    for argv, msg in [(["--formats", "fp5"], "unknown format"), (["--group-size", "0"], "group-size"),
                      (["--damp", "0"], "damp"), (["--damp", "2"], "damp")]:
        args = p.parse_args(["gptq", *argv])
        with pytest.raises(ValueError, match=msg) as e:
            cli.cmd_gptq(args)
        assert "\n" not in str(e.value)
    args = p.parse_args(["gptq", "--no-act-order", "--group-size", "-1"])
    assert args.act_order is False and args.group_size == -1 and args.out is None
