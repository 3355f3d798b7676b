"""Packs: byte-identical regeneration, manifest contents, corruption detection, atomic writes."""
import json
import os

import numpy as np
import pytest

from fp4ref import emu
from fp4ref.golden import manifest, pack
from fp4ref.golden.pack import PackSpec

SPECS = {
    "decode-e2m1": PackSpec("decode", emu.get_format("e2m1")),
    "encode-e4m3-bf16-sr": PackSpec("encode", emu.get_format("e4m3"), "bfloat16", "sr", "inf"),
    "encode-e2m1-f32-l2": PackSpec("encode", emu.get_format("e2m1"), "float32", "rne", "saturate",
                                   "level2", n_random=1000),
}


@pytest.mark.parametrize("key", SPECS)
def test_two_runs_give_byte_identical_packs(key, tmp_path):
    a = pack.write(SPECS[key], tmp_path / "a")
    b = pack.write(SPECS[key], tmp_path / "b")
    for name in ("vectors.hex", "vectors.jsonl", "manifest.json"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_manifest_records_layout_options_and_hashes(tmp_path):
    d = pack.write(SPECS["encode-e4m3-bf16-sr"], tmp_path / "p")
    m = manifest.load(d)
    assert m["unit"] == "encode" and m["format"]["name"] == "e4m3" and m["format"]["bias"] == 7
    assert m["options"] == {"src": "bfloat16", "rounding": "sr", "overflow": "inf", "nan": "nan", "sr_bits": 8}
    assert m["count"] == 65536 and m["seed"] == pack.DEFAULT_SEED
    assert [(f["name"], f["role"], f["width"], f["lsb"]) for f in m["fields"]] == [
        ("x", "input", 16, 20), ("rand", "input", 8, 12), ("code", "output", 8, 4), ("flags", "output", 4, 0)]
    for name, meta in m["files"].items():
        assert meta["sha256"] == manifest.sha256((d / name).read_bytes())


def test_pack_vectors_are_emu_results(tmp_path):
    d = pack.write(PackSpec("encode", emu.get_format("e2m1"), "bfloat16", "rne", "saturate"), tmp_path / "p")
    _, cols = pack.load(d)
    x = cols["x"].astype(np.uint16)
    import ml_dtypes
    assert np.array_equal(cols["code"], emu.encode(x.view(ml_dtypes.bfloat16), "e2m1", nan="zero"))
    line = (d / "vectors.hex").read_bytes().splitlines()[0x3FC0]     # bfloat16 1.5: exact, code 3
    assert line == b"3fc00030"
    record = json.loads((d / "vectors.jsonl").read_text().splitlines()[0x3FC0])
    assert record == {"x": "0x3fc0", "x_value": "1.5", "rand": 0, "code": "0x3", "fields": "0|01|1",
                      "value": "1.5", "flags": "-"}


@pytest.mark.parametrize("damage, message", [
    (lambda d: (d / "vectors.hex").write_bytes((d / "vectors.hex").read_bytes()[:-9]), "truncated"),
    (lambda d: (d / "vectors.hex").write_bytes(b"f" + (d / "vectors.hex").read_bytes()[1:]), "sha256"),
    (lambda d: (d / "vectors.jsonl").unlink(), "missing"),
    (lambda d: (d / "manifest.json").write_text("{not json"), "malformed JSON"),
    (lambda d: (d / "manifest.json").write_text("{}"), "missing keys"),
    (lambda d: (d / "manifest.json").unlink(), "no manifest.json"),
])
def test_verify_reports_corruption(damage, message, tmp_path):
    d = pack.write(SPECS["decode-e2m1"], tmp_path / "p")
    manifest.verify(d)
    damage(d)
    with pytest.raises(ValueError, match=message):
        manifest.verify(d)


def test_a_crash_mid_write_leaves_nothing_under_the_target(tmp_path, monkeypatch):
    real_fsync = os.fsync
    calls = []

    def crash_on_second_file(fd):
        calls.append(fd)
        if len(calls) == 2:
            raise KeyboardInterrupt   # Ctrl-C between two files
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", crash_on_second_file)
    with pytest.raises(KeyboardInterrupt):
        pack.write(SPECS["decode-e2m1"], tmp_path / "p")
    assert list(tmp_path.iterdir()) == []


def test_rewriting_replaces_an_old_pack_but_never_other_folders(tmp_path):
    d = pack.write(SPECS["decode-e2m1"], tmp_path / "p")
    (d / "vectors.hex").write_bytes(b"junk")
    pack.write(SPECS["decode-e2m1"], d)
    manifest.verify(d)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p"]
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    with pytest.raises(ValueError, match="not an fp4ref output folder"):
        pack.write(SPECS["decode-e2m1"], other)
    assert (other / "notes.txt").read_text() == "keep me"


def test_a_pack_from_before_markers_is_replaced_but_not_one_with_a_users_file(tmp_path):
    """A build folder kept from an older fp4ref holds packs without the marker (generator
    fp4ref-golden 1): `fp4ref golden gen` into one replaces it (they refused before), and a
    pack folder the user added a file to is still refused."""
    import subprocess
    import sys

    from fp4ref.golden.atomic import MARKER

    def gen(out):
        return subprocess.run([sys.executable, "-m", "fp4ref", "golden", "gen", "--unit", "decode", "-f", "e2m1",
                               "--out", str(out)], capture_output=True, text=True, timeout=120, cwd=tmp_path)

    d = tmp_path / "old"
    assert gen(d).returncode == 0
    (d / MARKER).unlink()
    record = json.loads((d / "manifest.json").read_text())
    (d / "manifest.json").write_text(json.dumps({**record, "generator": "fp4ref-golden 1"}))
    assert pack.unmarked_pack(d)
    proc = gen(d)
    assert proc.returncode == 0, proc.stderr
    assert (d / MARKER).is_file() and manifest.verify(d)["generator"] == pack.GENERATOR
    (d / MARKER).unlink()
    (d / "notes.txt").write_text("mine")
    assert not pack.unmarked_pack(d)
    proc = gen(d)
    assert proc.returncode == 2 and "not an fp4ref output folder" in proc.stderr
    assert (d / "notes.txt").read_text() == "mine"


def test_ensure_reuses_an_intact_pack_and_regenerates_a_damaged_one(tmp_path):
    spec = SPECS["decode-e2m1"]
    d = pack.ensure(spec, tmp_path)
    stamp = (d / "manifest.json").stat().st_mtime_ns
    assert pack.ensure(spec, tmp_path) == d and (d / "manifest.json").stat().st_mtime_ns == stamp
    (d / "vectors.hex").write_bytes(b"x")
    pack.ensure(spec, tmp_path)
    manifest.verify(d)


@pytest.mark.parametrize("kwargs, message", [
    (dict(unit="mac"), "unit: must be one of encode, decode"),
    (dict(unit="encode", src="float8"), "src: must be one of"),
    (dict(unit="encode", src="bfloat16", rounding="nearest", overflow="saturate"), "rounding"),
    (dict(unit="encode", src="bfloat16", rounding="rne", overflow="inf"), "neither Inf nor NaN"),
    (dict(unit="encode", src="float32", rounding="rne", overflow="saturate"), "level1 or level2"),
])
def test_bad_pack_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        PackSpec(fmt=emu.get_format("e2m1"), **kwargs)


def test_decode_packs_refuse_formats_float32_cannot_hold():
    with pytest.raises(ValueError, match="not all float32 normals"):
        PackSpec("decode", emu.FloatFormat("e3m2_b140", exp_w=3, man_w=2, bias=140))
