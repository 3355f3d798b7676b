"""One import namespace, fp4ref.*, whose imports flow paths -> emu -> mac -> quant -> golden ->
rtl_tb -> hw -> cli; nothing imports the old top-level names; slow references stand alone."""
import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests import REPO

#: the layers in import order and the folder of each (the repository keeps its top-level folders)
LAYERS = {"paths": REPO / "fp4ref" / "paths.py", "emu": REPO / "emu", "mac": REPO / "mac",
          "quant": REPO / "quant", "golden": REPO / "golden", "rtl_tb": REPO / "rtl_tb",
          "hw": REPO / "hw", "cli": REPO / "fp4ref" / "cli"}
OLD = {"emu", "mac", "quant", "golden", "rtl_tb", "hw"}


def imported(path: Path) -> tuple[set[str], set[str]]:
    """(fp4ref layers a file imports, old top-level names it imports)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    layers, old = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name.split(".") for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            parts = node.module.split(".")
            names = [parts + [a.name] for a in node.names] if parts == ["fp4ref"] else [parts]
        else:
            continue
        for parts in names:
            if parts[0] in OLD:
                old.add(parts[0])
            elif parts[0] == "fp4ref" and len(parts) > 1 and parts[1] in LAYERS:
                layers.add(parts[1])
    return layers, old


def files(where: Path) -> list[Path]:
    return [where] if where.is_file() else sorted(where.rglob("*.py"))


@pytest.mark.parametrize("layer", list(LAYERS))
def test_imports_only_flow_downstream(layer):
    order = list(LAYERS)
    above = set(order[order.index(layer) + 1:])
    for path in files(LAYERS[layer]):
        bad = imported(path)[0] & above
        assert not bad, f"{path.relative_to(REPO)} imports {sorted(bad)} (against {' -> '.join(order)})"


def test_nothing_imports_the_old_top_level_names():
    every = [p for p in REPO.rglob("*.py") if not p.relative_to(REPO).parts[0] in (".venv", "build")]
    assert len(every) > 150
    bad = {str(p.relative_to(REPO)): sorted(old) for p in every if (old := imported(p)[1])}
    assert not bad, bad


def test_old_top_level_names_are_not_importable_from_elsewhere(tmp_path):
    """Installed fp4ref adds one top-level name: from a folder outside the checkout, `import mac`
    fails while `import fp4ref.mac` works."""
    code = ("import importlib.util as u, fp4ref.mac, fp4ref.golden; "
            "print([n for n in ('emu', 'mac', 'quant', 'golden', 'rtl_tb', 'hw') if u.find_spec(n)])")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                         env={"PATH": "/usr/bin:/bin"}, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "[]", out.stdout + out.stderr


def test_slow_reference_imports_nothing_it_checks():
    path = REPO / "emu" / "slow.py"
    tree = ast.parse(path.read_text())
    relative = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level > 0]
    absolute = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level == 0]
    assert set(relative) <= {"spec"} and not any(m and m.startswith("fp4ref.emu") and m != "fp4ref.emu.spec"
                                                 for m in absolute)


def test_mac_slow_reference_imports_only_the_format_record():
    tree = ast.parse((REPO / "mac" / "slow.py").read_text())
    modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    modules |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert modules <= {"__future__", "fractions", "fp4ref.emu.spec"}, modules
