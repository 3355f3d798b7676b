"""Real-layer golden packs (golden/layer_pack.py, docs/layer_packs.md): a quantized MiniLM
Linear's E2M1 codes walked through the dot unit. Generation is deterministic, the pack alone
reproduces the quantized layer's output exactly, and rtl/fp4_mac.v passes it on both simulators
(reusing the build of a default dot parameter set)."""
import fcntl
import json
import os
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from fp4ref.emu import get_format
from fp4ref.emu.lookup import get_lookup
from fp4ref.golden import layer_pack as lp
from fp4ref.golden import manifest
from fp4ref.golden.defaults import MAC_DOTS
from fp4ref.golden.mac_pack import MacPackSpec, signed
from fp4ref.golden.pack import load, render
from fp4ref.rtl_tb.runner import run_unit
from fp4ref.rtl_tb.sims import SIMS

F = get_format(lp.FORMAT)
ROWS, IN, TOKENS = 384, 384, lp.DEFAULT_TOKENS
VECTORS = TOKENS * ROWS * IN // lp.LANES          # 36,864


@pytest.fixture(scope="session")
def pack_dir(tmp_path_factory):
    """The default pack (query of layer 0, GPTQ, 4 tokens), generated once per
    test session and shared by the pytest workers (a lock)."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    root = root / "layer_packs"
    root.mkdir(parents=True, exist_ok=True)
    target = root / "default"
    with open(root / ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            manifest.verify(target)
        except ValueError:
            lp.generate(target)
    return target


def npload(d, name):
    return np.load(Path(d) / name)


def test_generation_is_byte_identical(pack_dir):
    """A second generation (another process's, under xdist) gives the same bytes in every file."""
    _, files, _ = lp.build(lp.quantize_layer())
    record = json.loads(files[manifest.MANIFEST])
    assert sorted(files) == sorted(list(record["files"]) + [manifest.MANIFEST])
    for name, data in files.items():
        assert (pack_dir / name).read_bytes() == data, name
    assert manifest.verify(pack_dir)["files"] == record["files"]


def test_pack_is_a_standard_dot_pack_of_a_default_build(pack_dir):
    record, cols = load(pack_dir)
    opt = record["options"]
    assert record["unit"] == "dot" and record["count"] == VECTORS
    # the same fields as a MacPackSpec dot pack with these options, so the dot bench reads it
    std = MacPackSpec("dot", F, F, opt["lanes"], opt["acc_w"], opt["policy"], opt["order"],
                      opt["shift_max"], n_random=0)
    assert record["fields"] == json.loads(render(std)[manifest.MANIFEST])["fields"]
    assert record["format"] == json.loads(render(std)[manifest.MANIFEST])["format"]
    # ... and its parameters are a default dot set's: the RTL tests reuse that simulator build
    assert (lp.FORMAT, lp.FORMAT, opt["lanes"], opt["acc_w"], opt["policy"], opt["order"],
            opt["shift_max"]) in MAC_DOTS
    lay = record["layer"]
    assert lay["name"] == lp.DEFAULT_LAYER and lay["weights"]["method"] in lp.METHODS
    assert lay["weights"]["method"] == "gptq"
    assert lay["shape"] == [ROWS, IN] and opt["shift_max"] == 3 and opt["lanes"] == 16
    acc = lay["accumulator"]
    assert acc["overflows_in_pack"] == 0 and not cols["ovf"].any()
    assert acc["bits_observed"] <= opt["acc_w"] < acc["bits_worst_case_group"] == 19
    assert acc["bits_worst_case_cycle"] == 16
    assert acc["bits_observed"] <= acc["bits_l1"] <= acc["bits_worst_case_group"]


def test_vectors_walk_each_row_in_chains_of_acc_in(pack_dir):
    record, cols = load(pack_dir)
    w = record["options"]["acc_w"]
    wk = record["layer"]["walk"]
    t, r, g, v = wk["tokens"], wk["rows"], wk["groups"], wk["vectors_per_group"]
    assert (t, r, g, v) == (TOKENS, ROWS, IN // 128, 128 // 16)
    acc_in = signed(cols["acc_in"], w).reshape(t, r, g, v)
    acc = signed(cols["acc"], w).reshape(t, r, g, v)
    assert (acc_in[..., 0] == 0).all()
    assert (acc_in[..., 1:] == acc[..., :-1]).all()
    # lanes are the layer's codes: vector (t, k, g, v) lane j is column 128 g + 16 v + j
    codes, xc, sh = npload(pack_dir, "codes.npy"), npload(pack_dir, "act_codes.npy"), npload(pack_dir, "shifts.npy")
    g_idx = npload(pack_dir, "g_idx.npy")
    assert (g_idx == np.arange(IN) // 128).all()
    x = np.stack([cols[f"x{j}"] for j in range(16)], 1).reshape(t, r, IN)
    wl = np.stack([cols[f"w{j}"] for j in range(16)], 1).reshape(t, r, IN)
    s = np.stack([cols[f"s{j}"] for j in range(16)], 1).reshape(t, r, IN)
    assert (x == xc[:, None, :]).all() and (wl == codes[None]).all() and (s == sh[None, None, :]).all()
    # the histogram counts the weight codes
    hist = json.loads((pack_dir / "codes.json").read_text())
    assert [h["count"] for h in hist["weight_codes"]] == np.bincount(codes.ravel(), minlength=16).tolist()
    assert sum(h["count"] for h in hist["activation_codes"]) == TOKENS * IN


def reference(pack_dir):
    """The quantized layer's output in float64 from the dequantized operands alone: the quantizer's
    codes (emu.lookup's E2M1 table), scales, shifts and act_scale; x^ w^ products are exact in
    float64 (2 + 24 significant bits each) and math.fsum rounds their exact sum once."""
    import math
    table = np.array(get_lookup("e2m1").f32_bits, np.uint32).view(np.float32).astype(np.float64)
    codes, scales = npload(pack_dir, "codes.npy"), npload(pack_dir, "scales.npy").astype(np.float64)
    g_idx, sh = npload(pack_dir, "g_idx.npy"), npload(pack_dir, "shifts.npy").astype(np.int64)
    act_scale = float(npload(pack_dir, "act_scale.npy"))
    wh = table[codes] * scales[:, g_idx]
    xh = table[npload(pack_dir, "act_codes.npy")] * np.exp2(-sh)[None, :] * act_scale
    return np.array([[math.fsum(xi * wk) for wk in wh] for xi in xh]), xh, wh


def test_pack_reproduces_the_quantized_layer_exactly(pack_dir):
    y = lp.reconstruct(pack_dir)
    ref, xh, wh = reference(pack_dir)
    assert y.shape == (TOKENS, ROWS)
    assert np.array_equal(y, ref)
    assert np.array_equal(npload(pack_dir, "y.npy"), ref)
    # exact rationals on a subset: sum_j x^ w^ == act_scale 2^unit_exp sum_g scale acc, no rounding
    record, cols = load(pack_dir)
    lay = record["layer"]
    acc = signed(cols["acc"], record["options"]["acc_w"]).reshape(TOKENS, ROWS, IN // 128, 8)[..., -1]
    scales, act_scale = npload(pack_dir, "scales.npy"), Fraction(float(npload(pack_dir, "act_scale.npy")))
    unit = Fraction(2) ** lay["output"]["unit_exp"]
    for t in range(TOKENS):
        for k in range(0, ROWS, 37):
            exact = sum(Fraction(float(a)) * Fraction(float(b)) for a, b in zip(xh[t], wh[k]))
            assert exact == act_scale * unit * sum(Fraction(float(s)) * int(a) for s, a in zip(scales[k], acc[t, k]))
    # and it is the layer: close to the float32 layer's own output (bias added)
    assert lay["output"]["rel_rms_error_vs_float_layer"] < 0.2          # 0.138 with GPTQ


@pytest.mark.parametrize("sim", SIMS)
def test_layer_pack_passes_fp4_mac(sim, pack_dir, record_rtl):
    run = run_unit("dot", sim, [pack_dir])
    record_rtl(run, "dot")
    assert run.mismatches == 0 and run.failed == 0, f"see {run.build}/sim.log"
    assert run.vectors == VECTORS


# ---- the walk on a synthetic layer (no model): padding-free shuffled groups, no pre-shift ------
def synthetic(rng, rows=24, k=256, tokens=3, shift_max=3, shuffle=False):
    x = rng.standard_normal((40, k)).astype(np.float32) * np.exp2(rng.integers(-4, 3, k)).astype(np.float32)
    w = (rng.standard_normal((rows, k)) * 0.05).astype(np.float32)
    codes, scales, g_idx = lp.rtn_weights(w)
    if shuffle:                         # act-order-like: each group's columns scattered
        g_idx = rng.permutation(g_idx)
    act_scale, shifts = lp.activation_scaling(x, shift_max)
    return lp.QuantLayer("synthetic.0.dense", "rtn", "synthetic", codes, scales, g_idx, act_scale,
                         shifts, shift_max, lp.encode_activations(x, act_scale, shifts),
                         np.arange(tokens) * 13, 1)


@pytest.mark.parametrize("shift_max, shuffle", [(3, False), (0, False), (3, True)])
def test_synthetic_layer_reconstructs_exactly(shift_max, shuffle, rng, tmp_path):
    q = synthetic(rng, shift_max=shift_max, shuffle=shuffle)
    out, summary = lp.write(q, tmp_path / "p")
    assert summary["vectors"] == 3 * 24 * 256 // 16
    assert np.array_equal(lp.reconstruct(out), lp.reference_output(q))
    record, cols = load(out)
    assert record["options"]["shift_max"] == shift_max
    assert (signed(cols["acc_in"], record["options"]["acc_w"]).reshape(3, 24, 2, 8)[..., 0] == 0).all()


def test_activation_rule_puts_each_channel_max_in_the_top_binade(rng):
    x = rng.standard_normal((50, 64)).astype(np.float32) * np.exp2(rng.integers(-6, 2, 64)).astype(np.float32)
    x[:, 5] = 0
    scale, s = lp.activation_scaling(x, 3)
    m = np.abs(x).max(0)
    assert scale == np.float32(m.max() / np.float32(6))
    assert s[5] == 3 and s.min() >= 0 and s.max() <= 3
    # exact in float32 (scaling by 2^s): M_j * 2^s_j <= M, and one more doubling passes M unless
    # s_j is capped at B: each channel's max lands in the top binade of the tensor's max
    live = m > 0
    assert (np.ldexp(m[live], s[live]) <= m.max()).all()
    below = live & (s < 3)
    assert below.any() and (np.ldexp(m[below], s[below] + 1) > m.max()).all()


def test_bad_input_is_one_line_value_error(tmp_path):
    with pytest.raises(ValueError, match="no Linear named"):
        lp.quantize_layer("encoder.layer.9.nope")
    with pytest.raises(ValueError, match="tokens"):
        lp.quantize_layer(tokens=0)
    with pytest.raises(ValueError, match="method"):
        lp.check_args(lp.DEFAULT_LAYER, 4, "awq")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep")
    with pytest.raises(ValueError, match="not an fp4ref output folder"):
        lp.generate(tmp_path / "mine")
