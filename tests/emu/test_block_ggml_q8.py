"""ggml Q8_0 (emu.block.ggml_q8) against a slow scalar transcription of llama.cpp's
quantize_row_q8_0_ref / dequantize_row_q8_0, byte for byte, and against gguf's own quantizer
(ggml's Python package, an independent implementation); C roundf's halfway cases; bad input."""
import math

import numpy as np
import pytest

from fp4ref.emu.block import dequantize_row_q8_0, quantize_row_q8_0

from .test_block_ggml import fp16_to_fp32_ref, fp32_to_fp16_ref

F32 = np.float32


def q8_0_ref(x) -> bytes:
    """quantize_row_q8_0_ref, one np.float32 scalar operation per C operator, plain loops."""
    out = bytearray()
    for b in range(0, len(x), 32):
        amax = F32(0)
        for j in range(32):
            amax = max(amax, F32(abs(F32(x[b + j]))))          # C's MAX(amax, fabsf(v))
        d = F32(amax / F32(127))
        idv = F32(F32(1) / d) if d != 0 else F32(0)
        out += int(fp32_to_fp16_ref(d)).to_bytes(2, "little")
        for j in range(32):
            x0 = F32(F32(x[b + j]) * idv)
            r = math.floor(abs(float(x0)) + 0.5)               # roundf: half away from zero (exact in float64)
            out += int(math.copysign(r, float(x0))).to_bytes(1, "little", signed=True)
    return bytes(out)


def dq8_0_ref(data: bytes) -> np.ndarray:
    y = []
    for b in range(0, len(data), 34):
        d = fp16_to_fp32_ref(int.from_bytes(data[b:b + 2], "little"))
        for j in range(32):
            q = int.from_bytes(data[b + 2 + j:b + 3 + j], "little", signed=True)
            y.append(F32(F32(q) * d))
    return np.array(y, F32)


def _rows(rng) -> np.ndarray:
    """Blocks of every kind: normal spreads, huge and tiny scales, all zero, signed zeros, and
    blocks built so that x * id lands exactly halfway between two integers (roundf's ties)."""
    blocks = [rng.standard_normal(32) * s for s in (1e-6, 0.01, 1, 300, 6e4)]
    blocks.append(np.zeros(32))
    blocks.append(np.where(rng.random(32) < 0.5, -0.0, 0.0))
    for _ in range(20):                                  # amax = 127: id = 1, so x0 = x
        b = rng.integers(-126, 126, 32) + 0.5
        b[rng.integers(32)] = 127.0 * rng.choice([-1, 1])
        blocks.append(b)
    return np.concatenate(blocks).astype(F32)


def test_q8_0_bytes_equal_the_scalar_reference_and_gguf(rng):
    from gguf import GGMLQuantizationType
    from gguf.quants import quantize

    x = _rows(rng)
    got = quantize_row_q8_0(x)
    assert got == q8_0_ref(x)
    assert got == np.asarray(quantize(x.reshape(-1, 32), GGMLQuantizationType.Q8_0)).tobytes()
    assert np.array_equal(dequantize_row_q8_0(got).view(np.uint32), dq8_0_ref(got).view(np.uint32))


def test_roundf_halfway_cases_go_away_from_zero():
    x = np.zeros(32, F32)
    x[:4] = [127.0, 2.5, -2.5, -0.5]                     # d = 1, id = 1
    q = np.frombuffer(quantize_row_q8_0(x), np.uint8)[2:6].view(np.int8)
    assert q.tolist() == [127, 3, -3, -1]


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="multiple of the block size 32"):
        quantize_row_q8_0(np.zeros(31, F32))
    with pytest.raises(ValueError, match="NaN or Inf"):
        quantize_row_q8_0(np.full(32, np.nan, F32))
    with pytest.raises(ValueError, match="whole number of 34-byte blocks"):
        dequantize_row_q8_0(b"\0" * 33)
