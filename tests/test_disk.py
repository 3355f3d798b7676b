"""make test's disk check (tests/disk.py): one line and exit 1 when the disk cannot hold the run."""
from tests import disk


def test_too_little_disk_is_one_line(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("FP4REF_BUILD_DIR", str(tmp_path / "build"))
    monkeypatch.setattr(disk, "FRESH_BYTES", 1e18)
    assert disk.main() == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "GB free on the disk of" in err and "free some space" in err


def test_a_filled_build_folder_needs_only_the_rest(monkeypatch, tmp_path):
    import collections
    usage = collections.namedtuple("usage", "total used free")
    monkeypatch.setattr(disk.shutil, "disk_usage", lambda _f: usage(10_000, 5_000, 5_000))
    monkeypatch.setattr(disk, "FRESH_BYTES", 5_500)
    build = tmp_path / "build"
    build.mkdir()
    monkeypatch.setenv("FP4REF_BUILD_DIR", str(build))
    assert disk.main() == 1                      # 5,500 needed, 5,000 free
    (build / "pack.hex").write_bytes(b"0" * 1000)
    assert disk.main() == 0                      # 4,500 still to write
