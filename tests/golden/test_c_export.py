"""`fp4ref export c`: the C reference model against the Python model. The export is compiled
with the system C compiler (a missing compiler fails the test) together with a small batch
shim, loaded with ctypes, and compared code for code and flag for flag: every float16 and
bfloat16 input in every rounding mode (the hardware modes, sr with seeded random bits, the tie
rules of named conventions) and overflow policy, 10^6 seeded float32 inputs, and each code's
value, integer mapping and products."""
from __future__ import annotations

import ctypes
import shutil
import subprocess
import sys

import ml_dtypes
import numpy as np
import pytest

from fp4ref import emu
from fp4ref.golden import units
from fp4ref.golden.c_export import sources
from fp4ref.mac.products import product_table

#: mode name -> the C enum value (fp4ref_format.h.in)
MODES = {"rne": 0, "rna": 1, "rtz": 2, "rup": 3, "rdn": 4, "sr": 5, "rnz": 8, "rnm": 9, "rnp": 10}
#: formats swept on every 16-bit input: every preset
SWEPT = emu.list_formats()
ALL16 = np.arange(1 << 16, dtype=np.uint16)
SEED = 20261206


def _build(fmt: str, tmp_path_factory) -> ctypes.CDLL:
    cc = shutil.which("cc") or shutil.which("gcc")
    assert cc, "no C compiler (cc or gcc) on PATH: `make setup` installs build-essential"
    d = tmp_path_factory.mktemp(f"c_{fmt}")
    for name, text in sources(fmt).items():
        (d / name).write_text(text)
    name = fmt
    (d / "shim.c").write_text(f'''#include "fp4ref_{name}.h"
void batch(const uint32_t *x, int n, int mode, const uint32_t *rand, int sat, uint8_t *codes, uint8_t *flags) {{
    for (int i = 0; i < n; i++) codes[i] = fp4ref_{name}_encode(x[i], mode, rand ? rand[i] : 0, 8, sat, &flags[i]);
}}
void tables(uint32_t *bits, int64_t *ints) {{
    for (int c = 0; c < {1 << emu.get_format(fmt).bits}; c++) {{
        bits[c] = fp4ref_{name}_decode_bits((uint8_t)c); ints[c] = fp4ref_{name}_int((uint8_t)c);
    }}
}}
''')
    so = d / f"lib_{name}.so"
    proc = subprocess.run([cc, "-O2", "-std=c11", "-Wall", "-Wextra", "-Werror", "-shared", "-fPIC", "-o", str(so),
                           str(d / "shim.c"), str(d / f"fp4ref_{name}.c")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return ctypes.CDLL(str(so))


def _encode(lib, x32: np.ndarray, mode: str, rand, saturate: bool):
    n = x32.size
    codes, flags = np.zeros(n, np.uint8), np.zeros(n, np.uint8)
    ptr = lambda a, t: a.ctypes.data_as(ctypes.POINTER(t))          # noqa: E731
    lib.batch(ptr(x32, ctypes.c_uint32), n, MODES[mode], None if rand is None else ptr(rand, ctypes.c_uint32),
              int(saturate), ptr(codes, ctypes.c_uint8), ptr(flags, ctypes.c_uint8))
    return codes, flags


def _compare(lib, fmt, x, mode, saturate, rng):
    x32 = np.ascontiguousarray(x.astype(np.float32).view(np.uint32))
    rand = rng.integers(0, 256, x32.size).astype(np.uint32) if mode == "sr" else None
    c, f = _encode(lib, x32, mode, rand, saturate)
    want, want_f = emu.encode(x, fmt, rounding=mode, overflow="saturate" if saturate else "inf",
                              nan=units.nan_policy(fmt), rand=rand, flags=True)
    bad = np.flatnonzero((c != want) | (f != want_f))
    assert bad.size == 0, (f"{fmt.name} {mode} saturate={saturate}: {bad.size} mismatches, e.g. "
                           + ", ".join(f"x={int(x32[i]):#010x}: C {int(c[i]):#x}/{int(f[i])} model "
                                       f"{int(want[i]):#x}/{int(want_f[i])}" for i in bad[:3]))


@pytest.mark.parametrize("name", SWEPT)
def test_every_16_bit_input_in_every_mode_matches_the_model(name, tmp_path_factory):
    fmt = emu.get_format(name)
    lib = _build(name, tmp_path_factory)
    rng = np.random.default_rng([SEED, fmt.bits])
    print(f"seed {SEED}")
    for x in (ALL16.view(np.float16), ALL16.view(ml_dtypes.bfloat16)):
        for mode in MODES:
            for saturate in ((True, False) if fmt.has_inf or fmt.has_nan else (True,)):
                _compare(lib, fmt, x, mode, saturate, rng)


@pytest.mark.parametrize("name", ["e2m1", "e4m3"])
def test_a_million_seeded_float32_inputs_match_the_model(name, tmp_path_factory):
    fmt = emu.get_format(name)
    lib = _build(name, tmp_path_factory)
    rng = np.random.default_rng(SEED)
    print(f"seed {SEED}")
    x = rng.integers(0, 1 << 32, 1_000_000, dtype=np.uint64).astype(np.uint32).view(np.float32)
    for mode in ("rne", "rtz", "sr", "rnz"):
        _compare(lib, fmt, x, mode, True, rng)


@pytest.mark.parametrize("name", emu.list_formats())
def test_values_integers_and_products_are_the_models(name, tmp_path_factory):
    fmt = emu.get_format(name)
    text = sources(name)
    lib = _build(name, tmp_path_factory)
    n = fmt.n_codes
    bits, ints = np.zeros(n, np.uint32), np.zeros(n, np.int64)
    lib.tables(bits.ctypes.data_as(ctypes.POINTER(ctypes.c_uint32)), ints.ctypes.data_as(ctypes.POINTER(ctypes.c_int64)))
    values = emu.decode(np.arange(n), fmt)
    got = bits.view(np.float32).astype(np.float64)
    assert np.array_equal(np.isnan(got), np.isnan(values))
    ok = ~np.isnan(values)
    assert np.array_equal(got[ok], values[ok]) and np.array_equal(np.signbit(got[ok]), np.signbit(values[ok]))
    finite = np.isfinite(values)
    assert np.array_equal(ints[finite], emu.int_map(np.arange(n)[finite], fmt)) and not ints[~finite].any()
    table = product_table(fmt, fmt)
    if table.dtype != object:                       # the products fit 64 bits: the C holds them
        lib.fp4ref_product = getattr(lib, f"fp4ref_{name}_product")
        lib.fp4ref_product.restype = ctypes.c_int64
        for a in range(n):
            for b in range(0, n, max(1, n // 16)):
                assert lib.fp4ref_product(ctypes.c_uint8(a), ctypes.c_uint8(b)) == int(table[a, b])
    else:
        assert f"no fp4ref_{name}_product" in text[f"fp4ref_{name}.h"]


def test_the_cli_writes_the_export_and_refuses_what_it_cannot_hold(tmp_path):
    run = lambda *a: subprocess.run([sys.executable, "-m", "fp4ref", "export", "c", *a], capture_output=True,  # noqa: E731
                                    text=True, cwd=tmp_path)
    ok = run("-f", "e2m1", "--out", "c")
    assert ok.returncode == 0, ok.stderr
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == [".fp4ref-output.json", "fp4ref_e2m1.c",
                                                                  "fp4ref_e2m1.h"]
    assert run("-f", "e2m1", "--out", "c").returncode == 0            # re-runnable into its own output
    bad = run("-f", "nf4", "--out", "d")
    assert bad.returncode == 2 and "nf4 is a lookup format" in bad.stderr and not (tmp_path / "d").exists()
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("mine")
    bad = run("-f", "e2m1", "--out", "mine")
    assert bad.returncode == 2 and "not an fp4ref output folder" in bad.stderr
