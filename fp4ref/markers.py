"""Markdown for the commands' reports: md_table here; the generated sections of the README
(`<!-- fp4ref NAME -->` ... `<!-- /fp4ref NAME -->`) are golden.markers', imported from there."""
from __future__ import annotations

from golden.markers import check, markers, replace, splice

__all__ = ["check", "markers", "md_table", "replace", "splice"]


def md_table(columns, rows) -> str:
    """A markdown table: a header of ``columns``, then one line per row of strings."""
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows]) + "\n"
