"""Python-model mutation campaign (issue 8 part 2): AST mutants of the functions in emu/ and mac/,
each run against a fixed, fast selection of the property and exhaustive tests (docs/mutation.md).

Operators (inside function bodies only; docstrings and module-level tables are data):
  compare   < <=, > >=, == !=, is / is not, in / not in swapped
  arith     + -, * //, << >>, & |, ^ | swapped (binary and augmented assignment)
  const     integer constants plus and minus one (not bools)
  bool      if/while/ternary conditions negated, and/or swapped, `not` dropped

Every mutant runs in a COPY of the package (a temp folder per mutant, never the working tree),
a shard of the campaign (rtl_tb.campaign: local processes or a Dask cluster): the mutated file
is written there, pytest -x -q runs the module's test selection with a per-mutant timeout.
Killed: a failing test (or an import error); survived: every test passes; stillborn: the mutant
is not valid Python (never, with ast); timeout: over the limit (counted as killed in the score,
as in the RTL campaign). Results are cached per mutant hash in build/mutation/py-results/.
"""
from __future__ import annotations

import ast
import copy
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .mutation import Outcome, cache_get, cache_put, sample, summarize, table_text, write_report
from fp4ref import paths

from . import process


def _repo() -> Path:
    """The source checkout: Python mutants are made of its sources and killed by its tests."""
    root = paths.checkout()
    if root is None:
        raise ValueError("mutate --python mutates fp4ref's own sources and runs its tests: it needs a "
                         "source checkout (git clone), not an installed wheel")
    return root

VERSION = 1

#: model file -> the tests that check it (fast: a few seconds each under the ci profile)
_EDGES = "tests/test_boundaries.py"          # the edges of every validated range
_ENCODE = ("tests/emu/test_encode_table.py", "tests/emu/test_encode_properties.py",
           "tests/emu/test_encode_oracles.py", "tests/emu/test_slow.py", _EDGES)
SELECTION: dict[str, tuple[str, ...]] = {
    "emu/round.py": _ENCODE,
    "emu/encode.py": _ENCODE,
    "emu/round_pack.py": _ENCODE,
    "emu/unpack.py": _ENCODE,
    "emu/decode.py": ("tests/emu/test_decode.py", _EDGES),
    "emu/intmap.py": ("tests/emu/test_decode.py", "tests/mac/test_products.py"),
    "emu/pack.py": ("tests/emu/test_pack.py", _EDGES),
    "emu/intervals.py": ("tests/emu/test_intervals.py",),
    "mac/products.py": ("tests/mac/test_products.py", _EDGES),
    "mac/accumulate.py": ("tests/mac/test_dot.py", _EDGES),
    "mac/dot.py": ("tests/mac/test_dot.py", _EDGES),
    "mac/preshift.py": ("tests/mac/test_dot.py", "tests/layer/test_linear_e2m1.py"),
    "mac/width.py": ("tests/mac/test_width.py",),
    "mac/fp32_accum.py": ("tests/mac/test_fp32_accum.py", _EDGES),
    "mac/mx_dot.py": ("tests/mac/test_mx_dot.py", _EDGES),
}
#: folders the copy needs (quant/ is left out: the model tests do not import it)
COPY = ("emu", "mac", "golden", "tests", "rtl_tb", "hw", "fp4ref", "rtl", "pyproject.toml")

_CMP = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
        ast.NotEq: ast.Eq, ast.Is: ast.IsNot, ast.IsNot: ast.Is, ast.In: ast.NotIn, ast.NotIn: ast.In}
_BIN = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.FloorDiv, ast.FloorDiv: ast.Mult,
        ast.LShift: ast.RShift, ast.RShift: ast.LShift, ast.BitAnd: ast.BitOr, ast.BitOr: ast.BitAnd,
        ast.BitXor: ast.BitOr}


@dataclass
class PyMutant:
    module: str          #: file, e.g. emu/round.py
    op: str              #: compare, arith, const, bool
    id: str              #: <file>:<function>:<op>:L<line>:<n>
    line: int
    site: int            #: index of the site in the deterministic walk
    variant: int         #: which replacement at the site (const: 0 is +1, 1 is -1)
    find: str
    replace: str


