"""The mismatch diagnosis (rtl_tb.diagnose) names the fault of a deliberately non-conforming
design and counts its vectors. Each design here is a model variant: the outputs a design with
one fault (or two) would give on every vector of a real pack, computed by changing the inputs or
outputs with bit operations and the public emu API, not with the diagnosis' own hypotheses.
RTL variants through `fp4ref verify` are in tests/rtl/test_diagnose_rtl.py."""
from __future__ import annotations

import numpy as np
import pytest

from fp4ref import emu
from fp4ref.golden.codec_pack import PackSpec
from fp4ref.golden import units
from fp4ref.rtl_tb.diagnose import diagnose, render
from fp4ref.rtl_tb.diagnose_units import model_for


def pack(unit="encode", fmt="e2m1", src="float16", rounding="rne", overflow="saturate"):
    f = emu.get_format(fmt)
    spec = PackSpec(unit, f) if unit == "decode" else PackSpec(unit, f, src, rounding, overflow)
    _, cols = spec.build()
    return spec.header(), cols


def encode_got(cols, fmt="e2m1", src="float16", x=None, **options):
    """What an encoder with other options gives (x: other inputs, as float64)."""
    f = emu.get_format(fmt)
    if x is None:
        x = units.source_array(cols["x"], src)
    options.setdefault("nan", units.nan_policy(f))
    codes, flags = emu.encode(x, f, flags=True, **options)
    return {"code": codes.astype(np.uint64), "flags": flags.astype(np.uint64)}


def subnormal_bits(bits, exp_w, man_w):
    """Bit patterns of subnormal (and zero) inputs."""
    return (bits >> np.uint64(man_w)) & np.uint64((1 << exp_w) - 1) == 0


def daz(cols):
    """E5M2 from float16: float16 subnormals (2^-24 .. 2^-14) reach E5M2's (from 2^-16)."""
    x = cols["x"].copy()
    sub = subnormal_bits(x, 5, 10)
    x[sub] &= np.uint64(0x8000)                       # float16: keep the sign only
    return encode_got(cols, fmt="e5m2", x=units.source_array(x, "float16"))


def ftz_out(cols, base=None):
    got = dict(base or {"code": cols["code"], "flags": cols["flags"]})
    code = got["code"]
    got["code"] = np.where((code & np.uint64(7)) == 1, code & np.uint64(8), code)   # E2M1 +-0.5 -> +-0
    return got


def threshold(cols, t=1.0):
    x = units.source_array(cols["x"], "float16").astype(np.float64)
    code = cols["code"].copy()
    with np.errstate(invalid="ignore"):
        small = np.abs(x) < t
    code[small] &= np.uint64(8)
    return {"code": code, "flags": cols["flags"]}


def zero_sign(cols):
    x = units.source_array(cols["x"], "float16").astype(np.float64)
    code = cols["code"].copy()
    code[(code == 8) & ~np.isnan(x)] = 0
    return {"code": code, "flags": cols["flags"]}


def scaled(cols, k):
    x = units.source_array(cols["x"], "float16").astype(np.float64)
    with np.errstate(invalid="ignore"):
        return encode_got(cols, x=x * 2.0 ** k)


def biased(cols, bias):
    """An E2M1 encoder built with another exponent bias."""
    f = emu.get_format("e2m1")
    variant = emu.FloatFormat("e2m1_b", f.exp_w, f.man_w, bias, f.subnormals, f.specials)
    codes = emu.encode(units.source_array(cols["x"], "float16"), variant, nan="zero")
    return {"code": codes.astype(np.uint64), "flags": cols["flags"]}


