"""RTN accuracy of the 4-bit formats on all-MiniLM-L6-v2 (quant.rtn, `fp4ref accuracy`)."""
import json
import subprocess
import sys

import numpy as np
import pytest

from fp4ref.quant import rtn


def test_schemes_cover_every_lookup_format_and_reject_bad_names():
    from fp4ref.emu.lookup import lookup_names
    names = {s.name for s in rtn.schemes(blocks=False)}
    assert names == {f"{n}/{g}" for n in lookup_names() for g in ("g128", "channel")}
    with pytest.raises(ValueError, match="unknown lookup format"):
        rtn.schemes(["nf5"])
    with pytest.raises(ValueError, match="grouping"):
        rtn.schemes(["nf4"], ("g64",))


def test_student_t_is_seeded_and_rel_mse_exact():
    a, b = rtn.student_t(1 << 12), rtn.student_t(1 << 12)
    assert a.shape == (4, 1024) and np.array_equal(a, b)
    w = np.array([[1.0, 2.0]], dtype=np.float32)
    assert rtn.rel_mse(w, np.array([[1.0, 1.0]], dtype=np.float32)) == 1 / 5


def test_accuracy_quick_end_to_end(tmp_path):
    """`fp4ref accuracy --quick` (a step of make demo), run twice into one folder as the re-run
    check does (tests/test_rerun.py), then its table."""
    from tests.rerun import reruns

    out = tmp_path / "acc"
    files = reruns(["accuracy", "--quick", "--out", out], out, tmp_path)
    rows = json.loads(files["accuracy.json"])
    cos = [float(r["cosine mean"]) for r in rows]
    assert cos == sorted(cos, reverse=True) and len(rows) == 7
    by = {r["scheme"]: r for r in rows}
    # the source documents' claims, on this model: SF4 and NF4 beat INT4, supernormal E2M1-SP
    # beats plain E2M1 (the weight error of every 4-bit format is far below INT4's)
    assert float(by["sf4_nu5/g128"]["cosine mean"]) > float(by["int4_sym/g128"]["cosine mean"])
    assert float(by["e2m1_sp/g128"]["weight rel. MSE"]) < float(by["e2m1/g128"]["weight rel. MSE"])
    assert float(by["e2m1_sp/g128"]["Student-t(5) rel. MSE"]) < float(by["e2m1/g128"]["Student-t(5) rel. MSE"])
    assert 0.9 < min(cos) and max(cos) < 1.0
    assert "| 1 |" in files["accuracy.md"].decode()


def test_accuracy_bad_format_is_one_line():
    proc = subprocess.run([sys.executable, "-m", "fp4ref", "accuracy", "--formats", "nf5", "--out", "/tmp/x"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "nf5" in proc.stderr
