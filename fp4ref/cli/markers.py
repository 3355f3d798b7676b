"""Markdown for the commands' reports: the table layout (md_table) and the generated sections of
the README (`<!-- fp4ref NAME -->` ... `<!-- /fp4ref NAME -->`) are golden.markers', re-exported
here for the commands."""
from __future__ import annotations

from fp4ref.golden.markers import check, markers, md_table, replace, splice

__all__ = ["check", "markers", "md_table", "replace", "splice"]