def _sites(tree: ast.AST):
    """(node, op, variants, function name) of every mutation site inside functions, in walk order."""
    out = []

    def visit(node, func):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            func = node.name
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                body = body[1:]                               # the docstring is not code
            for d in node.decorator_list:
                pass
            for child in body:
                visit(child, func)
            return
        if func is not None:
            if isinstance(node, ast.Compare):
                for i, o in enumerate(node.ops):
                    if type(o) in _CMP:
                        out.append((node, "compare", [("ops", i)], func))
            elif isinstance(node, (ast.BinOp, ast.AugAssign)) and type(node.op) in _BIN:
                out.append((node, "arith", [("op", 0)], func))
            elif isinstance(node, ast.Constant) and type(node.value) is int:
                out.append((node, "const", [("plus", 0)] + ([("minus", 0)] if node.value != 0 else []), func))
            elif isinstance(node, (ast.If, ast.While, ast.IfExp)):
                out.append((node, "bool", [("negate", 0)], func))
            elif isinstance(node, ast.BoolOp):
                out.append((node, "bool", [("swap", 0)], func))
            elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
                out.append((node, "bool", [("dropnot", 0)], func))
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr_context):
                continue
            visit(child, func)
        if isinstance(node, ast.JoinedStr):
            return

    for child in ast.iter_child_nodes(tree):
        visit(child, None)
    return out


def _apply(node: ast.AST, how: tuple[str, int]) -> ast.AST:
    """Mutate ``node`` in place (or return a replacement)."""
    kind, i = how
    if kind == "ops":
        node.ops[i] = _CMP[type(node.ops[i])]()
    elif kind == "op":
        node.op = _BIN[type(node.op)]()
    elif kind == "plus":
        node.value += 1
    elif kind == "minus":
        node.value -= 1
    elif kind == "negate":
        node.test = ast.UnaryOp(ast.Not(), node.test)
    elif kind == "swap":
        node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
    elif kind == "dropnot":
        return node.operand
    return node


def generate(path: str) -> list[PyMutant]:
    """Every mutant of one model file (relative to the repository), deterministic order."""
    source = (_repo() / path).read_text()
    tree = ast.parse(source)
    out, per = [], {}
    for s, (node, op, variants, func) in enumerate(_sites(tree)):
        for v, how in enumerate(variants):
            mutated = _apply(copy.deepcopy(node), how)
            try:
                before, after = ast.unparse(node), ast.unparse(mutated)
            except Exception:                                   # pragma: no cover
                continue
            if isinstance(node, (ast.If, ast.While)):
                before, after = f"if {ast.unparse(node.test)}", f"if {ast.unparse(mutated.test)}"
            key = (func, op, node.lineno)
            idx = per.get(key, 0)
            per[key] = idx + 1
            out.append(PyMutant(path, op, f"{path}:{func}:{op}:L{node.lineno}:{idx}", node.lineno, s, v,
                                before[:80], after[:80]))
    return out


def mutated_source(m: PyMutant) -> str:
    tree = ast.parse((_repo() / m.module).read_text())
    sites = _sites(tree)
    node, _, variants, _ = sites[m.site]
    new = _apply(node, variants[m.variant])
    if new is not node:                                         # replace it in its parent
        for parent in ast.walk(tree):
            for name, value in ast.iter_fields(parent):
                if value is node:
                    setattr(parent, name, new)
                elif isinstance(value, list):
                    for i, item in enumerate(value):
                        if item is node:
                            value[i] = new
    ast.fix_missing_locations(tree)
    return ast.unparse(tree) + "\n"


def make_copy(dest: Path) -> Path:
    """A copy of the package and its tests under dest (no caches, no build output)."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis", "build")
    for name in COPY:
        src = _repo() / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=ignore)
        elif src.is_file():
            shutil.copy2(src, dest / name)
    return dest


def _key(m: PyMutant, text: str) -> str:
    tests = SELECTION[m.module]
    blob = json.dumps({"v": VERSION, "text": text, "file": m.module, "tests": tests,
                       "hashes": {t: hashlib.sha256((_repo() / t).read_bytes()).hexdigest() for t in tests}},
                      sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:20]


def run_one(m: PyMutant, copy_root: Path, timeout: float) -> Outcome:
    """One mutant's verdict in the copy of the package at ``copy_root`` (restored after)."""
    text = mutated_source(m)
    base = dict(id=m.id, module=m.module, op=m.op, line=m.line, find=m.find, replace=m.replace)
    target = copy_root / m.module
    original = target.read_text()
    target.write_text(text)
    env = dict(os.environ, PYTHONPATH=str(copy_root), PYTHONDONTWRITEBYTECODE="1",
               HYPOTHESIS_PROFILE="ci")
    cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
           *SELECTION[m.module]]
    t0 = time.time()
    try:
        res = process.capture(cmd, timeout, merge=True, cwd=copy_root, env=env)
        if res.timed_out:
            status, detail = "timeout", f"over {timeout:.0f} s"
        elif res.returncode == 0:
            status, detail = "survived", "tests pass"
        elif res.returncode == 1:
            status, detail = "killed", _first_failure(res.stdout)
        else:
            status, detail = "killed", f"pytest exit {res.returncode}: {_first_failure(res.stdout)}"
    finally:
        target.write_text(original)
    return Outcome(**base, status=status, detail=detail, seconds=round(time.time() - t0, 2))


