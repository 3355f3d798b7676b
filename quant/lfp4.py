"""The LLM-FP4 FP quantizer as a float reference in torch, literal to the released code.

llm-fp4.md §1.1-1.2 and §1.7 (nbasyl/LLM-FP4 @ 0598c95, quant_layers/fp_linear.py: get_scale,
get_w_scale, get_log_scale, get_maxval_from_bias). The integer-exact form is quant/lfp4_int.py.
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import torch


def maxval(e: int, m: int, bias):
    """Largest magnitude for a real bias b: (2 - 2^-m) * 2^(2^e - 1 - b) (llm-fp4.md §1.1).

    Args:
      e, m: exponent and mantissa widths (Python ints, so 2^-m is the exact float 2^-m).
      bias: float, numpy array or torch tensor (any shape; evaluated elementwise in its dtype).
    """
    return (2 - 2.0 ** (-m)) * 2 ** (2 ** e - 1 - bias)


def bias_from_max(e: int, m: int, amax):
    """The real bias making maxval(e, m, bias) = amax: 2^e - log2(amax) + log2(2 - 2^-m) - 1.

    Paper Eq. 7, in the code's order of operations (e.g. fp_linear.py _initialize_intervals:
    ``2**E - torch.log2(maxval) + math.log2(2 - 2 ** (-M)) - 1``). amax: float, numpy array or
    torch tensor; torch tensors stay torch (float32 for float32 input), numpy stays numpy.
    """
    if isinstance(amax, torch.Tensor):
        log2 = torch.log2
    elif isinstance(amax, np.ndarray):
        log2 = np.log2
    else:
        log2 = math.log2
    return 2 ** e - log2(amax) + math.log2(2 - 2 ** (-m)) - 1


class FakeQuant(NamedTuple):
    """Every intermediate of the per-element algorithm (llm-fp4.md §1.2), all torch tensors."""

    x_c: torch.Tensor    #: x saturated to ±maxval(bias)
    L: torch.Tensor      #: binade max(floor(log2|x_c| + bias), 1), a float tensor of integers
    step: torch.Tensor   #: 2^(L - m - bias): the code's a_scale / w_scale (per element)
    n: torch.Tensor      #: torch.round(x_c / step): the rounded multiple of step (float, integer valued)
    x_q: torch.Tensor    #: the fake-quantized value n * step


def fake_quant_parts(x: torch.Tensor, e: int, m: int, bias, int64_mantissa: bool = False) -> FakeQuant:
    """Run the released quantizer on x and keep the intermediates.

    Literal to get_w_scale / get_log_scale followed by ``(w / w_scale).round_().mul_(w_scale)``:
      1. b = bias as float32 (the code's ``.float()``); maxval = (2 - 2^-m) * 2^(2^e - 1 - b)
         is a float32 pow with a real exponent.
      2. x_c = min(max(x, -maxval), maxval): saturation (x is promoted to at least float32).
      3. L = clamp(floor(log2|x_c| + b), min=1): floor of the float32 *sum*; x = 0 gives L = 1.
      4. step = 2.0 ** (L - m - b) (float32 pow, not an exact power of two times 2^-b).
      5. n = torch.round(x_c / step) (round half to even); x_q = n * step.
    NaN propagates (torch.min/max/round keep it); ±inf saturates; -0 is produced for small
    negative x (torch.round(-0.3) = -0).

    Args:
      x: tensor of any float dtype; float16/bfloat16/float32 are computed in float32, float64 in
        float64 (torch type promotion against the float32 maxval, as in the code).
      e, m: format (1 + e + m bits), Python ints.
      bias: the real bias b̃ (the code's interval / a_bias), a float or a tensor broadcastable
        to x: scalar, per-row (out, 1), per-element.
      int64_mantissa: False (default): maxval as written in llm-fp4.md §1.1 and as the search
        paths compute it (get_scale / get_w_scale get m as a Python int). True: as the
        quant_input / quant_weight_bias paths compute it (get_log_scale ->
        get_maxval_from_bias), where m is the int64 buffer ``w_/a_mantissa_bit`` and torch
        evaluates ``2 ** (-m)`` as an integer power, which is 0 for m >= 1 (pytorch issues
        #71633, #133677): the clamp becomes 2^(2^e - bias), one binade edge above S_max, and
        |t| in [(2^(2^e) + S_max) / 2, 2^(2^e)] then rounds to 2^(2^e), a value outside S(e, m).
    """
    b = torch.as_tensor(bias).float()
    dtype = torch.promote_types(x.dtype, torch.float32)
    if int64_mantissa:   # literally (2 - 2 ** (-M)) * 2 ** (2**E - 1 - b) with M an int64 tensor
        top = (2 - 2 ** (-torch.tensor(m))) * 2 ** (2 ** e - 1 - b)
    else:
        top = maxval(e, m, b)
    x_c = torch.min(torch.max(x.to(dtype), -top), top)
    L = torch.clamp(torch.floor(torch.log2(torch.abs(x_c)) + b), 1.0)
    step = 2.0 ** (L - m - b)
    n = torch.round(x_c / step)
    return FakeQuant(x_c, L, step, n, n * step)


def fake_quant(x: torch.Tensor, e: int, m: int, bias, int64_mantissa: bool = False) -> torch.Tensor:
    """LLM-FP4 fake quantization of x with format E<e>M<m> and real bias (see fake_quant_parts)."""
    return fake_quant_parts(x, e, m, bias, int64_mantissa).x_q


def per_element_step(x: torch.Tensor, e: int, m: int, bias) -> torch.Tensor:
    """The step 2^(L - m - bias) of each element: the code's ``a_scale`` / ``w_scale``.

    It carries each element's own binade L, so it varies element by element even under one
    tensor-wide bias (llm-fp4.md §6a).
    """
    return fake_quant_parts(x, e, m, bias).step
