"""The bad-input campaign (issue 8): its catalogue loaded, the runner that provokes and checks
each category, and the markdown of docs/bad_input.md and the README (`fp4ref badinput` parses its
options, calls these and prints).

The catalogue is data, ``bad_input.toml`` beside this file: one record per category, its schema
at the top of that file. Each category is one kind of bad input given to a command or a public
function. A CLI category runs ``python -m fp4ref ARGV`` in a subprocess, in a fresh temporary
folder, and behaves if: the exit status is neither 0 nor 3 (3 is "internal error") nor a signal
(130 exactly for Ctrl-C); stderr holds no traceback and, after argparse's usage synopsis if there
is one, exactly one line, which starts with ``fp4ref COMMAND`` (``fp4ref:`` for a usage error of
the top-level parser); and nothing was written: the temporary folder, and the output path when it
lies elsewhere, are as before, with no partial output and no ``.NAME.tmp-*`` folder. An API
category calls the function and behaves if it raises ValueError or TypeError with a one-line
message that names the problem. The policy and the generated table: docs/bad_input.md.

What stays code: the setups in SETUPS, which compute what they write (a pack from golden.pack,
broken and its manifest re-hashed; the first bytes of the shipped model file; a pack of a clocked
unit, written by the command), and this runner.
"""
from __future__ import annotations

import hashlib
import importlib
import json
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Callable

import numpy as np

from fp4ref.golden.markers import check as check_markers, markers as marker_pair, splice

from fp4ref import paths

CATALOGUE = Path(__file__).with_name("bad_input.toml")
TIMEOUT_S = 120
_IN_CAMPAIGN = "FP4REF_BADINPUT_CAMPAIGN"


@dataclass(frozen=True)
class Category:
    """One kind of bad input; ``{tmp}`` in argv and env is the category's temporary folder."""

    id: str
    what: str
    argv: tuple[str, ...] = ()                        #: CLI: the arguments after `fp4ref`
    call: Callable[[Path], object] | None = None      #: API: called with the folder; must raise
    how: str = ""                                     #: API: the call as text; CLI: what setup does
    setup: Callable[[Path], None] | None = None       #: prepares files in the folder first
    expect: str = ""                                  #: the error message contains this
    stdout: str = "pipe"                              #: pipe | full (/dev/full) | closed (no reader)
    fsize: int | None = None                          #: a file size limit: writes fail with EFBIG
    env: tuple[tuple[str, str], ...] = ()             #: environment overrides
    interrupt: bool = False                           #: SIGINT while the output is being written

    @property
    def kind(self) -> str:
        return "api" if self.call is not None else "cli"

    @property
    def command(self) -> str | None:
        argv = list(self.argv)
        while argv and argv[0].startswith("-"):       # a global option before it: --build-dir DIR
            argv = argv[2:]
        return argv[0] if argv else None


@dataclass
class Result:
    id: str
    kind: str
    ok: bool
    status: str                     #: "exit N", an exception name, or "skipped"
    message: str                    #: the error line, the temporary folder written as TMP
    problems: list[str] = field(default_factory=list)
    skipped: bool = False


# ------------------------------------------------------------------------ setups that are code

SETUPS: dict[str, Callable[[Path], None]] = {}     #: name (after `setup_`) -> the setup


def _setup(fn: Callable[[Path], None]) -> Callable[[Path], None]:
    """Register a setup that must be code, under its name without ``setup_``."""
    SETUPS[fn.__name__.removeprefix("setup_")] = fn
    return fn


def _pack(tmp: Path) -> Path:
    """A good 16-vector decode pack (e2m1) at tmp/pack."""
    from fp4ref.emu import get_format
    from fp4ref.golden.pack import PackSpec, write
    return write(PackSpec("decode", get_format("e2m1")), tmp / "pack")


