"""The bad-input campaign (fp4ref/badinput.py, docs/bad_input.md): one test per category."""
import argparse

import pytest

from fp4ref import badinput

CATS = badinput.CATEGORIES


@pytest.mark.parametrize("cat", CATS, ids=[c.id for c in CATS])
def test_category_is_refused_cleanly(cat, tmp_path):
    r = badinput.run_category(cat, tmp_path)
    # a category whose command this fp4ref lacks is a broken catalogue, not a skip
    assert not r.skipped, r.message
    assert r.ok, f"{r.status}: {r.message!r}: " + "; ".join(r.problems)


def test_the_catalogue_covers_every_command():
    ids = [c.id for c in CATS]
    assert len(ids) >= 30
    assert len(set(ids)) == len(ids), "category ids must be unique"
    assert all(c.what and "\n" not in c.what and c.expect for c in CATS)
    assert all(c.kind == "api" or c.argv for c in CATS)
    covered = {c.command for c in CATS if c.kind == "cli"}
    missing = badinput.cli_commands() - covered
    assert not missing, f"sub-commands with no bad-input category: {sorted(missing)}"


def test_the_command_prints_the_table_and_writes_markdown(tmp_path, capsys):
    md = tmp_path / "bad_input.md"
    args = argparse.Namespace(markdown=str(md), only="code-outside-format,api-dot-shapes", jobs=1)
    assert badinput.cmd_badinput(args) == 0
    out = capsys.readouterr().out
    assert "| `code-outside-format` | code 16 for a 4-bit format |" in out
    assert "2 categories (1 command line, 1 API): 2 behave" in out
    text = md.read_text()
    assert text.startswith("# Bad input") and "| `api-dot-shapes` |" in text
    assert [p.name for p in tmp_path.iterdir()] == ["bad_input.md"]     # no temporary file left


def test_the_command_fills_a_marked_region_of_a_readme(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n\nbefore\n{badinput.START}\nold table\n{badinput.END}\nafter\n")
    args = argparse.Namespace(markdown=str(readme), only="api-decode-outside", jobs=1)
    assert badinput.cmd_badinput(args) == 0
    text = readme.read_text()
    assert text.startswith("# x\n\nbefore\n" + badinput.START + "\n1 categories")
    assert "old table" not in text and "| `api-decode-outside` |" in text
    assert text.endswith(badinput.END + "\nafter\n")


@pytest.mark.parametrize("kw, message", [
    ({"markdown": "{tmp}/afile/x.md"}, "--markdown"),
    ({"markdown": "{tmp}/afile"}, "refusing to overwrite"),
    ({"only": "no-such-category"}, "--only"),
    ({"jobs": 0}, "--jobs"),
])
def test_the_command_refuses_its_own_bad_input(kw, message, tmp_path):
    (tmp_path / "afile").write_text("x")
    args = argparse.Namespace(markdown=None, only=None, jobs=1)
    for k, v in kw.items():
        setattr(args, k, v.replace("{tmp}", str(tmp_path)) if isinstance(v, str) else v)
    with pytest.raises(ValueError, match=message):
        badinput.cmd_badinput(args)


def test_the_checker_catches_a_misbehaving_command(tmp_path):
    """A command that succeeds, or writes its output, is reported, not passed."""
    ok = badinput.Category("x", "a good command", ("golden", "gen", "--unit", "decode", "-f", "e2m1",
                                                    "--out", "{tmp}/pack"), expect="")
    r = badinput.run_category(ok, tmp_path)
    assert not r.ok and "exit status 0" in r.problems and any("wrote" in p for p in r.problems)
    api = badinput.Category("y", "a call that works", call=lambda t: 1, how="1", expect="")
    r = badinput.run_category(api, tmp_path)
    assert not r.ok and r.problems == ["returned without an error"]
