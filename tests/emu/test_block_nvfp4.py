"""NVFP4 (emu.block.nvfp4): the torchao two-level and one-level recipes in float32, the E4M3 block
scale's RNE, the clamp range, zero / NaN / Inf policies, dequantization order (formats.md §3)."""
import ml_dtypes
import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from fp4ref import emu
from fp4ref.emu.block import dequantize_nvfp4, quantize_nvfp4

F32 = np.float32
NAN_SCALE = 0b0_1111_111      # E4M3 NaN
TINY_SCALE = 0b0_0001_000     # 2^-6, the clamp floor
MAX_SCALE = 0b0_1111_110      # 448


def torchao_recipe(x: np.ndarray, two_level: bool):
    """torchao nvfp4_quantize / per_tensor_amax_to_scale, transcribed in torch float32."""
    t = torch.from_numpy(x).reshape(x.shape[0], -1, 16)
    block_scale = t.abs().amax(dim=-1) / 6.0
    if two_level:
        per_tensor_scale = t.abs().max() / (448.0 * 6.0)
        s = torch.clamp(block_scale / per_tensor_scale, min=2.0 ** -6, max=448.0).to(torch.float8_e4m3fn)
        total = per_tensor_scale * s.to(torch.float32)
    else:
        per_tensor_scale = torch.tensor(1.0)
        s = torch.clamp(block_scale, min=2.0 ** -6, max=448.0).to(torch.float8_e4m3fn)
        total = s.to(torch.float32)
    scaled = torch.clamp(t / total.unsqueeze(-1), -6.0, 6.0).reshape(x.shape)
    codes = scaled.numpy().astype(ml_dtypes.float4_e2m1fn).view(np.uint8)   # RNE, like f32_to_f4_unpacked
    return codes, s.view(torch.uint8).numpy(), F32(per_tensor_scale.item())


def _rows(rng):
    """Seeded rows; every block of 16 gets its own magnitude, so block scales spread widely."""
    kinds = [rng.standard_normal((16, 128)), rng.uniform(-1, 1, (16, 128)), rng.standard_cauchy((16, 128))]
    x = np.concatenate(kinds) * np.exp2(rng.integers(-20, 20, (48, 8))).repeat(16, axis=1)
    return x.astype(F32)


@pytest.mark.parametrize("two_level", [True, False])
def test_codes_and_scales_match_the_torchao_recipe(two_level, rng):
    x = _rows(rng)
    codes, scales, tensor_scale = quantize_nvfp4(x, two_level=two_level)
    want_codes, want_scales, want_tensor = torchao_recipe(x, two_level)
    assert np.array_equal(scales, want_scales)
    assert np.array_equal(codes, want_codes)
    assert tensor_scale == want_tensor and isinstance(tensor_scale, F32)


@pytest.mark.parametrize("s_b, code", [
    (1.0625, 0b0_0111_000),    # tie between 1.0 (frac 000) and 1.125 (001): even -> 1.0
    (1.1875, 0b0_0111_010),    # tie between 1.125 (001) and 1.25 (010): even -> 1.25
    (300.0, 0b0_1111_001),     # 288 is nearest; ggml's UE4M3 rounding would give 448
    (2.0 ** -7, TINY_SCALE),   # below the clamp floor 2^-6
    (1000.0, MAX_SCALE),       # above 448
])
def test_one_level_block_scale_is_the_rne_e4m3_cast_of_amax_over_6(s_b, code):
    x = np.zeros(16, F32)
    x[5] = 6 * s_b                            # exact in float32, so amax / 6 = s_b exactly
    _, scales, tensor_scale = quantize_nvfp4(x, two_level=False)
    assert scales.tolist() == [code] and tensor_scale == 1.0
    assert int(emu.encode(np.float64(min(max(s_b, 2.0 ** -6), 448.0)), "e4m3")) == code


def test_one_level_saturates_elements_when_the_scale_clamps_at_448():
    x = np.zeros(16, F32)
    x[0], x[1] = 6000.0, -3000.0             # s_b = 1000 -> 448; 6000 / 448 = 13.4 -> 6
    codes, scales, _ = quantize_nvfp4(x, two_level=False)
    assert scales.tolist() == [MAX_SCALE] and codes[:2].tolist() == [0b0_11_1, 0b1_11_1]


def test_two_level_tensor_scale_is_amax_over_2688_in_float32(rng):
    x = rng.standard_normal((4, 32)).astype(F32)
    x[2, 7] = F32(-10.1)
    _, scales, tensor_scale = quantize_nvfp4(x)
    assert tensor_scale == F32(10.1) / F32(2688)
    # the block holding the tensor amax maps to (amax / 6) / s_t = 448 (up to float32 rounding)
    assert scales[2, 0] == MAX_SCALE


