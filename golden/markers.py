"""Markdown that fp4ref writes. One table layout (md_table), so that every generated table reads
alike, and the generated sections of a markdown file (the README): the text between
`<!-- fp4ref NAME -->` and `<!-- /fp4ref NAME -->` belongs to the command that writes it, and is
replaced atomically (a temporary file beside it and a rename); the rest is never touched.

Here, below every campaign and report that writes them (rtl_tb.badinput, hw.cost, the fp4ref
commands), so that each of them reads and splices the markers one way."""
from __future__ import annotations

from pathlib import Path

from .atomic import write_file


def md_table(columns, rows) -> str:
    """A markdown table: a header of ``columns``, then one line per row of strings."""
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows]) + "\n"


def markers(name: str) -> tuple[str, str]:
    return f"<!-- fp4ref {name} -->", f"<!-- /fp4ref {name} -->"


def check(path: str | Path, name: str, option: str = "--readme") -> None:
    """Before a long run: the file must exist and hold the markers, in order (one-line error)."""
    path = Path(path)
    start, end = markers(name)
    if not path.is_file():
        raise ValueError(f"{option}: {path} is not a file")
    try:
        text = path.read_text()
    except UnicodeDecodeError:
        raise ValueError(f"{option}: {path} is not UTF-8 text") from None
    if start not in text or end not in text or text.index(start) > text.index(end):
        raise ValueError(f"{option}: {path} does not hold the markers {start} ... {end}, in that order")


def splice(text: str, name: str, body: str) -> str:
    """``text`` with ``body`` between its markers ``name`` (checked by check())."""
    start, end = markers(name)
    head, rest = text.split(start, 1)
    tail = rest.split(end, 1)[1]
    return f"{head}{start}\n{body.strip()}\n{end}{tail}"


def replace(path: str | Path, name: str, body: str) -> None:
    """Put ``body`` between the markers ``name`` of ``path`` (atomically)."""
    check(path, name)
    write_file(Path(path), splice(Path(path).read_text(), name, body))