def _manifest(pack: Path, edit: Callable[[dict], None] = lambda m: None, rehash: tuple[str, ...] = ()) -> None:
    """Edit a pack's manifest.json; ``rehash``: files whose sha256 and size it is made to agree with."""
    m = json.loads((pack / "manifest.json").read_text())
    edit(m)
    for name in rehash:
        data = (pack / name).read_bytes()
        m["files"][name] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    (pack / "manifest.json").write_text(json.dumps(m, indent=2) + "\n")


def _edit_hex(pack: Path, edit: Callable[[bytes], bytes]) -> None:
    (pack / "vectors.hex").write_bytes(edit((pack / "vectors.hex").read_bytes()))


@_setup
def setup_digit_flipped(tmp: Path) -> None:
    _edit_hex(_pack(tmp), lambda d: d[:20] + (b"1" if d[20:21] != b"1" else b"0") + d[21:])


@_setup
def setup_truncated(tmp: Path) -> None:
    _edit_hex(_pack(tmp), lambda d: d[:-5])


@_setup
def setup_truncated_rehashed(tmp: Path) -> None:
    pack = _pack(tmp)
    _edit_hex(pack, lambda d: d[:-5])
    _manifest(pack, rehash=("vectors.hex",))


@_setup
def setup_garbled_rehashed(tmp: Path) -> None:
    pack = _pack(tmp)
    def garble(data: bytes) -> bytes:
        lines = data.split(b"\n")
        lines[3] = b"g" + lines[3][1:]           # line 4: its first digit becomes 'g'
        return b"\n".join(lines)
    _edit_hex(pack, garble)
    _manifest(pack, rehash=("vectors.hex",))


@_setup
def setup_field_narrowed(tmp: Path) -> None:
    def edit(m):
        m["fields"][0]["width"] = 2          # code: 4 bits, the manifest now says 2 (still 1 digit)
    _manifest(_pack(tmp), edit)


@_setup
def setup_field_digits(tmp: Path) -> None:
    def edit(m):
        m["fields"][0]["hex_digits"] = 2     # code: 4 bits in 1 digit, the manifest now says 2
    _manifest(_pack(tmp), edit)


@_setup
def setup_manifest_json(tmp: Path) -> None:
    (_pack(tmp) / "manifest.json").write_text('{"schema": 1, "files": {')


@_setup
def setup_manifest_types(tmp: Path) -> None:
    def edit(m):
        m["files"] = []
    _manifest(_pack(tmp), edit)


@_setup
def setup_file_missing(tmp: Path) -> None:
    (_pack(tmp) / "vectors.jsonl").unlink()


@_setup
def setup_gguf_cut(tmp: Path) -> None:
    """TMP/cut.gguf: the first 1,000 bytes of the shipped model file."""
    from fp4ref.quant.smollm2 import gguf_path
    with open(gguf_path(), "rb") as f:
        (tmp / "cut.gguf").write_bytes(f.read(1000))


@_setup
def setup_mac_stream_pack(tmp: Path) -> None:
    """TMP/pack: a pack of a clocked unit (mac_stream), written by `fp4ref golden gen`."""
    subprocess.run([sys.executable, "-m", "fp4ref", "golden", "gen", "--unit", "mac_stream", "--opt", "cycles=10",
                    "--out", str(tmp / "pack")], check=True, capture_output=True)


# ------------------------------------------------------------------------ the catalogue

_KEYS = {"id", "what", "expect", "cli", "call", "args", "kwargs", "how", "setup", "folders", "files", "replace",
         "env", "stdout", "fsize", "interrupt"}
_FILE_KEYS = ("folders", "files", "replace")
_ARRAY_KEYS = ({"array", "dtype"}, {"shape", "dtype"}, {"shape", "dtype", "fill"})


