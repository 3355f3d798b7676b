"""encode against ml_dtypes and torch casts: every float16 and bfloat16 pattern and a structured
float32 sweep. Where ml_dtypes' convention differs from fp4ref's defaults (NaN -> the -0 code,
E4M3FN overflow -> NaN) the test uses the named convention record and, separately, checks that
the defaults differ on exactly those inputs and nowhere else."""
import ml_dtypes
import numpy as np
import pytest
import torch

from fp4ref import emu
from fp4ref.emu.conventions import ML_DTYPES_NAMES, ml_dtypes_options

ALL16 = np.arange(1 << 16, dtype=np.uint16)
TOP = np.arange(1 << 16, dtype=np.uint32) << 16
# every top-16-bit pattern with low halves 0x0000, 0x0001, 0x7FFF, 0x8000, 0x8001, 0xFFFF
F32_SWEEP = np.concatenate([TOP | low for low in (0x0000, 0x0001, 0x7FFF, 0x8000, 0x8001, 0xFFFF)]).view(np.float32)
SOURCES = {
    "float16": ALL16.view(np.float16),
    "bfloat16": ALL16.view(ml_dtypes.bfloat16),
    "float32": F32_SWEEP,
}


def ml_cast(x, name):
    with np.errstate(invalid="ignore", over="ignore"):
        # float16/bfloat16 -> float32 is exact; feed ml_dtypes float32 (formats.md §8: no double rounding)
        return x.astype(np.float32).astype(getattr(ml_dtypes, ML_DTYPES_NAMES[name])).view(np.uint8)


@pytest.mark.parametrize("src", SOURCES)
@pytest.mark.parametrize("name", ML_DTYPES_NAMES)
def test_encode_matches_ml_dtypes_under_its_convention(name, src):
    x = SOURCES[src]
    ours = emu.encode(x, name, **ml_dtypes_options(name))
    theirs = ml_cast(x, name)
    bad = np.flatnonzero(ours != theirs)
    assert bad.size == 0, [(float(x[i]), hex(ours[i]), hex(theirs[i])) for i in bad[:5]]


@pytest.mark.parametrize("name", ["e2m1", "e2m3", "e3m2"])
def test_fp4_fp6_defaults_differ_from_ml_dtypes_only_on_nan(name):
    x = SOURCES["bfloat16"]
    is_nan = np.isnan(x.astype(np.float32))
    ours = emu.encode(x, name, nan="zero")
    differ = ours != ml_cast(x, name)
    # ml_dtypes: +NaN -> 0b1..0 (-0), -NaN -> +0; fp4ref nan='zero' keeps the NaN's sign bit
    assert (differ == is_nan).all()
    with pytest.raises(ValueError, match="has no NaN code"):
        emu.encode(x, name)            # the default refuses NaN in a format without NaN


def test_e4m3_default_saturates_where_ml_dtypes_gives_nan():
    x = SOURCES["float32"]
    ours = emu.encode(x, "e4m3")                    # overflow='saturate' by default
    theirs = ml_cast(x, "e4m3")
    with np.errstate(invalid="ignore"):
        beyond = (np.abs(x) > 464) & ~np.isnan(x)   # past the tie 464 -> 448, ml_dtypes says NaN
    differ = ours != theirs
    assert (differ == beyond).all()
    assert set(ours[beyond] & 0x7F) == {0x7E}       # ±448
    assert set(theirs[beyond] & 0x7F) == {0x7F}     # NaN


@pytest.mark.parametrize("name, dtype, options", [
    ("e4m3", torch.float8_e4m3fn, dict(overflow="saturate", nan="nan")),   # torch 2.13 saturates
    ("e5m2", torch.float8_e5m2, dict(overflow="inf", nan="nan")),
])
def test_encode_matches_torch_casts(name, dtype, options):
    x = SOURCES["float32"]
    finite_or_inf = ~np.isnan(x)    # torch's NaN payload/sign handling is not part of the claim
    ours = emu.encode(x, name, **options)
    theirs = torch.from_numpy(x.copy()).to(dtype).view(torch.uint8).numpy()
    bad = np.flatnonzero((ours != theirs) & finite_or_inf)
    assert bad.size == 0, [(float(x[i]), hex(ours[i]), hex(theirs[i])) for i in bad[:5]]
    assert np.isnan(emu.decode(ours[~finite_or_inf], name)).all()
