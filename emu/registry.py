"""Name -> FloatFormat lookup over the presets and their aliases."""
from __future__ import annotations

from .presets import ALIASES, PRESETS
from .spec import FloatFormat


def get_format(fmt: str | FloatFormat) -> FloatFormat:
    """Return the preset named ``fmt`` (a preset name or an alias, any case).

    A FloatFormat passes through unchanged, so every API accepts either.
    Raises ValueError naming the unknown format and listing the known ones.
    """
    if isinstance(fmt, FloatFormat):
        return fmt
    if not isinstance(fmt, str):
        raise ValueError(f"format: expected a format name or FloatFormat, got {type(fmt).__name__}")
    key = fmt.strip().lower()
    key = ALIASES.get(key, key)
    if key not in PRESETS:
        raise ValueError(f"unknown format {fmt!r}; known formats: {', '.join(list_formats())}")
    return PRESETS[key]


def list_formats() -> list[str]:
    """Preset names, in definition order."""
    return list(PRESETS)