def _write_files(spec: dict, tmp: Path) -> None:
    """A setup as data: make ``folders``, write ``files`` ({path: text}), then in each file of
    ``replace`` ({path: [old, new]}) make the first ``old`` (which must be there) ``new``."""
    for name in spec.get("folders", ()):
        (tmp / name).mkdir(parents=True, exist_ok=True)
    for name, text in spec.get("files", {}).items():
        (tmp / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp / name).write_text(text)
    for name, (old, new) in spec.get("replace", {}).items():
        text = (tmp / name).read_text()
        if old not in text:
            raise ValueError(f"setup: replace: {name} does not hold {old!r}")
        (tmp / name).write_text(text.replace(old, new, 1))


def _value(v, tmp: Path):
    """An argument of a call as the catalogue gives it (its schema: bad_input.toml)."""
    if not isinstance(v, dict):
        return v
    if "path" in v:
        return tmp / v["path"]
    if "array" in v:
        return np.array(v["array"], v["dtype"])
    return np.full(v["shape"], v.get("fill", 0), v["dtype"])


def _function(record: dict) -> Callable[[Path], object]:
    """The call of an API category: ``module.function`` imported when called, as the user would."""
    module, _, name = record["call"].rpartition(".")
    args, kwargs = record.get("args", []), record.get("kwargs", {})

    def call(tmp: Path):
        fn = getattr(importlib.import_module(module), name)
        return fn(*(_value(a, tmp) for a in args), **{k: _value(v, tmp) for k, v in kwargs.items()})
    return call


def _setup_of(record: dict, named: dict[str, dict]) -> Callable[[Path], None] | None:
    """The setup of a category: its named step (a [setup.NAME] table or SETUPS[NAME]), then its own
    folders, files and replacements."""
    steps = []
    if "setup" in record:
        name = record["setup"]
        steps.append(SETUPS[name] if name in SETUPS else lambda tmp, spec=named[name]: _write_files(spec, tmp))
    own = {k: record[k] for k in _FILE_KEYS if k in record}
    if own:
        steps.append(lambda tmp: _write_files(own, tmp))
    if not steps:
        return None

    def setup(tmp: Path) -> None:
        for step in steps:
            step(tmp)
    return setup


def _check_record(record: dict, named: dict[str, dict], seen: set[str], source: str) -> None:
    """A one-line ValueError for a record the runner could not run as its author meant."""
    rid = record.get("id")
    where = f"{source}: category {rid!r}"
    missing = [k for k in ("id", "what", "expect") if not isinstance(record.get(k), str)]
    unknown = sorted(set(record) - _KEYS)
    if missing or unknown:
        raise ValueError(f"{where}: " + "; ".join(([f"needs {', '.join(missing)}"] if missing else [])
                                                 + ([f"unknown keys {', '.join(unknown)}"] if unknown else [])))
    if rid in seen:
        raise ValueError(f"{where}: a second category of that id")
    if ("cli" in record) == ("call" in record):
        raise ValueError(f"{where}: needs one of cli (a command) and call (a function)")
    if "call" in record and ("." not in record["call"] or "how" not in record):
        raise ValueError(f"{where}: call is 'module.function', and needs how (the call as the table shows it)")
    if "cli" not in record and any(k in record for k in ("env", "stdout", "fsize", "interrupt")):
        raise ValueError(f"{where}: env, stdout, fsize and interrupt apply to a command")
    if "setup" in record and record["setup"] not in SETUPS and record["setup"] not in named:
        raise ValueError(f"{where}: setup {record['setup']!r} is neither a [setup.NAME] table nor in SETUPS")
    if record.get("stdout", "pipe") not in ("pipe", "full", "closed"):
        raise ValueError(f"{where}: stdout must be pipe, full or closed")
    for v in [*record.get("args", []), *record.get("kwargs", {}).values()]:
        if isinstance(v, dict) and set(v) != {"path"} and set(v) not in _ARRAY_KEYS:
            raise ValueError(f"{where}: argument {v!r}: an inline table is {{path}}, {{array, dtype}} or "
                             "{shape, dtype[, fill]}")