def run_shard(shard: tuple[PyMutant, float]) -> Outcome:
    """One mutant (and its timeout) on whichever machine runs it: a fresh copy of that machine's
    package (removed after), its verdict back to the campaign, which caches it."""
    m, timeout = shard
    with tempfile.TemporaryDirectory(prefix="fp4ref-pymut-") as tmp:
        return run_one(m, make_copy(Path(tmp) / "c"), timeout)


def _first_failure(out: str) -> str:
    for line in out.splitlines():
        if line.startswith(("FAILED", "ERROR")):
            return line[:200]
    return out.strip().splitlines()[-1][:200] if out.strip() else ""


def baseline(copy_root: Path, files: list[str], timeout: float) -> None:
    """The unmutated copy must pass every selected test (else the campaign means nothing)."""
    tests = sorted({t for f in files for t in SELECTION[f]})
    env = dict(os.environ, PYTHONPATH=str(copy_root), PYTHONDONTWRITEBYTECODE="1", HYPOTHESIS_PROFILE="ci")
    res = process.capture([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
                           "-p", "no:xdist", *tests], timeout * len(tests), cwd=copy_root, env=env)
    if res.returncode != 0:
        raise RuntimeError(f"the unmutated model fails its test selection ({res.timed_out or 'failed'}):\n"
                           f"{res.stdout[-2000:]}")


def run_campaign(modules: list[str] | None = None, max_per_module: int | None = None, jobs: int = 1,
                 out: Path | None = None, timeout: float = 120.0, total: int | None = None,
                 log=sys.stderr, executor=None, work: Path | None = None) -> list[dict]:
    """Mutants of ``modules`` (files under emu/ and mac/; None: every file of SELECTION). The
    mutants whose verdict is not cached under ``work`` run one per shard on ``executor``
    (rtl_tb.campaign; default ``jobs`` local processes), after the unmutated copy passes its
    selection here; each verdict is cached here as it comes back."""
    import fnmatch

    from .campaign import Local

    work = work or paths.build("mutation")

    files = [f for f in SELECTION if not modules or any(fnmatch.fnmatchcase(f, p) for p in modules)]
    if not files:
        raise ValueError(f"--modules: no model file matches {', '.join(modules or [])}")
    plan = []
    for f in files:
        muts = generate(f)
        plan += sample(muts, max_per_module, f)
    plan = sample(plan, total, "python")
    executor = executor or Local(max(1, jobs))
    print(f"mutation (python): {len(plan)} mutants of {len(files)} files, {executor.workers} jobs", file=log)
    with tempfile.TemporaryDirectory(prefix="fp4ref-pymut-") as tmp:
        baseline(make_copy(Path(tmp) / "c"), files, timeout)
    keys = {m.id: _key(m, mutated_source(m)) for m in plan}
    found, todo = {}, []
    for m in plan:
        rec = cache_get(work / "py-results" / f"{keys[m.id]}.json")
        if rec is None:
            todo.append(m)
        else:
            found[m.id] = Outcome(id=m.id, module=m.module, op=m.op, line=m.line, find=m.find, replace=m.replace,
                                  status=rec["status"], detail=rec["detail"], seconds=rec["seconds"], cached=True)
    t0 = time.time()

    def arrived(i, o):
        cache_put(work / "py-results" / f"{keys[o.id]}.json",
                  {"id": o.id, "status": o.status, "detail": o.detail, "seconds": o.seconds})
        print(f"[{len(found) + 1}/{len(plan)} {time.time() - t0:6.0f}s] {o.id}: {o.status} ({o.seconds:.1f}s)",
              file=log, flush=True)
        found[o.id] = o

    for _ in executor.map(run_shard, [(m, timeout) for m in todo], arrived):
        pass
    outcomes = [found[m.id] for m in plan]
    from .mutation import load_equivalent

    equivalent = load_equivalent()
    rows = summarize(outcomes, equivalent)
    print(table_text(rows))
    if out:
        write_report(outcomes, rows, Path(out), "Python model mutation score", equivalent)
    return rows


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m fp4ref.rtl_tb.mutation_py")
    ap.add_argument("--modules", nargs="*")
    ap.add_argument("--max-per-module", type=int)
    ap.add_argument("--total", type=int)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--list", action="store_true")
    args = ap.parse_args(argv)
    if args.list:
        for f in SELECTION:
            for m in generate(f):
                print(f"{m.id}\t{m.find!r} -> {m.replace!r}")
        return 0
    run_campaign(args.modules, args.max_per_module, args.jobs, args.out, args.timeout, args.total)
    return 0


if __name__ == "__main__":
    sys.exit(main())