def test_all_zero_tensor_reads_0_over_0_as_0():
    x = np.zeros((2, 32), F32)
    x[1, 3] = -0.0
    codes, scales, tensor_scale = quantize_nvfp4(x)
    assert tensor_scale == 0.0 and (scales == TINY_SCALE).all()
    assert codes[1, 3] == 0b1_00_0 and np.count_nonzero(codes) == 1
    y = dequantize_nvfp4(codes, scales, tensor_scale)
    assert (y == 0).all() and np.signbit(y[1, 3])


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("two_level", [True, False])
def test_nan_or_inf_makes_only_its_block_nan(bad, two_level, rng):
    x = rng.standard_normal((2, 48)).astype(F32)
    x[1, 20] = bad                            # block 1 of row 1
    codes, scales, tensor_scale = quantize_nvfp4(x, two_level=two_level)
    assert scales[1, 1] == NAN_SCALE and not codes[1, 16:32].any()
    # every other block is quantized as if the bad block were all zeros
    clean = x.copy()
    clean[1, 16:32] = 0
    want_codes, want_scales, want_tensor = quantize_nvfp4(clean, two_level=two_level)
    keep = np.ones(scales.shape, bool)
    keep[1, 1] = False
    assert tensor_scale == want_tensor
    assert np.array_equal(scales[keep], want_scales[keep])
    assert np.array_equal(codes.reshape(2, 3, 16)[keep], want_codes.reshape(2, 3, 16)[keep])
    y = dequantize_nvfp4(codes, scales, tensor_scale)
    assert np.isnan(y[1, 16:32]).all() and np.isfinite(np.delete(y, np.s_[16:32], axis=1)).all()


def test_dequantize_multiplies_the_two_scales_first():
    # code 1.5 (0b0_01_1), s_b = 1.625 (0b0_0111_101), s_t = 1 + 2^-23: torchao's order
    # fl32(1.5 * fl32(s_t * 1.625)) gives 2.4375005; fl32(fl32(1.5 * 1.625) * s_t) gives 2.4375002
    s_t = F32(1 + 2.0 ** -23)
    y = dequantize_nvfp4(np.full(16, 0b0_01_1, np.uint8), np.array([0b0_0111_101], np.uint8), s_t)
    assert (y == F32(2.4375 + 2.0 ** -21)).all()
    assert (F32(1.5) * F32(1.625)) * s_t == F32(2.4375 + 2.0 ** -22)


@given(st.lists(st.floats(-1e6, 1e6, width=32), min_size=32, max_size=32), st.booleans())
def test_every_error_is_within_one_total_scale(v, two_level):
    # E2M1's widest gap is 2 (4 to 6); the E4M3 rounding of s_b can push amax / total up to
    # 6 / (1 - 2^-4) = 6.4, still within 1 of 6: so |x - y| <= total (plus float32 noise)
    x = np.array(v, F32).reshape(2, 16)
    if not two_level:
        x = np.clip(x, -2688, 2688)           # one level saturates by design above 6 * 448
    codes, scales, tensor_scale = quantize_nvfp4(x, two_level=two_level)
    total = (tensor_scale * emu.decode(scales, "e4m3").astype(F32)).astype(np.float64)
    err = np.abs(dequantize_nvfp4(codes, scales, tensor_scale).astype(np.float64) - x)
    assert (err <= total * (1 + 2.0 ** -20) + 2.0 ** -140).all()


@pytest.mark.parametrize("call, message", [
    (lambda: quantize_nvfp4(np.zeros(24, F32)), "multiple of the block size 16"),
    (lambda: quantize_nvfp4(np.zeros(16, np.int64)), "must be a float array"),
    (lambda: quantize_nvfp4(np.zeros(16, complex)), "must be a float array"),
    (lambda: dequantize_nvfp4(np.zeros(16, np.uint8), np.array([0x80], np.uint8), 1.0), "UE4M3 codes"),
    (lambda: dequantize_nvfp4(np.zeros(16, np.uint8), np.array([1.0]), 1.0), "UE4M3 codes"),
    (lambda: dequantize_nvfp4(np.zeros(16, np.uint8), np.zeros(2, np.uint8), 1.0), "need block_scales"),
    (lambda: dequantize_nvfp4(np.zeros(16, np.uint8), np.zeros(1, np.uint8), [1.0, 2.0]), "tensor_scale"),
    (lambda: dequantize_nvfp4(np.full(16, 16, np.uint8), np.zeros(1, np.uint8), 1.0), "outside e2m1"),
])
def test_bad_input_is_a_one_line_value_error(call, message):
    with pytest.raises(ValueError, match=message) as info:
        call()
    assert "\n" not in str(info.value)
