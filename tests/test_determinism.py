"""Determinism: every kind of golden pack is byte-identical across two runs and across numpy /
torch thread counts (BLAS and OpenMP pools of 1 and of every core), in separate processes."""
import json
import os
import subprocess
import sys

import pytest

PACKS = {
    "encode-sr": ["--unit", "encode", "-f", "e2m1", "--src", "bfloat16", "-r", "sr"],
    "encode-f32": ["--unit", "encode", "-f", "e4m3", "--src", "float32", "-r", "rne"],
    "decode": ["--unit", "decode", "-f", "e5m2"],
    "product": ["--unit", "product", "--x", "e3m0", "--w", "e2m1"],
    "dot": ["--unit", "dot", "--x", "e2m1", "--w", "e2m1", "--shift-max", "3", "--dot-random", "500"],
    "mx_block": ["--unit", "mx_block", "--random", "2000"],
    "lut_decode": ["--unit", "lut_decode", "-f", "sf4_nu5"],
    "lut_mul": ["--unit", "lut_mul", "-f", "nf4"],
}
THREADS = {"1": {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"},
           "all": {"OMP_NUM_THREADS": str(os.cpu_count() or 2), "OPENBLAS_NUM_THREADS": str(os.cpu_count() or 2),
                   "MKL_NUM_THREADS": str(os.cpu_count() or 2)}}


def generate(out, args, threads) -> dict:
    env = {**os.environ, **THREADS[threads]}
    proc = subprocess.run([sys.executable, "-m", "fp4ref", "golden", "gen", *args, "--out", str(out)],
                          capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}


@pytest.mark.parametrize("kind", PACKS)
def test_packs_are_byte_identical_across_runs_and_thread_counts(kind, tmp_path):
    runs = [generate(tmp_path / f"{kind}-{t}-{i}", PACKS[kind], t) for t, i in (("1", 0), ("1", 1), ("all", 0))]
    assert runs[0].keys() >= {"vectors.hex", "vectors.jsonl", "manifest.json"}
    assert runs[0] == runs[1] == runs[2]
    manifest = json.loads(runs[0]["manifest.json"])
    assert manifest["count"] > 0


def test_the_gptq_layer_pack_is_byte_identical_across_runs_and_torch_thread_counts(tmp_path):
    """fp4ref layerpack (MiniLM capture, GPTQ's Cholesky and float64 updates, the walk): the same
    bytes with 1 torch/BLAS thread twice and with every core."""
    def run(name, threads):
        out = tmp_path / name
        env = {**os.environ, **THREADS[threads], "HF_HUB_OFFLINE": "1"}
        proc = subprocess.run([sys.executable, "-m", "fp4ref", "layerpack", "--tokens", "1", "--out", str(out)],
                              capture_output=True, text=True, timeout=600, env=env)
        assert proc.returncode == 0, proc.stderr
        return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}

    runs = [run("a", "1"), run("b", "1"), run("c", "all")]
    assert {"vectors.hex", "codes.npy", "scales.npy", "manifest.json"} <= runs[0].keys()
    assert runs[0] == runs[1] == runs[2]
