"""SmolLM2-135M-Instruct as llama.cpp quantized it (issue 17, part 2), through `fp4ref gguf` as a
user runs it: every Q4_1 tensor (210) and the Q8_0 embedding of the real file dequantized by
emu.block equal gguf.quants.dequantize bit for bit, every block re-quantized from its
dequantized values gives back the file's bytes, and the llama.cpp question "does zero survive
Q4_1" is answered on the real blocks. Bad input: a truncated file, a tensor type fp4ref does not
read, a missing file."""
from __future__ import annotations

import subprocess
import sys

import numpy as np

from fp4ref.quant.smollm2 import gguf_path, zero_codes


def fp4ref(*args, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "fp4ref", "gguf", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=600)


def test_every_tensor_of_the_real_file_agrees_with_llama_cpp(tmp_path):
    res = fp4ref(cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    out = res.stdout
    assert "| Q4_1 | 210 | 106,168,320 | 3,317,760 | 0 | 0 | 33,483 (0.03%) | 3,308,768 (99.73%) |" in out
    assert "| Q8_0 | 1 | 28,311,552 | 884,736 | 0 | 0 | 291,645 (1.03%) | 0 (0.00%) |" in out
    assert "211 quantized tensors, 134,479,872 weights, 0 disagreements" in out


def test_zero_is_in_a_q4_1_block_only_when_a_code_lands_on_it():
    def block(d, m):
        b = np.zeros(20, np.uint8)
        b[0:2] = np.array([d], "<f2").view(np.uint8)
        b[2:4] = np.array([m], "<f2").view(np.uint8)
        return b
    raw = np.concatenate([block(1.0, -3.0), block(1.0, -2.5), block(0.1, 0.0), block(0.5, 0.25)])
    assert zero_codes(raw, "Q4_1").tolist() == [True, False, True, False]


def test_bad_input_is_one_line(tmp_path):
    import gguf

    (tmp_path / "cut.gguf").write_bytes(gguf_path().read_bytes()[:1_000_000])
    w = gguf.GGUFWriter(tmp_path / "q5.gguf", "llama")
    w.add_tensor("blk.0.ffn_up.weight", np.zeros((2, 22), np.uint8), raw_shape=(2, 22),
                 raw_dtype=gguf.GGMLQuantizationType.Q5_0)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    for args, text in ((["--file", "cut.gguf"], "cut.gguf: not a readable GGUF file"),
                       (["--file", "q5.gguf"], "tensor type Q5_0 (e.g. blk.0.ffn_up.weight): fp4ref reads F32, Q4_0"),
                       (["--file", "none.gguf"], "none.gguf: no such GGUF file"),
                       (["--readme", "nothere.md"], "nothere.md is not a file")):
        res = fp4ref(*args, cwd=tmp_path)
        assert res.returncode == 2, (args, res.stdout, res.stderr)
        assert text in res.stderr and len(res.stderr.strip().splitlines()) == 1, (args, res.stderr)
