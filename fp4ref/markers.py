"""Generated sections of a markdown file (the README): the text between
`<!-- fp4ref NAME -->` and `<!-- /fp4ref NAME -->` belongs to the command that writes it, and is
replaced atomically (a temporary file beside it and a rename); the rest is never touched."""
from __future__ import annotations

from pathlib import Path


def md_table(columns, rows) -> str:
    """A markdown table: a header of ``columns``, then one line per row of strings."""
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows]) + "\n"


def markers(name: str) -> tuple[str, str]:
    return f"<!-- fp4ref {name} -->", f"<!-- /fp4ref {name} -->"


def check(path: str | Path, name: str) -> None:
    """Before a long run: the file must exist and hold the markers, in order (one-line error)."""
    path = Path(path)
    start, end = markers(name)
    if not path.is_file():
        raise ValueError(f"--readme: {path} is not a file")
    text = path.read_text(errors="replace")
    if start not in text or end not in text or text.index(start) > text.index(end):
        raise ValueError(f"--readme: {path} does not hold the markers {start} ... {end}")


def replace(path: str | Path, name: str, body: str) -> None:
    """Put ``body`` between the markers ``name`` of ``path``."""
    from .badinput import write_atomic

    check(path, name)
    path = Path(path)
    start, end = markers(name)
    text = path.read_text()
    head, rest = text.split(start, 1)
    tail = rest.split(end, 1)[1]
    write_atomic(path, f"{head}{start}\n{body.strip()}\n{end}{tail}")
