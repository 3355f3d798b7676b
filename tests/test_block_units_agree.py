"""The fast models of the six block units agree bit for bit with the exact-rational references.

Fast: mac.block_dot (mx_dot_fp32, nvfp4_dot_fp32), emu.block.quant (mx_quant, nvfp4_quant),
mac.stream.mac_stream, mac.fp_mul.fp_mul. Slow: mac/slow_block.py and emu/block/slow.py,
written from docs/block.md alone. Two sources of vectors per unit:
  1. every corner vector of the unit's golden pack stimulus (golden.*_pack.stimulus with no
     random vectors) under several option sets;
  2. seeded random vectors drawn here (not the packs' random): FP4REF_AGREE_N per unit
     (default 20,000 in make test; `FP4REF_AGREE_N=100000 pytest tests/test_block_units_agree.py`
     is the issue's 100,000, 1 to 20 s of CPU per unit), seed FP4REF_SEED (printed with the
     counts; default 20261124).
Every mismatch is reported with its full input vector.
"""
from __future__ import annotations

import os
import time
from fractions import Fraction

import numpy as np
import pytest

from fp4ref.emu import get_format, list_formats
from fp4ref.emu.block.quant import mx_quant, nvfp4_quant
from fp4ref.emu.block.slow import decode_code, round_f32, slow_mx_quant, slow_nvfp4_quant
from fp4ref.golden import dot_pack, fp_mul_pack, quant_pack, stream_pack
from fp4ref.mac.block_dot import mx_dot_fp32, nvfp4_dot_fp32
from fp4ref.mac.fp_mul import fp_mul
from fp4ref.mac.slow_block import slow_fp_mul, slow_mac_stream, slow_mx_dot, slow_nvfp4_dot
from fp4ref.mac.stream import mac_stream

SEED = int(os.environ.get("FP4REF_SEED", "20261124"))
N = int(os.environ.get("FP4REF_AGREE_N", "20000"))
PACK_SEED = 1
SHOW = 5            #: mismatches printed in full per failure


def _report(unit: str, what: str, n: int, bad: list, t0: float) -> None:
    print(f"{unit} {what}: {n:,} vectors, {len(bad)} mismatches, seed {SEED}, "
          f"{time.process_time() - t0:.1f} s CPU")
    assert not bad, (f"{unit} {what}: {len(bad)} of {n:,} vectors differ (seed {SEED}); first:\n"
                     + "\n".join(map(str, bad[:SHOW])))


