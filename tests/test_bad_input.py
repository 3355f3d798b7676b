"""The bad-input campaign (rtl_tb/bad_input.toml, rtl_tb/badinput.py, fp4ref/badinput.py,
docs/bad_input.md): one test per category."""
import argparse

import pytest

from fp4ref.cli import badinput
from fp4ref.rtl_tb import badinput as campaign

CATS = campaign.catalogue()
COMMANDS = badinput.cli_commands()


@pytest.mark.parametrize("cat", CATS, ids=[c.id for c in CATS])
def test_category_is_refused_cleanly(cat, tmp_path):
    r = campaign.run_category(cat, tmp_path, COMMANDS)
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
    missing = COMMANDS - covered
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
    readme.write_text(f"# x\n\nbefore\n{campaign.START}\nold table\n{campaign.END}\nafter\n")
    args = argparse.Namespace(markdown=str(readme), only="api-decode-outside", jobs=1)
    assert badinput.cmd_badinput(args) == 0
    text = readme.read_text()
    assert text.startswith("# x\n\nbefore\n" + campaign.START + "\n1 categories")
    assert "old table" not in text and "| `api-decode-outside` |" in text
    assert text.endswith(campaign.END + "\nafter\n")


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
    ok = campaign.Category("x", "a good command", ("golden", "gen", "--unit", "decode", "-f", "e2m1",
                                                    "--out", "{tmp}/pack"), expect="")
    r = campaign.run_category(ok, tmp_path)
    assert not r.ok and "exit status 0" in r.problems and any("wrote" in p for p in r.problems)
    api = campaign.Category("y", "a call that works", call=lambda t: 1, how="1", expect="")
    r = campaign.run_category(api, tmp_path)
    assert not r.ok and r.problems == ["returned without an error"]


def test_every_setup_is_used():
    """No dead setup: each [setup.NAME] table and each setup in code is named by a category."""
    import tomllib
    data = tomllib.loads(campaign.CATALOGUE.read_text())
    used = {r["setup"] for r in data["category"] if "setup" in r}
    assert used == set(data["setup"]) | set(campaign.SETUPS)


GOOD = "id = 'a'\nwhat = 'w'\nexpect = 'e'\n"


@pytest.mark.parametrize("records, message", [
    (GOOD + "cli = 'card x'\nfrobs = 1", "category 'a': unknown keys frobs"),
    ("id = 'a'\ncli = 'card x'", "category 'a': needs what, expect"),
    (GOOD, "needs one of cli"),
    (GOOD + "cli = 'card x'\n\n[[category]]\n" + GOOD + "cli = 'card y'", "a second category of that id"),
    (GOOD + "call = 'fp4ref.emu.encode'", "needs how"),
    (GOOD + "call = 'fp4ref.emu.encode'\nhow = 'x'\nstdout = 'full'", "apply to a command"),
    (GOOD + "cli = 'card x'\nsetup = 'nothing'", "setup 'nothing' is neither"),
    (GOOD + "cli = 'card x'\nstdout = 'closd'", "stdout must be"),
    (GOOD + "call = 'fp4ref.emu.encode'\nhow = 'x'\nargs = [{ dtype = 'int8' }]", "an inline table is"),
])
def test_a_broken_catalogue_is_refused_in_one_line(records, message, tmp_path):
    (tmp_path / "c.toml").write_text("[[category]]\n" + records + "\n")
    with pytest.raises(ValueError, match=message) as err:
        campaign.load(tmp_path / "c.toml")
    assert "\n" not in str(err.value)