def load(path: Path | None = None) -> list[Category]:
    """The categories of the catalogue (bad_input.toml), in its order, ready to run."""
    path = CATALOGUE if path is None else Path(path)
    data = tomllib.loads(path.read_text())
    named = data.get("setup", {})
    for name, spec in named.items():
        if name in SETUPS or set(spec) - set(_FILE_KEYS):
            raise ValueError(f"{path.name}: [setup.{name}]: " + ("also a setup in SETUPS" if name in SETUPS else
                             f"holds only {', '.join(_FILE_KEYS)}"))
    cats, seen = [], set()
    for record in data.get("category", []):
        _check_record(record, named, seen, path.name)
        seen.add(record["id"])
        cats.append(Category(
            record["id"], record["what"], tuple(shlex.split(record.get("cli", ""))),
            call=_function(record) if "call" in record else None, how=record.get("how", ""),
            setup=_setup_of(record, named), expect=record["expect"], stdout=record.get("stdout", "pipe"),
            fsize=record.get("fsize"), env=tuple(record.get("env", {}).items()),
            interrupt=record.get("interrupt", False)))
    return cats


@cache
def catalogue() -> tuple[Category, ...]:
    """The catalogue, read once."""
    return tuple(load())


# ------------------------------------------------------------------------ the runner

def _snapshot(root: Path):
    """What is at root: None, a file's sha256, or every path under a folder with its content."""
    if not os.path.lexists(root):
        return None
    if root.is_symlink() or not root.is_dir():
        return hashlib.sha256(root.read_bytes()).hexdigest() if root.is_file() else "special"
    return sorted((str(p.relative_to(root)), hashlib.sha256(p.read_bytes()).hexdigest()
                   if p.is_file() and not p.is_symlink() else "folder" if p.is_dir() else "other")
                  for p in root.rglob("*"))


def _leftovers(out: Path) -> list[str]:
    try:
        return sorted(p.name for pat in (f".{out.name}.tmp-*", f".{out.name}.old-*") for p in out.parent.glob(pat))
    except OSError:
        return []


_FSIZE_LAUNCHER = (
    "import os, resource, sys\n"
    "n = int(sys.argv[1]); hard = resource.getrlimit(resource.RLIMIT_FSIZE)[1]\n"
    "resource.setrlimit(resource.RLIMIT_FSIZE, (n if hard < 0 else min(n, hard), hard))\n"
    "os.execv(sys.executable, [sys.executable, '-m', 'fp4ref', *sys.argv[2:]])\n")

# Ctrl-C mid-write: fsync (after each file of the temporary folder is written) is slowed down so
# that the SIGINT the campaign sends once the first file is there lands inside the write. SIGINT
# gets Python's own handler even where the campaign itself runs with SIGINT ignored.
_SLOW_FSYNC_LAUNCHER = (
    "import os, signal, sys, time\n"
    "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
    "_fsync = os.fsync\n"
    "def fsync(fd):\n"
    "    _fsync(fd)\n"
    "    time.sleep(60)\n"
    "os.fsync = fsync\n"
    "from fp4ref.cli import main\n"
    "raise SystemExit(main(sys.argv[1:]))\n")