#: (case, pack arguments, the design's outputs, a key the diagnosis must give)
ENCODE_CASES = [
    ("rna", {}, lambda c: encode_got(c, rounding="rna"), "rounding=rna"),
    ("rtz", {}, lambda c: encode_got(c, rounding="rtz"), "rounding=rtz"),
    ("rup", {}, lambda c: encode_got(c, rounding="rup"), "rounding=rup"),
    ("rdn", {}, lambda c: encode_got(c, rounding="rdn"), "rounding=rdn"),
    ("ties-lower", {}, lambda c: encode_got(c, rounding="rnm"), "rounding=rnm"),
    ("ties-smaller", {}, lambda c: encode_got(c, rounding="rnz"), "rounding=rnz"),
    ("rne-from-rna", {"rounding": "rna"}, lambda c: encode_got(c, rounding="rne"), "rounding=rne"),
    ("daz", {"fmt": "e5m2"}, daz, "daz"),
    ("ftz", {}, ftz_out, "ftz"),
    ("threshold", {}, threshold, "flush<="),
    ("zero-sign", {}, zero_sign, "zero-sign"),
    ("scale+1", {}, lambda c: scaled(c, 1), "scale=2^1"),
    ("scale-2", {}, lambda c: scaled(c, -2), "scale=2^-2"),
    ("bias0", {}, lambda c: biased(c, 0), "bias=0"),
    ("nan-ml_dtypes", {}, lambda c: encode_got(c, nan="ml_dtypes"), "nan=ml_dtypes"),
    ("nan-max", {}, lambda c: encode_got(c, nan="max"), "nan=max"),
    ("e4m3-saturate", {"fmt": "e4m3", "overflow": "inf"},
     lambda c: encode_got(c, fmt="e4m3", overflow="saturate"), "overflow=saturate"),
    ("e4m3-inf", {"fmt": "e4m3"}, lambda c: encode_got(c, fmt="e4m3", overflow="inf"), "overflow=inf"),
    ("e5m2-nan-on-overflow", {"fmt": "e5m2", "overflow": "inf"}, None, "overflow-nan"),
    ("ggml-mxfp4", {}, lambda c: encode_got(c, rounding="rnz", signed_zero="positive"), "convention=ggml_mxfp4"),
]


def _e5m2_nan(cols):
    got = encode_got(cols, fmt="e5m2", overflow="inf")
    code = got["code"]
    inf = (code & np.uint64(0x7F)) == 0x7C
    x = units.source_array(cols["x"], "float16").astype(np.float64)
    over = inf & np.isfinite(x)                      # overflowed finite inputs: NaN instead of Inf
    got["code"] = np.where(over, (code & np.uint64(0x80)) | np.uint64(0x7E), code)
    return got


@pytest.mark.parametrize("case, args, design, key", ENCODE_CASES, ids=[c[0] for c in ENCODE_CASES])
def test_a_single_fault_of_an_encoder_is_named_with_its_count(case, args, design, key):
    a = {"fmt": "e2m1", **args}
    record, cols = pack(**a)
    if design is None:
        design = _e5m2_nan
    got = design(cols)
    model = model_for(record)
    mism = int((got["code"] != cols["code"]).sum())
    assert mism > 0, "the variant must differ somewhere"
    diag = diagnose(model, cols, got)
    text = "\n".join(render(diag, model, cols, got))
    assert diag.full, text
    hit = [f for f in diag.full if any(key in h.key for h in f.hyps)]
    assert hit, text
    assert hit[0].n_explained == mism and hit[0].n_refuted == 0, text
    assert f"{mism:,} of {mism:,} mismatches" in text


def test_two_faults_in_one_encoder_are_both_reported():
    record, cols = pack()
    got = ftz_out(cols, encode_got(cols, rounding="rna"))
    model = model_for(record)
    diag = diagnose(model, cols, got)
    text = "\n".join(render(diag, model, cols, got))
    assert len(diag.full) == 1 and diag.full[0].parts, text
    keys = {h.key for p in diag.full[0].parts for h in p.hyps}
    assert {"ftz", "rounding=rna"} <= keys, text
    assert "two faults together" in text


def test_a_random_fault_is_left_unexplained():
    record, cols = pack()
    got = {"code": cols["code"].copy(), "flags": cols["flags"]}
    got["code"][[100, 20000, 40000]] ^= np.uint64(3)
    model = model_for(record)
    diag = diagnose(model, cols, got)
    assert not diag.explained and diag.left.size == 3


def test_a_mixed_fault_gets_the_best_cover_and_the_rest():
    record, cols = pack()
    got = encode_got(cols, rounding="rna")
    got["code"] = got["code"].copy()
    got["code"][40000] ^= np.uint64(5)          # one vector no hypothesis predicts
    model = model_for(record)
    diag = diagnose(model, cols, got)
    text = "\n".join(render(diag, model, cols, got))
    assert not diag.full and diag.cover and diag.left.tolist() == [40000], text
    assert any(h.key == "rounding=rna" for h in diag.cover[0].hyps)


