"""The import graph flows emu -> mac -> quant -> golden -> rtl_tb -> hw -> fp4ref; slow references stand alone."""
import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
LAYERS = ["emu", "mac", "quant", "golden", "rtl_tb", "hw", "fp4ref"]


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("layer", LAYERS)
def test_imports_only_flow_downstream(layer):
    allowed_above = set(LAYERS[LAYERS.index(layer) + 1:]) | {"tests"}
    for path in (REPO / layer).rglob("*.py"):
        bad = imported_packages(path) & allowed_above
        assert not bad, f"{path.relative_to(REPO)} imports {sorted(bad)} (against emu -> mac -> quant -> golden -> rtl_tb -> hw -> fp4ref)"


def test_slow_reference_imports_nothing_it_checks():
    path = REPO / "emu" / "slow.py"
    tree = ast.parse(path.read_text())
    relative = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level > 0]
    absolute = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level == 0]
    assert set(relative) <= {"spec"} and not any(m and m.startswith("emu") and m != "emu.spec" for m in absolute)


def test_mac_slow_reference_imports_only_the_format_record():
    tree = ast.parse((REPO / "mac" / "slow.py").read_text())
    modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    modules |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert modules <= {"__future__", "fractions", "emu.spec"}, modules
