"""Where fp4ref reads its data and writes its outputs: one definition.

Reads: the reference RTL, the docs and the DUT examples are package data (fp4ref.rtl,
fp4ref.docs, fp4ref.examples), found through importlib.resources, in an installed wheel and in
a source checkout alike.

Writes: every output and cache of every command goes under the build folder: the environment
variable FP4REF_BUILD_DIR when set (the command line's ``--build-dir`` sets it, so child
processes agree), else ``build/fp4ref`` under the folder fp4ref runs from. Never inside the
installed package. Packs, simulator builds, ccache objects and verdict caches are keyed by
their inputs, so one build folder can be shared by several projects (point FP4REF_BUILD_DIR at
it); reports and tables are per project.
"""
from __future__ import annotations

import importlib.resources
import os
from pathlib import Path

ENV = "FP4REF_BUILD_DIR"
DEFAULT = Path("build") / "fp4ref"          #: relative to the working folder


def build_dir() -> Path:
    """The build folder (absolute; not created here)."""
    chosen = os.environ.get(ENV)
    return Path(chosen).expanduser().resolve() if chosen else (Path.cwd() / DEFAULT).resolve()


def build(*parts: str) -> Path:
    """A path under the build folder, e.g. build("packs")."""
    return build_dir().joinpath(*parts)


def set_build_dir(path: str | os.PathLike) -> Path:
    """Make ``path`` the build folder of this process and of every child it starts."""
    os.environ[ENV] = str(Path(path).expanduser().resolve())
    return build_dir()


def data(name: str) -> Path:
    """A folder of package data: "rtl", "docs" or "examples"."""
    return Path(str(importlib.resources.files(f"fp4ref.{name}")))


def rtl() -> Path:
    """The reference RTL (Verilog sources and headers)."""
    return data("rtl")


def import_root() -> Path:
    """The folder that holds this fp4ref package (a checkout's root or site-packages): put on a
    child process's PYTHONPATH, the child imports this same fp4ref."""
    return Path(__file__).resolve().parent.parent


def checkout() -> Path | None:
    """The source checkout this fp4ref runs from, or None for an installed wheel (the Python
    mutation campaign mutates the sources and runs the tests, which only a checkout has)."""
    root = import_root()
    return root if (root / "pyproject.toml").is_file() and (root / "tests").is_dir() else None