def _env(cat: Category, tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    for k in ("PYTHONUNBUFFERED", "FP4REF_DEBUG"):       # buffered stdout, as a user has it
        env.pop(k, None)
    env["PYTHONPATH"] = os.pathsep.join([str(paths.import_root())] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env[_IN_CAMPAIGN] = "1"
    env.update({k: v.replace("{tmp}", str(tmp)) for k, v in cat.env})
    return env


def _run_cli(cat: Category, argv: list[str], tmp: Path) -> tuple[int | None, str]:
    """(exit status or None on a timeout, stderr)."""
    if cat.interrupt:
        cmd = [sys.executable, "-c", _SLOW_FSYNC_LAUNCHER, *argv]
    elif cat.fsize:
        cmd = [sys.executable, "-c", _FSIZE_LAUNCHER, str(cat.fsize), *argv]
    else:
        cmd = [sys.executable, "-m", "fp4ref", *argv]
    close = []
    if cat.stdout == "full":
        stdout = open("/dev/full", "wb")
        close.append(stdout)
    elif cat.stdout == "closed":
        r, w = os.pipe()
        os.close(r)
        stdout = w
    else:
        stdout = subprocess.DEVNULL
    try:
        proc = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                cwd=tmp, env=_env(cat, tmp))
    finally:
        for f in close:
            f.close()
        if cat.stdout == "closed":
            os.close(w)
    try:
        if cat.interrupt:
            out = _out(argv)
            deadline = time.monotonic() + TIMEOUT_S
            while proc.poll() is None and time.monotonic() < deadline:
                if any(any(p.iterdir()) for p in out.parent.glob(f".{out.name}.tmp-*")):
                    proc.send_signal(signal.SIGINT)
                    break
                time.sleep(0.005)
        _, err = proc.communicate(timeout=TIMEOUT_S)
        return proc.returncode, err.decode(errors="replace")
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
        return None, err.decode(errors="replace")


def _out(argv: list[str]) -> Path | None:
    for flag in ("--out", "--markdown"):
        if flag in argv[:-1]:
            return Path(argv[argv.index(flag) + 1])
    return None


def _error_line(stderr: str, command: str) -> tuple[str, list[str]]:
    """The error line of stderr and what is wrong with stderr's shape."""
    lines = stderr.splitlines()
    usage = bool(lines) and lines[0].startswith("usage:")
    if usage:                                     # argparse: the synopsis, then its error line
        i = 1
        while i < len(lines) and lines[i].startswith(" "):
            i += 1
        lines = lines[i:]
    problems = []
    if len(lines) != 1:
        problems.append(f"stderr has {len(lines)} lines{' after the usage synopsis' if usage else ''}, not 1")
    line = lines[-1] if lines else ""
    prefixes = (f"fp4ref {command}:", f"fp4ref {command} ") + (("fp4ref:",) if usage else ())
    if lines and not line.startswith(prefixes):
        problems.append(f"the error line does not start with 'fp4ref {command}'")
    return line, problems


def _short(text: str, tmp: Path) -> str:
    return text.replace(str(tmp), "TMP").replace(str(paths.import_root()), "REPO")


def run_category(cat: Category, tmp: Path, commands: set[str] | None = None) -> Result:
    """Provoke one category in the (empty) folder tmp and check how it was refused. ``commands``:
    the sub-commands of this fp4ref (its command line knows them); a CLI category whose command is
    not among them is skipped (None: every command is taken to be there)."""
    tmp = Path(tmp)
    if cat.setup:
        cat.setup(tmp)
    before = _snapshot(tmp)
    problems: list[str] = []
    if cat.kind == "api":
        try:
            cat.call(tmp)
        except (ValueError, TypeError) as err:
            status, message = type(err).__name__, str(err)
            if "\n" in message or not message.strip():
                problems.append("the message is not one line")
            if cat.expect not in message:
                problems.append(f"the message does not say {cat.expect!r}")
        except Exception as err:     # anything else is a bug, not a refusal
            status, message = type(err).__name__, str(err).splitlines()[0] if str(err) else ""
            problems.append(f"raised {status}, not ValueError or TypeError")
        else:
            status, message = "returned", ""
            problems.append("returned without an error")
    else:
        if commands is not None and cat.command not in commands:
            return Result(cat.id, "cli", True, "skipped",
                          f"`fp4ref {cat.command}` is not a command of this fp4ref", skipped=True)
        argv = [a.replace("{tmp}", str(tmp)) for a in cat.argv]
        out = _out(argv)
        out_before = _snapshot(out) if out and tmp not in out.parents else None
        rc, stderr = _run_cli(cat, argv, tmp)
        message, problems = _error_line(stderr, cat.command)
        status = "timeout" if rc is None else f"exit {rc}"
        if rc is None:
            problems.append(f"still running after {TIMEOUT_S} s")
        elif cat.interrupt and rc != 130:
            problems.append("exit status is not 130 after SIGINT")
        elif rc == 0:
            problems.append("exit status 0")
        elif rc == 3:
            problems.append("exit status 3 (internal error)")
        elif rc < 0:
            problems.append(f"killed by signal {-rc}")
        for marker in ("Traceback", "Exception ignored"):
            if marker in stderr:
                problems.append(f"'{marker}' on stderr")
        if cat.expect not in message:
            problems.append(f"the message does not say {cat.expect!r}")
        if out and tmp not in out.parents:
            if _snapshot(out) != out_before:
                problems.append(f"{out} was changed")
            if _leftovers(out):
                problems.append(f"left {', '.join(_leftovers(out))} beside {out}")
    after = _snapshot(tmp)
    if after != before:
        old, new = dict(before or []), dict(after or [])
        changed = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
        problems.append("wrote or changed " + ", ".join(changed[:3]) + (" ..." if len(changed) > 3 else ""))
    return Result(cat.id, cat.kind, not problems, status, _short(message, tmp), problems)


def run_campaign(categories: list[Category] | None = None, jobs: int = 2,
                 commands: set[str] | None = None) -> list[Result]:
    """Every category, each in its own temporary folder; results in the categories' order.
    ``commands``: as for run_category. Refused inside a category of another campaign."""
    if os.environ.get(_IN_CAMPAIGN):
        raise ValueError("already inside a bad-input campaign; not starting another")
    cats = catalogue() if categories is None else categories

    def one(cat: Category) -> Result:
        with tempfile.TemporaryDirectory(prefix=f"fp4ref-badinput-{cat.id}-") as tmp:
            return run_category(cat, Path(tmp), commands)

    with ThreadPoolExecutor(max(1, jobs)) as pool:
        return list(pool.map(one, cats))


# ------------------------------------------------------------------------ the table

def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace("\n", " ")


def how(cat: Category) -> str:
    """How a category is provoked, as a table cell."""
    if cat.kind == "api":
        return f"`{cat.how}`"
    argv = " ".join(shlex.quote(a.replace("{tmp}", "TMP")) for a in cat.argv)
    notes = [cat.how] if cat.how else []
    notes += [f"{k}={v.replace('{tmp}', 'TMP')}" for k, v in cat.env]
    if cat.stdout == "full":
        notes.append("stdout is /dev/full")
    elif cat.stdout == "closed":
        notes.append("stdout is a pipe nobody reads")
    if cat.fsize:
        notes.append(f"file size limit {cat.fsize // 1024} KiB (RLIMIT_FSIZE)")
    if cat.interrupt:
        notes.append("SIGINT once the first file is in its temporary folder (fsync slowed)")
    return f"`fp4ref {argv}`" + (": " + "; ".join(notes) if notes else "")


def result_text(r: Result) -> str:
    if r.skipped:
        return f"skipped: {r.message}"
    text = f"{r.status}: {r.message[:80]}" + ("..." if len(r.message) > 80 else "")
    return text if r.ok else f"**FAIL** ({'; '.join(r.problems)}) {text}"


def table(results: list[Result], categories: list[Category] | None = None) -> str:
    """The markdown table: id, what, how, result."""
    cats = {c.id: c for c in (catalogue() if categories is None else categories)}
    lines = ["| id | what | how | result |", "|---|---|---|---|"]
    for r in results:
        c = cats[r.id]
        lines.append(f"| `{r.id}` | {_cell(c.what)} | {_cell(how(c))} | {_cell(result_text(r))} |")
    return "\n".join(lines) + "\n"


def summary(results: list[Result]) -> str:
    cli = sum(r.kind == "cli" for r in results)
    bad = [r.id for r in results if not r.ok]
    skipped = [r.id for r in results if r.skipped]
    return (f"{len(results)} categories ({cli} command line, {len(results) - cli} API): "
            f"{len(results) - len(bad) - len(skipped)} behave"
            + (f", {len(skipped)} skipped ({', '.join(skipped)})" if skipped else "")
            + (f", {len(bad)} DO NOT ({', '.join(bad)})" if bad else ""))


POLICY = """\
# Bad input

fp4ref refuses bad input the same way everywhere. `fp4ref badinput` provokes every category
below and checks it; this page is its output (`fp4ref badinput --markdown docs/bad_input.md`
regenerates it; `tests/test_bad_input.py` runs one test per category).

Policy:

- **One line.** A command prints exactly one error line on stderr, `fp4ref COMMAND: error: ...`,
  and never a traceback. argparse's own usage errors (an unknown option or choice) print the
  usage synopsis first; the error is still one line. A bug, as opposed to bad input, is reported
  as one line too, `fp4ref COMMAND: internal error (...)`, with exit status 3
  (`FP4REF_DEBUG=1` shows the traceback); no category below may end that way.
- **Exit status.** 2 for bad input (a `ValueError`, `TypeError` or `OSError`: unwritable output,
  a full disk, a closed stdout; a missing simulator), 130 for Ctrl-C, 1 for a check that found a
  fault (`fp4ref golden verify` on a corrupt pack, `fp4ref verify` on a failing module: one line
  per pack or mismatch on stdout, one error line on stderr). Never 0.
- **No partial file.** Output folders are written to a hidden `.NAME.tmp-*` folder beside the
  target and renamed into place at the end (`golden/atomic.py`); an error, a full disk or Ctrl-C
  removes the temporary folder, so the target is either the complete new output or exactly what
  was there before (an existing folder is replaced only if it is one of ours). Every input is
  checked before anything is written. The campaign checks that the command's folder (and the
  output path, when it lies elsewhere) is byte for byte as before and that no `.NAME.tmp-*` or
  `.NAME.old-*` folder is left.
- **Public functions** raise `ValueError` (`TypeError` for an unsupported input dtype) with a
  one-line message that names the argument and the first bad element.

How the hard ones are provoked: a full disk is a 64 KiB file size limit (RLIMIT_FSIZE; writes
fail with EFBIG) or stdout on `/dev/full`; unwritable output is a folder under a regular file or
under `/proc` (both fail for root too); Ctrl-C is a real SIGINT, sent once the first file of the
pack is in its temporary folder (fsync is slowed in that one subprocess so the signal lands
mid-write). Commands run with buffered stdout (no `PYTHONUNBUFFERED`), as they do for a user.
"""


START, END = marker_pair("badinput")


def markdown(results: list[Result], categories: list[Category] | None = None) -> str:
    return f"{POLICY}\n{summary(results)}.\n\n{table(results, categories)}"


def check_markdown_target(path: Path) -> None:
    """--markdown FILE: a new file, one of ours (docs/bad_input.md), or a file with the markers."""
    if not path.parent.is_dir():
        raise ValueError(f"--markdown: {path.parent} is not a folder")
    if os.path.lexists(path):
        if not path.is_file():
            raise ValueError(f"--markdown: {path} is not a regular file")
        text = path.read_text(errors="replace")
        if START in text or END in text:          # a README: both markers, in order
            check_markers(path, "badinput", "--markdown")
        elif not text.startswith(POLICY.splitlines()[0] + "\n"):
            raise ValueError(f"--markdown: {path} is neither a bad-input page nor marked with "
                             f"{START} ... {END}; refusing to overwrite it")


def render_into(path: Path, results: list[Result], categories: list[Category] | None = None) -> str:
    """The new text of --markdown FILE: the whole page, or for a file with the markers (a README)
    the summary and the table between them."""
    text = path.read_text() if path.is_file() else ""
    if START in text or END in text:
        check_markers(path, "badinput", "--markdown")
        return splice(text, "badinput", f"{summary(results)}.\n\n{table(results, categories)}")
    return markdown(results, categories)