def test_matching_outputs_report_flag_only_differences():
    record, cols = pack()
    got = {"code": cols["code"], "flags": cols["flags"] ^ np.uint64(1)}
    model = model_for(record)
    diag = diagnose(model, cols, got)
    assert diag.mismatches.size == 0 and diag.other_only.size == cols["flags"].size
    assert "differ only in flags" in render(diag, model, cols, got)[0]


# ---- decoder -----------------------------------------------------------------------------------
def decode_got(cols, codes):
    return units.expect_decode(emu.get_format("e2m1"), codes.astype(np.int64))


PERM = np.array([0, 2, 1, 3, 4, 5, 6, 7, 8, 10, 9, 11, 12, 13, 14, 15])     # codes 1 and 2 swapped


@pytest.mark.parametrize("case, design, key", [
    ("permuted", lambda c: decode_got(c, PERM[c["code"].astype(np.int64)]), "code-map"),
    ("daz", lambda c: decode_got(c, np.where((c["code"] & np.uint64(7)) == 1, c["code"] & np.uint64(8), c["code"])), "daz"),
    ("zero-sign", lambda c: {**decode_got(c, c["code"]), "f32": np.where(c["code"] == 8, np.uint64(0), c["f32"])}, "zero-sign"),
    ("scale+1", lambda c: {**decode_got(c, c["code"]),
                           "f32": (c["f32"].astype(np.uint32).view(np.float32) * 2).view(np.uint32).astype(np.uint64)},
     "scale=2^1"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_a_single_fault_of_a_decoder_is_named(case, design, key):
    record, cols = pack("decode")
    got = design(cols)
    model = model_for(record)
    mism = int(sum((got[f] != cols[f]) for f in model.primary).astype(bool).sum())
    diag = diagnose(model, cols, got)
    text = "\n".join(render(diag, model, cols, got))
    hit = [f for f in diag.full if any(key in h.key for h in f.hyps)]
    assert hit and hit[0].n_explained == mism, text


# ---- two-operand units, the MAC and a block unit ---------------------------------------------
from fp4ref.golden.mac_pack import MacPackSpec          # noqa: E402
from fp4ref.golden.unit_pack import UnitPackSpec        # noqa: E402

SWAP56 = np.arange(16)
SWAP56[[5, 6, 13, 14]] = [6, 5, 14, 13]          # the rows of 3.0 and 4.0 swapped, both signs


def _spec_pack(spec):
    fields, cols = spec.build()
    record = spec.header()
    record["fields"] = [{"name": f.name, "width": f.width, "role": f.role} for f in fields]
    return record, cols


def _product_got(cols, mx, mw):
    from fp4ref.mac.products import product_table
    t = product_table("e2m1", "e2m1")
    p = t[mx[cols["code_x"].astype(np.int64)], mw[cols["code_w"].astype(np.int64)]]
    return {"product": (p.astype(np.int64) & 0x1FF).astype(np.uint64)}


def _diag_full(record, cols, got, key):
    model = model_for(record)
    mism = int(np.any([got[f] != cols[f] for f in model.primary], axis=0).sum())
    diag = diagnose(model, cols, got)
    text = "\n".join(render(diag, model, cols, got))
    hit = [f for f in diag.full if any(key == h.key or key in h.key for h in f.hyps)]
    assert hit and hit[0].n_explained == mism > 0, text
    return text


@pytest.mark.parametrize("which, key", [("w", "code-map-b"), ("both", "code-map-both")])
def test_a_multiplier_with_a_permuted_decoder_gets_its_code_map(which, key):
    record, cols = _spec_pack(MacPackSpec("product", "e2m1", "e2m1"))
    ident = np.arange(16)
    got = _product_got(cols, SWAP56 if which == "both" else ident, SWAP56)
    text = _diag_full(record, cols, got, key)
    assert "0x5 as 0x6, 0x6 as 0x5, 0xd as 0xe, 0xe as 0xd" in text


def test_an_fp_multiplier_with_ties_away_and_a_permuted_decoder():
    from fp4ref.mac.fp_mul import fp_mul
    spec = UnitPackSpec("fp_mul", {"a": "e2m1", "b": "e2m1", "o": "e2m1"})
    record, cols = _spec_pack(spec)
    a, b = cols["a"].astype(np.int64), cols["b"].astype(np.int64)
    codes, _ = fp_mul(a, b, "e2m1", "e2m1", "e2m1", "rna")
    _diag_full(record, cols, {"code": codes.astype(np.uint64), "flags": cols["flags"]}, "rounding=rna")
    codes, _ = fp_mul(SWAP56[a], SWAP56[b], "e2m1", "e2m1", "e2m1")
    _diag_full(record, cols, {"code": codes.astype(np.uint64), "flags": cols["flags"]}, "code-map-both")


@pytest.mark.parametrize("case, key", [("swap-w", "swap-w-0x5-0x6"), ("saturate", "policy=saturate"),
                                       ("shift", "shift-ignored")])
def test_a_mac_fault_is_named(case, key):
    from fp4ref.mac.dot import dot
    spec = MacPackSpec("dot", "e2m1", "e2m1", lanes=4, acc_w=12, shift_max=2 if case == "shift" else 0)
    record, cols = _spec_pack(spec)
    x = np.stack([cols[f"x{j}"] for j in range(4)], 1).astype(np.int64)
    w = np.stack([cols[f"w{j}"] for j in range(4)], 1).astype(np.int64)
    s = (np.stack([cols[f"s{j}"] for j in range(4)], 1).astype(np.int64) if case == "shift"
         else np.zeros_like(x))
    acc_in = cols["acc_in"].astype(np.int64)
    acc_in = np.where(acc_in >= 2048, acc_in - 4096, acc_in)
    if case == "swap-w":
        w = SWAP56[w]
    if case == "shift":
        s = np.zeros_like(x)                     # a MAC that never shifts
    r = dot(x, w, "e2m1", "e2m1", 12, "saturate" if case == "saturate" else "wrap", "tree", 4, s,
            spec.shift_max, acc_in)
    got = {"acc": (r.acc & 0xFFF).astype(np.uint64), "ovf": r.overflow.astype(np.uint64)}
    _diag_full(record, cols, got, key)


@pytest.mark.parametrize("delta, key", [({"rule": "ceil"}, "rule=ceil"), ({"rule": "rceil"}, "rule=rceil"),
                                        ({"rounding": "rna"}, "rounding=rna"),
                                        ({"rounding": "rnz", "signed_zero": "positive"}, "convention=ggml_mxfp4")])
def test_an_mx_quantizer_fault_is_named(delta, key):
    from fp4ref.emu.block.quant import mx_quant
    spec = UnitPackSpec("mx_quant", {"random": 1000})
    record, cols = _spec_pack(spec)
    x = np.stack([cols[f"x{j}"] for j in range(32)], 1).astype(np.int64)
    scale, codes = mx_quant(x, "float32", delta.get("rule", "floor"), delta.get("rounding", "rne"))
    codes = codes.astype(np.uint64)
    if delta.get("signed_zero") == "positive":
        codes[codes == 8] = 0
    got = {"scale": scale.astype(np.uint64), **{f"code{j}": codes[:, j] for j in range(32)}}
    _diag_full(record, cols, got, key)


@pytest.mark.parametrize("unit", ["mx_dot", "nvfp4_dot"])
@pytest.mark.parametrize("delta, key", [({"guard": 3}, "sticky-3"), ({"guard": 12}, "sticky-12"),
                                        ({"semantics": "per_block"}, "semantics=per_block"),
                                        ({"ftz": True}, "ftz"), ({"rounding": "rtz"}, "rounding=rtz")])
def test_a_block_dot_fault_is_named(unit, delta, key):
    """A block dot product that loses its sticky bits (keeps G bits below the result's last
    place: one ulp off next to a tie), rounds per block, flushes or truncates."""
    from fp4ref.mac.block_dot import mx_dot_fp32, nvfp4_dot_fp32
    spec = UnitPackSpec(unit, {"blocks": 2, "random": 1000})
    record, cols = _spec_pack(spec)
    n = 16 if unit == "nvfp4_dot" else 32
    lanes = lambda name, k: np.stack([cols[f"{name}{j}"] for j in range(k)], 1).astype(np.int64)  # noqa: E731
    kw = {"acc": cols["acc"].astype(np.int64), "semantics": "exact", "rounding": "rne", "ftz": False, **delta}
    if unit == "mx_dot":
        res, flags, blk = mx_dot_fp32(lanes("a", 2 * n), lanes("b", 2 * n), lanes("xa", 2), lanes("xb", 2), **kw)
    else:
        res, flags, blk = nvfp4_dot_fp32(lanes("a", 2 * n), lanes("b", 2 * n), lanes("sa", 2), lanes("sb", 2),
                                         cols["ta"].astype(np.int64), cols["tb"].astype(np.int64), **kw)
    got = {"res": res.astype(np.uint64), "flags": flags.astype(np.uint64),
           "blk0": blk[:, 0].astype(np.uint64), "blk1": blk[:, 1].astype(np.uint64)}
    _diag_full(record, cols, got, key)


def test_explain_reads_a_product_dump_as_a_user_writes_it(tmp_path):
    """`fp4ref explain` on a CSV dump of a multiplier whose decode table swaps 1.5 and 2."""
    import subprocess
    import sys

    from fp4ref.mac.products import product_table
    record, cols = _spec_pack(MacPackSpec("product", "e2m1", "e2m1"))
    perm = np.arange(16)
    perm[[3, 4, 11, 12]] = [4, 3, 12, 11]
    p = product_table("e2m1", "e2m1")[perm[cols["code_x"].astype(np.int64)], perm[cols["code_w"].astype(np.int64)]]
    dump = tmp_path / "mul.csv"
    dump.write_text("code_x,code_w,product\n" + "".join(
        f"{a},{b},{int(c) & 0x1FF:#x}\n" for a, b, c in zip(cols["code_x"], cols["code_w"], p)))
    res = subprocess.run([sys.executable, "-m", "fp4ref", "explain", "--unit", "product", "--x", "e2m1", "--w", "e2m1",
                          str(dump)], capture_output=True, text=True, cwd=tmp_path)
    assert res.returncode == 1, res.stderr
    assert "mul.csv: 256 vectors, 88 mismatches" in res.stdout
    assert ("reads both operands' codes permuted: 0x3 as 0x4, 0x4 as 0x3, 0xb as 0xc, 0xc as 0xb "
            "[code-map-both]: 88 of 88 mismatches") in res.stdout


def test_a_convention_sets_the_mx_quantizer_packs(tmp_path):
    """`golden gen --unit mx_quant --convention microxcaling`: floor scales, ties away; an --opt
    that contradicts it and a choice the packs cannot make are one line each."""
    import json
    import subprocess
    import sys

    def gen(*args):
        return subprocess.run([sys.executable, "-m", "fp4ref", "golden", "gen", "--unit", "mx_quant", *args],
                              capture_output=True, text=True, cwd=tmp_path)
    ok = gen("--convention", "microxcaling", "--opt", "random=10", "--out", "p")
    assert ok.returncode == 0, ok.stderr
    options = json.loads((tmp_path / "p" / "manifest.json").read_text())["options"]
    assert options["rule"] == "floor" and options["rounding"] == "rna"
    bad = gen("--convention", "microxcaling", "--opt", "rounding=rne", "--out", "q")
    assert bad.returncode == 2 and "contradicts --convention microxcaling" in bad.stderr
    bad = gen("--convention", "ggml_mxfp4", "--out", "q")
    assert bad.returncode == 2 and "signed_zero 'positive' has no mx_quant option" in bad.stderr
    assert not (tmp_path / "q").exists()


@pytest.mark.parametrize("delta, key", [({"scale_rounding": "rna"}, "scale-rounding=rna"),
                                        ({"scale_rounding": "rtz"}, "scale-rounding=rtz"),
                                        ({"rounding": "rnz"}, "rounding=rnz")])
def test_an_nvfp4_quantizer_fault_is_named(delta, key):
    """A UE4M3 block scale rounded half up (ggml's rule for the scale, without its clamps) or
    truncated, or elements with ties toward zero."""
    from fp4ref.emu.block.quant import nvfp4_quant
    spec = UnitPackSpec("nvfp4_quant", {"random": 1000})
    record, cols = _spec_pack(spec)
    x = np.stack([cols[f"x{j}"] for j in range(16)], 1).astype(np.int64)
    scale, codes = nvfp4_quant(x, cols["ts"].astype(np.int64), "float32", delta.get("rounding", "rne"),
                               None, delta.get("scale_rounding", "rne"))
    got = {"scale": scale.astype(np.uint64), **{f"code{j}": codes[:, j].astype(np.uint64) for j in range(16)}}
    _diag_full(record, cols, got, key)
