"""make distributed-speedup (rtl_tb/speedup.py): its table's cells and its one-line errors; the
measurement itself is the make target (minutes), not a test."""
from fp4ref.rtl_tb import speedup


def test_a_doc_without_the_markers_is_one_line(tmp_path, capsys):
    doc = tmp_path / "d.md"
    doc.write_text("# no markers here\n")
    assert speedup.main(["--doc", str(doc)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "<!-- fp4ref distributed-speedup -->" in err
    assert doc.read_text() == "# no markers here\n"


def test_one_run_is_timed_with_its_children(tmp_path):
    wall, cpu, load = speedup._run(["golden", "gen", "--unit", "decode", "-f", "e2m1", "--out", "{tmp}/pack"],
                                   tmp_path / "build", tmp_path)
    assert (tmp_path / "pack" / "vectors.hex").is_file()
    assert 0 < cpu and 0 < wall < 120 and load >= 0


def test_a_failing_run_names_its_command(tmp_path):
    import pytest
    with pytest.raises(RuntimeError, match=r"`fp4ref golden gen --unit nope` failed \(exit 2\)"):
        speedup._run(["golden", "gen", "--unit", "nope"], tmp_path / "build", tmp_path)


def test_the_table_has_a_row_per_campaign_and_executor():
    rows = [[n, e, "10 (9)", "5 (9)", "2.00x", "1.00, 1.00"] for n, _a, _p in speedup.CAMPAIGNS
            for e, _f, _v in speedup.EXECUTORS]
    text = speedup.table(rows)
    assert text.count("\n| `") == len(speedup.CAMPAIGNS) * len(speedup.EXECUTORS)
    assert "make distributed-speedup" in text and "speed-up (wall)" in text
