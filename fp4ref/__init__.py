"""fp4ref: a bit-exact reference model, golden vectors and RTL benches for FP4 LLM quantization.

One import namespace. Imports flow one way:
fp4ref.paths -> fp4ref.emu -> fp4ref.mac -> fp4ref.quant -> fp4ref.golden -> fp4ref.rtl_tb
-> fp4ref.hw -> fp4ref.cli (the command line). The reference RTL, the docs and the DUT examples
are package data (fp4ref.rtl, fp4ref.docs, fp4ref.examples; fp4ref.paths finds them).

In a source checkout the subpackages are the repository's top-level folders (emu/, mac/, quant/,
golden/, rtl_tb/, hw/, rtl/, docs/, examples/): pyproject.toml maps them with setuptools'
package-dir, so a wheel holds them under fp4ref/. So that a checkout imports as the wheel does
(also without an editable install, e.g. with PYTHONPATH pointing at a copy of the tree), the
package's search path then includes the checkout's root."""
from pathlib import Path as _Path

__version__ = "0.1.0"

_root = _Path(__file__).resolve().parent.parent
if (_root / "pyproject.toml").is_file() and (_root / "emu" / "__init__.py").is_file():
    __path__.append(str(_root))       # noqa: F821 (a package's __path__): fp4ref.emu is <root>/emu
del _Path, _root