def _split(n: int, parts: int) -> list[int]:
    return [n // parts + (1 if i < n % parts else 0) for i in range(parts)]


# ---- the dot units -----------------------------------------------------------------------------------
DOT_OPTS = [  # blocks, semantics, rounding, ftz, acc
    (1, "exact", "rne", False, True),
    (1, "per_block", "rtz", True, True),
    (2, "per_block", "rne", False, False),
    (3, "exact", "rtz", True, True),
    (3, "per_block", "rne", True, True),
    (8, "exact", "rne", False, True),
    (8, "per_block", "rtz", False, True),
]


def _check_dots(nv: bool, k: int, sem: str, rnd: str, ftz: bool, use_acc: bool, a, b, sa, sb, acc,
                ta, tb) -> list:
    kw = dict(acc=acc if use_acc else None, semantics=sem, rounding=rnd, ftz=ftz)
    if nv:
        res, flags, blk = nvfp4_dot_fp32(a, b, sa, sb, ta, tb, **kw)
    else:
        res, flags, blk = mx_dot_fp32(a, b, sa, sb, **kw)
    bad = []
    al, bl, sal, sbl = a.tolist(), b.tolist(), sa.tolist(), sb.tolist()
    for i in range(len(al)):
        acc_i = int(acc[i]) if use_acc else None
        if nv:
            ta_i = None if ta is None else int(ta[i])
            tb_i = None if tb is None else int(tb[i])
            want = slow_nvfp4_dot(al[i], bl[i], sal[i], sbl[i], ta_i, tb_i, acc_i, sem, rnd, ftz)
        else:
            want = slow_mx_dot(al[i], bl[i], sal[i], sbl[i], acc_i, sem, rnd, ftz)
        got = (int(res[i]), int(flags[i]), [int(x) for x in blk[i]])
        if got != want:
            vec = {"a": al[i], "b": bl[i], "sa": sal[i], "sb": sbl[i], "acc": acc_i}
            if nv:
                vec.update(ta=ta_i, tb=tb_i)
            bad.append({"opts": (k, sem, rnd, ftz), "vector": vec,
                        "fast": (hex(got[0]), got[1], [hex(x) for x in got[2]]),
                        "slow": (hex(want[0]), want[1], [hex(x) for x in want[2]])})
    return bad


@pytest.mark.parametrize("nv", [False, True], ids=["mx_dot", "nvfp4_dot"])
@pytest.mark.parametrize("k, sem, rnd, ftz, use_acc", DOT_OPTS)
def test_dot_pack_corners(nv, k, sem, rnd, ftz, use_acc):
    t0 = time.process_time()
    tscale = nv and k != 2
    a, b, sa, sb, acc, ta, tb = dot_pack.stimulus(nv, k, use_acc, tscale, 0, PACK_SEED, edges=nv)
    bad = _check_dots(nv, k, sem, rnd, ftz, use_acc, a, b, sa, sb, acc,
                      ta if tscale else None, tb if tscale else None)
    _report("nvfp4_dot" if nv else "mx_dot", f"pack corners {k, sem, rnd, ftz, use_acc}", len(a), bad, t0)


def _random_f32(rng, n: int, exp_lo: int, exp_hi: int) -> np.ndarray:
    """FP32 bit patterns: random sign and mantissa, biased exponent field in [exp_lo, exp_hi]."""
    return ((rng.integers(0, 2, n) << 31) | (rng.integers(exp_lo, exp_hi + 1, n) << 23)
            | rng.integers(0, 1 << 23, n)).astype(np.int64)


def _random_dots(nv: bool, rng, n: int, k: int):
    size = 16 if nv else 32
    kind = rng.integers(0, 6, n)
    a = rng.integers(0, 16, (n, size * k))
    b = rng.integers(0, 16, (n, size * k))
    big = kind == 1                                   # large same-sign products
    a[big] = rng.integers(5, 8, (big.sum(), size * k)) | (8 * rng.integers(0, 2, (big.sum(), 1)))
    b[big] = rng.integers(5, 8, (big.sum(), size * k))
    sparse = kind == 2                                # mostly zeros: small sums, exact ties
    a[sparse] *= rng.random((sparse.sum(), size * k)) < 0.1
    if nv:
        sa = rng.integers(0x20, 0x50, (n, k))
        sb = rng.integers(0x20, 0x50, (n, k))
        wide = (kind == 3) | (kind == 5)
        sa[wide] = rng.integers(0, 256, (wide.sum(), k))
        sb[wide] = rng.integers(0, 0x80, (wide.sum(), k))
        tiny = kind == 4
        sa[tiny] = rng.integers(0, 0x10, (tiny.sum(), k))
        sb[tiny] = rng.integers(0, 0x18, (tiny.sum(), k))
    else:
        sa = rng.integers(110, 145, (n, k))
        sb = rng.integers(110, 145, (n, k))
        wide = kind == 3
        sa[wide] = rng.integers(0, 256, (wide.sum(), k))
        sb[wide] = rng.integers(0, 256, (wide.sum(), k))
        edge = kind == 4                              # subnormal results and overflow
        lo = rng.random(edge.sum()) < 0.5
        sa[edge] = np.where(lo[:, None], rng.integers(0, 12, (edge.sum(), k)), rng.integers(243, 255, (edge.sum(), k)))
        sb[edge] = np.where(lo[:, None], rng.integers(90, 112, (edge.sum(), k)), rng.integers(120, 255, (edge.sum(), k)))
        spread = kind == 5                            # blocks far apart: alignment, sticky bits
        sa[spread] = 127 + rng.integers(-60, 61, (spread.sum(), k))
        sb[spread] = 127
    acc = _random_f32(rng, n, 90, 160)
    special = rng.random(n) < 0.05
    acc[special] = rng.choice([0, 1 << 31, 1, 0x807FFFFF, 0x00800000, 0x7F7FFFFF, 0x7F800000, 0xFF800000,
                               0x7FC00000, 0x7F800001], special.sum())
    sub = rng.random(n) < 0.05
    acc[sub] = (rng.integers(0, 2, sub.sum()) << 31) | rng.integers(0, 1 << 23, sub.sum())
    ta = _random_f32(rng, n, 100, 154)
    tb = _random_f32(rng, n, 100, 154)
    tb[kind == 5] = rng.integers(0, 1 << 32, (kind == 5).sum())
    tiny = kind == 4                                  # NVFP4: subnormal and zero results
    ta[tiny] = _random_f32(rng, tiny.sum(), 0, 50)
    tb[tiny] = _random_f32(rng, tiny.sum(), 0, 110)
    # an accumulator that cancels block 0 (its value rounded to FP32), so blocks 1.. decide
    cancel = np.flatnonzero(kind == 0)[::2]
    for i in cancel:
        s0 = sum(_I[x] * _I[y] for x, y in zip(a[i, :size], b[i, :size]))
        if nv:
            va, vb = _ue4m3(int(sa[i, 0])), _ue4m3(int(sb[i, 0]))
            if va is None or vb is None:
                continue
            v = -Fraction(s0) * va * vb / 4
        else:
            v = -Fraction(s0) * Fraction(2) ** (int(sa[i, 0]) + int(sb[i, 0]) - 256)
        acc[i] = round_f32(v)[0]
    return a, b, sa, sb, acc, ta, tb


_I = [0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12]


def _ue4m3(s: int):
    if s >= 0x7F:
        return None
    e, m = s >> 3, s & 7
    return Fraction(m, 512) if e == 0 else Fraction(8 + m) * Fraction(2) ** (e - 10)


@pytest.mark.parametrize("nv", [False, True], ids=["mx_dot", "nvfp4_dot"])
def test_dot_random(nv):
    t0 = time.process_time()
    rng = np.random.default_rng([SEED, 14, int(nv)])
    bad, total = [], 0
    for (k, sem, rnd, ftz, use_acc), n in zip(DOT_OPTS, _split(N, len(DOT_OPTS))):
        a, b, sa, sb, acc, ta, tb = _random_dots(nv, rng, n, k)
        tscale = nv and k != 2
        bad += _check_dots(nv, k, sem, rnd, ftz, use_acc, a, b, sa, sb, acc,
                           ta if tscale else None, tb if tscale else None)
        total += n
    _report("nvfp4_dot" if nv else "mx_dot", "random", total, bad, t0)


# ---- the quantizers --------------------------------------------------------------------------------
SRC_BITS = {"float32": (8, 23), "float16": (5, 10), "bfloat16": (8, 7)}
MX_QUANT_OPTS = [(src, rule, rnd) for src, rule, rnd in (
    ("float32", "floor", "rne"), ("float32", "ceil", "rna"), ("float32", "even", "rtz"),
    ("float32", "rceil", "sr"), ("float32", "floor", "rup"), ("float32", "floor", "rdn"),
    ("float16", "floor", "rne"), ("float16", "rceil", "rdn"), ("float16", "even", "sr"),
    ("bfloat16", "ceil", "rne"), ("bfloat16", "floor", "sr"), ("bfloat16", "rceil", "rup"))]
NV_QUANT_OPTS = [("float32", "rne"), ("float32", "rna"), ("float32", "rtz"), ("float32", "rup"),
                 ("float32", "rdn"), ("float32", "sr"), ("float16", "rne"), ("float16", "sr"),
                 ("bfloat16", "rne"), ("bfloat16", "rdn")]


def _check_quant(nv: bool, src: str, rule: str, rnd: str, x, ts, rand) -> list:
    sr = rnd == "sr"
    if nv:
        scale, codes = nvfp4_quant(x, ts, src, rnd, rand if sr else None)
    else:
        scale, codes = mx_quant(x, src, rule, rnd, rand if sr else None)
    bad = []
    xl, rl = x.tolist(), rand.tolist()
    for i in range(len(xl)):
        r = rl[i] if sr else None
        if nv:
            want = slow_nvfp4_quant(xl[i], int(ts[i]), src, rnd, r)
        else:
            want = slow_mx_quant(xl[i], src, rule, rnd, r)
        got = (int(scale[i]), [int(c) for c in codes[i]])
        if got != want:
            vec = {"x": [hex(v) for v in xl[i]], "rand": r}
            if nv:
                vec["ts"] = hex(int(ts[i]))
            bad.append({"opts": (src, rule, rnd), "vector": vec, "fast": got, "slow": want})
    return bad


@pytest.mark.parametrize("src, rule, rnd", MX_QUANT_OPTS)
def test_mx_quant_pack_corners(src, rule, rnd):
    t0 = time.process_time()
    x, ts, rand = quant_pack.stimulus(32, src, 0, PACK_SEED, False)
    _report("mx_quant", f"pack corners {src, rule, rnd}", len(x),
            _check_quant(False, src, rule, rnd, x, ts, rand), t0)


@pytest.mark.parametrize("src, rnd", NV_QUANT_OPTS)
def test_nvfp4_quant_pack_corners(src, rnd):
    t0 = time.process_time()
    x, ts, rand = quant_pack.stimulus(16, src, 0, PACK_SEED, True)
    _report("nvfp4_quant", f"pack corners {src, rnd}", len(x),
            _check_quant(True, src, "-", rnd, x, ts, rand), t0)


def _random_blocks(rng, n: int, size: int, src: str):
    """Bit patterns of src: per block a top exponent, elements mostly 0..5 binades below it, some
    with few mantissa bits (E2M1 grid points and ties), zeros, subnormals, NaN/Inf (1/32)."""
    ew, mw = SRC_BITS[src]
    emax = (1 << ew) - 2
    top = rng.integers(0, emax + 1, (n, 1))
    down = np.where(rng.random((n, size)) < 0.2, rng.integers(0, 40, (n, size)), rng.integers(0, 6, (n, size)))
    exp = np.clip(top - down, 0, emax)
    man = rng.integers(0, 1 << mw, (n, size))
    few = rng.random((n, size)) < 0.5                 # keep the top 1..3 mantissa bits only
    keep = rng.integers(1, 4, (n, size))
    man = np.where(few, man >> (mw - keep) << (mw - keep), man)
    bits = (rng.integers(0, 2, (n, size)) << (ew + mw)) | (exp << mw) | man
    bits[rng.random((n, size)) < 0.05] &= 1 << (ew + mw)          # signed zeros
    nonfinite = np.flatnonzero(rng.random(n) < 1 / 32)
    lanes = rng.integers(0, size, len(nonfinite))
    bits[nonfinite, lanes] = (((1 << ew) - 1) << mw) | rng.choice([0, 1, 1 << (mw - 1)], len(nonfinite)) \
        | (rng.integers(0, 2, len(nonfinite)) << (ew + mw))
    return bits.astype(np.int64)


def _random_ts(rng, x, src: str) -> np.ndarray:
    """FP32 tensor scales: mostly near amax(block) / 2688 * 2^u (u in 0..8), some anything."""
    ew, mw = SRC_BITS[src]
    n = len(x)
    mag = x & ((1 << (ew + mw)) - 1)
    top_exp = (mag.max(axis=1) >> mw) - ((1 << (ew - 1)) - 1)        # unbiased, roughly
    e = np.clip(top_exp - 11 + rng.integers(0, 9, n) + 127, 1, 254)
    ts = (e << 23) | rng.integers(0, 1 << 23, n)
    anything = rng.random(n) < 0.1
    ts[anything] = rng.integers(0, 1 << 32, anything.sum())
    special = rng.random(n) < 0.03
    ts[special] = rng.choice([0, 1 << 31, 1, 0x3F800000, 0x7F7FFFFF, 0x7F800000, 0x7FC00000, 0xBF800000],
                             special.sum())
    return ts.astype(np.int64)


@pytest.mark.parametrize("nv", [False, True], ids=["mx_quant", "nvfp4_quant"])
def test_quant_random(nv):
    t0 = time.process_time()
    rng = np.random.default_rng([SEED, 10, int(nv)])
    opts = NV_QUANT_OPTS if nv else MX_QUANT_OPTS
    size = 16 if nv else 32
    bad, total = [], 0
    for opt, n in zip(opts, _split(N, len(opts))):
        src, rule, rnd = (opt[0], "-", opt[1]) if nv else opt
        x = _random_blocks(rng, n, size, src)
        ts = _random_ts(rng, x, src) if nv else np.zeros(n, np.int64)
        rand = rng.integers(0, 256, (n, size))
        bad += _check_quant(nv, src, rule, rnd, x, ts, rand)
        total += n
    _report("nvfp4_quant" if nv else "mx_quant", "random", total, bad, t0)


# ---- mac_stream ------------------------------------------------------------------------------------
STREAM_OPTS = [  # x, w, lanes, acc_w, policy
    ("e2m1", "e2m1", 1, 12, "wrap"), ("e2m1", "e2m1", 1, 4, "saturate"),
    ("e2m1", "e2m1", 16, 12, "saturate"), ("e4m3", "e2m1", 4, 20, "wrap"),
    ("e5m2", "e3m2", 2, 48, "saturate"), ("e2m1_nosub", "e1m2", 3, 2, "wrap"),
    ("e4m3fnuz", "e3m0", 8, 9, "saturate"), ("e2m3", "e4m3", 5, 16, "wrap"),
    ("e5m2", "e5m2", 16, 48, "wrap"), ("e5m2", "e5m2", 3, 40, "saturate"),     # past int64
]


def _check_stream(opts, clr, en, x, w) -> list:
    fx, fw, lanes, acc_w, policy = opts
    acc, ovf = mac_stream(clr, en, x, w, fx, fw, acc_w, policy)
    want_acc, want_ovf = slow_mac_stream(clr.tolist(), en.tolist(), x.tolist(), w.tolist(), fx, fw, acc_w, policy)
    for i in range(len(clr)):
        if (int(acc[i]), int(ovf[i])) != (want_acc[i], want_ovf[i]):
            return [{"opts": opts, "first differing cycle": i,
                     "cycles 0..i": {"clr": clr[:i + 1].tolist(), "en": en[:i + 1].tolist(),
                                     "x": x[:i + 1].tolist(), "w": w[:i + 1].tolist()},
                     "fast": (int(acc[i]), int(ovf[i])), "slow": (want_acc[i], want_ovf[i])}]
    return []


@pytest.mark.parametrize("opts", STREAM_OPTS, ids=lambda o: "-".join(map(str, o)))
def test_mac_stream_pack_corners(opts):
    t0 = time.process_time()
    fx, fw, lanes, acc_w, _ = opts
    clr, en, x, w = stream_pack.stimulus(fx, fw, lanes, acc_w, 0, PACK_SEED)
    _report("mac_stream", f"pack corners {opts}", len(clr), _check_stream(opts, clr, en, x, w), t0)


def _finite_codes(name: str) -> np.ndarray:
    fmt = get_format(name)
    return np.array([c for c in range(1 << (1 + fmt.exp_w + fmt.man_w)) if decode_code(c, fmt)[0] == "fin"])


def test_mac_stream_random():
    t0 = time.process_time()
    rng = np.random.default_rng([SEED, 11])
    bad, total = [], 0
    for opts, n in zip(STREAM_OPTS, _split(N, len(STREAM_OPTS))):
        fx, fw, lanes, _, _ = opts
        cx, cw = _finite_codes(fx), _finite_codes(fw)
        clr = (rng.random(n) < 1 / 32).astype(np.int64)
        clr[0] = 1
        en = (rng.random(n) < 0.75).astype(np.int64)
        x = rng.choice(cx, (n, lanes))
        w = rng.choice(cw, (n, lanes))
        runs = rng.random(n) < 0.3                     # stretches of the largest codes
        x[runs] = cx[np.argmax([abs(_I_of(c, fx)) for c in cx])]
        bad += _check_stream(opts, clr, en, x, w)
        total += n
    _report("mac_stream", "random cycles", total, bad, t0)


def _I_of(code: int, name: str) -> int:
    kind, sign, mag = decode_code(int(code), get_format(name))
    return -mag if sign else mag


# ---- fp_mul ------------------------------------------------------------------------------------------
FP_MUL_OPTS = [  # a, b, o, rounding, overflow
    ("e2m1", "e2m1", "e2m1", "rne", "saturate"), ("e2m1", "e2m1", "e2m1", "sr", "saturate"),
    ("e2m1", "e2m1", "e4m3", "rtz", "inf"), ("e2m1", "e5m2", "e3m2", "rna", "saturate"),
    ("e5m2", "e5m2", "e5m2", "rup", "inf"), ("e4m3", "e4m3", "e4m3fnuz", "rdn", "inf"),
    ("e4m3_ieee", "e3m4", "e2m1_nosub", "rne", "saturate"), ("e5m2fnuz", "e3m0", "e3m0_b0", "sr", "saturate"),
    ("e1m2", "e4m3b11fnuz", "e5m2", "sr", "inf"), ("e2m1_b0", "e2m3", "e1m2", "rdn", "saturate"),
]


def _check_mul(opts, a, b, rand) -> list:
    fa, fb, fo, rnd, ov = opts
    codes, flags = fp_mul(a, b, fa, fb, fo, rnd, ov, rand if rnd == "sr" else None)
    bad = []
    for ai, bi, ri, c, f in zip(a.tolist(), b.tolist(), rand.tolist(), codes.tolist(), flags.tolist()):
        want = slow_fp_mul(ai, bi, fa, fb, fo, rnd, ov, ri)
        if (c, f) != want:
            bad.append({"opts": opts, "a": hex(ai), "b": hex(bi), "rand": ri, "fast": (hex(c), f),
                        "slow": (hex(want[0]), want[1])})
    return bad


@pytest.mark.parametrize("opts", FP_MUL_OPTS, ids=lambda o: "-".join(o))
def test_fp_mul_pack_corners(opts):
    t0 = time.process_time()
    a, b, rand = fp_mul_pack.stimulus(opts[0], opts[1], opts[3], PACK_SEED)
    _report("fp_mul", f"pack corners {opts}", len(a), _check_mul(opts, a, b, rand), t0)


def test_fp_mul_random():
    t0 = time.process_time()
    rng = np.random.default_rng([SEED, 12])
    names = list_formats()
    bad, total = [], 0
    per = 2000
    for i in range(0, N, per):
        n = min(per, N - i)
        fa, fb, fo = rng.choice(names, 3)
        rnd = str(rng.choice(["rne", "rna", "rtz", "rup", "rdn", "sr"]))
        ov = "saturate" if get_format(fo).specials == "fn" or rng.random() < 0.5 else "inf"
        bits = [1 + get_format(f).exp_w + get_format(f).man_w for f in (fa, fb)]
        a = rng.integers(0, 1 << bits[0], n)
        b = rng.integers(0, 1 << bits[1], n)
        rand = rng.integers(0, 256, n)
        bad += _check_mul((str(fa), str(fb), str(fo), rnd, ov), a, b, rand)
        total += n
    _report("fp_mul", "random", total, bad, t0)
