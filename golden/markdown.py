"""Markdown output shared by every report fp4ref writes (README sections, cost.md, ...): one
table layout, so that all generated tables read alike."""
from __future__ import annotations


def md_table(columns, rows) -> str:
    """A markdown table: a header of ``columns``, then one line per row of strings."""
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows]) + "\n"
