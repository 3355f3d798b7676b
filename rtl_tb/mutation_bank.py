"""Mutant banks: many mutants of one module in ONE simulator build (docs/mutation.md §3).

One Verilator build per mutant costs 5-25 s, almost all of it C++ compilation; a campaign of
thousands of mutants would take hours. A bank compiles up to BANK_SIZE mutants at once: each
mutant k becomes module <M>__m<k> (the original is <M>__m0), and a selector module named <M>,
with <M>'s own header, instantiates them all and forwards the outputs of the one chosen by the
bench's top-level port `mutant_sel` (an upward hierarchical reference <top>.mutant_sel, so a
submodule such as fp4_round is selected through fp4_encode unchanged). The bench
(rtl_tb/bench_mutation.py) streams the packs once per mutant, stopping at the first mismatch,
after checking that mutant 0 (the original) passes. The verdicts are the same as one build per
mutant: a mutant is killed when a vector of a run mismatches; stillborn mutants are found first
by a per-mutant lint (`verilator --lint-only`) and never enter a bank; a bank that does not build
or run is taken apart and its mutants run one build each (rtl_tb.mutation.run_mutant).
"""
from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path

from .mutation import RTL, Mutant, Run, Target, _split_top, cache_put, module_header, ports, strip_comments
from . import process

BANK_SIZE = 48          #: mutants per build on a target's first run (most die in a few cycles)
#: on later runs: the survivors so far mostly survive again, and each of them streams the whole
#: run through a model that evaluates every mutant of its bank per cycle (cost ~ bank size)
BANK_SIZE_LATER = 8
BANK_COPIES = 4         #: module copies per cycle (the unit benches use 16; fewer compile faster)
SEL = "mutant_sel"


def file_modules(stripped: str) -> list[str]:
    """The modules a (comment-stripped) file defines, in source order."""
    return re.findall(r"^\s*module\s+(\w+)", stripped, re.M)


def renamed(text: str, core: str, k: int, modules: tuple[str, ...] = ()) -> str:
    """A mutant's file text with module ``core`` (and a stuck shim's ``core__core``) renamed.
    ``modules``: every module of a file that defines several (fp4_fp32_round.v), each renamed
    with its instances in the file, so that mutant k's modules instantiate mutant k's (a
    mutation in a module other than ``core`` is then in the bank, not shadowed by the original's
    definition of that module)."""
    text = text.replace(f"{core}__core", f"{core}__m{k}__core")
    if len(modules) > 1:
        return re.sub(r"\b(" + "|".join(map(re.escape, modules)) + r")\b", rf"\1__m{k}", text)
    return re.sub(rf"\bmodule\s+{re.escape(core)}\b(?!_)", f"module {core}__m{k}", text, count=1)


def selector(stripped: str, core: str, n: int, top: str) -> str:
    """Module ``core`` that instantiates <core>__m0..<core>__m<n> and forwards the outputs of
    mutant <top>.mutant_sel (0: the original)."""
    start, end, params, port_text = module_header(stripped, core)
    pnames = [re.match(r"\s*(?:parameter\s+)?(?:integer\s+|signed\s+)?(?:\[[^\]]*\]\s*)?(\w+)", p).group(1)
              for p in _split_top(params)] if params.strip() else []
    plist = ports(stripped, core)
    header = ",\n".join(re.sub(r"\boutput\s+reg\b", "output wire", p.strip())
                        for p in _split_top(port_text))
    overrides = ", ".join(f".{p}({p})" for p in pnames)
    outs = [p for p in plist if p[0] == "output"]
    lines = ["", "`default_nettype none", f"// mutant bank selector: {n} mutants of {core}",
             f"module {core} {'#(' + params + ') ' if pnames else ''}(", header, ");"]
    for k in range(n + 1):
        for _, signed, rng, name in outs:
            lines.append(f"    wire {signed} {rng} {name}__m{k};")
        conns = ", ".join(f".{p[3]}({p[3]}__m{k})" if p[0] == "output" else f".{p[3]}({p[3]})"
                          for p in plist)
        lines.append(f"    {core}__m{k} {'#(' + overrides + ') ' if pnames else ''}u_m{k} ({conns});")
    for _, _, _, name in outs:
        chain = " :\n        ".join(f"({top}.{SEL} == 16'd{k}) ? {name}__m{k}" for k in range(1, n + 1))
        lines.append(f"    assign {name} =\n        {chain} :\n        {name}__m0;" if n else
                     f"    assign {name} = {name}__m0;")
    lines += ["endmodule", "`default_nettype wire", ""]
    return "\n".join(lines)


def bank_source(target: Target, muts: list[Mutant], top: str) -> str:
    """The Verilog file that replaces the target's file in a bank build."""
    stripped = strip_comments((RTL / target.file).read_text())
    core = target.module
    modules = tuple(file_modules(stripped))
    parts = [renamed(stripped, core, 0, modules)]
    parts += [renamed(m.text(stripped, core), core, k, modules) for k, m in enumerate(muts, 1)]
    # one selector per module of the file: the other files instantiate any of them
    parts += [selector(stripped, name, len(muts), top) for name in (modules if len(modules) > 1 else (core,))]
    return "\n".join(parts)


def lint(mut: Mutant, target: Target, run: Run, workdir: Path, params: dict | None = None) -> str | None:
    """None when the mutant (with the run's other sources and the run's parameters) passes
    `verilator --lint-only`, SOLO when it passes with a warning that a bank cannot live with;
    else the first error line. A mutant that fails it would not build
    for that run: it never enters a bank (stillborn on the first run, killed on a later one)."""
    from .sims import sim_env, verilator_root

    stripped = strip_comments((RTL / target.file).read_text())
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / Path(target.file).name
    path.write_text(mut.text(stripped, target.module))
    sources = [str(path if s == target.file else RTL / s) for s in run.sources]
    env = sim_env()
    cmd = [str(verilator_root() / "bin" / "verilator"), "--lint-only", "-Wno-fatal", "-Wno-lint",
           "-Wno-style", f"-I{RTL}", "--top-module", run.top,
           *[f"-G{k}={v}" for k, v in (params or {}).items()], *sources]
    res = process.capture(cmd, 120, env=env)
    if res.timed_out:
        return f"lint {res.timed_out}"
    if res.returncode == 0:
        # multiple drivers or a combinational loop may keep the whole model from settling
        # (%Error-DIDNOTCONVERGE) even while the mutant is not selected: such a mutant runs alone
        return SOLO if any(w in res.stderr for w in SOLO_WARNINGS) else None
    err = next((line for line in res.stderr.splitlines() if "%Error" in line), res.stderr.strip()[-200:])
    return err[:300]


SOLO = "solo"
SOLO_WARNINGS = ("%Warning-MULTIDRIVEN", "%Warning-UNOPTFLAT", "%Warning-ALWCOMBORDER")


def run_params(run: Run, packs: list[Path]) -> dict:
    """The module parameters the bench uses for a run (from its first pack)."""
    from fp4ref.golden import manifest as manifests

    from .contracts import reference_params

    return reference_params(manifests.verify(packs[0])) or {}


def run_bank(target: Target, run: Run, muts: list[Mutant], pack_paths: list[Path], bdir: Path,
             timeout: float, sim: str) -> dict[str, str] | str:
    """Run one bank: {mutant id: "killed: detail" | "survived"}, or why the bank did not build or
    run (the caller then takes it apart)."""
    import sys

    job = {"target": target.file, "module": target.module, "unit": run.unit, "top": run.top,
           "sources": list(run.sources), "packs": [str(p) for p in pack_paths], "bdir": str(bdir),
           "sim": sim, "ids": [m.id for m in muts], "shared": run.shared}
    bdir.mkdir(parents=True, exist_ok=True)
    (bdir / "bank.v").write_text(bank_source(target, muts, f"tb_{run.unit}"))
    cmd = [sys.executable, "-m", "fp4ref.rtl_tb.mutation_bank", json.dumps(job)]
    env = dict(os.environ)
    repo = str(RTL.parent)
    env["PYTHONPATH"] = repo + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    # a bank evaluates every mutant each cycle: -O1 halves the run (build +10 s, sim / 6)
    env.setdefault("FP4REF_VERILATOR_OPT_FAST", "-O1")
    res = process.capture(cmd, timeout, cwd=repo, env=env)   # on timeout: make, compiler, simulator
    if res.timed_out:
        return f"over its {timeout:.0f} s"
    for line in reversed(res.stdout.splitlines()):
        if line.startswith("BANK-RESULT "):
            out = json.loads(line[len("BANK-RESULT "):])
            return out if isinstance(out, dict) else str(out)
    return f"exit {res.returncode}: {res.stderr.strip()[-200:]}"


def worker(job: dict) -> dict | str:
    """In the child: build the bank with the lane wrapper and stream the packs per mutant."""
    from .lanes import wrapper_verilog
    from .mutation import job_setup
    from .runner import SimTimeout, run_bench

    contract, packs, params, widths, bdir = job_setup(job)
    top = f"tb_{job['unit']}"
    # a clocked unit's vectors are its cycles; a unit whose one copy takes a whole block (the
    # contract drives at most 4 per cycle) gets one copy per mutant: the bank's C++ is then a
    # quarter the size (a bank of 48 block quantizers compiled for minutes), and the simulation
    # evaluates the same number of mutant instances per vector
    copies = 1 if contract.clock or contract.copies <= 4 else BANK_COPIES
    wrapper = wrapper_verilog(contract, widths, copies, job["top"], params or {}, top)
    wrapper = wrapper.replace(f"module {top} (\n", f"module {top} (\n    input  wire [15:0] {SEL},\n", 1)
    (bdir / f"{top}.v").write_text(wrapper)
    sources = [bdir / "bank.v" if s == job["target"] else RTL / s for s in job["sources"]]
    results = bdir / "bank_results.jsonl"
    results.unlink(missing_ok=True)
    env = {"FP4REF_UNIT": job["unit"], "FP4REF_PACKS": os.pathsep.join(str(p) for p in packs),
           "FP4REF_COPIES": str(copies), "FP4REF_MUTANTS": str(len(job["ids"])),
           "FP4REF_RESULTS": str(results), "FP4REF_SHARED": json.dumps(job.get("shared") or {})}
    try:
        run_bench("fp4ref.rtl_tb.bench_mutation", top, sources + [bdir / f"{top}.v"], job["sim"],
                  extra_env=env, bdir=bdir, includes=[RTL], timeout=math.inf)   # the bank's own limit
    except SimTimeout as err:
        return f"stalled: {err}"
    except ValueError as err:
        return f"build failed: {str(err)[-300:]}"
    if not results.exists():
        return "no results"
    recs = [json.loads(line) for line in results.read_text().splitlines()]
    if not recs or recs[0].get("mutant") != 0 or recs[0]["killed"]:
        return f"the original fails in the bank: {recs[:1]}"
    out = {}
    for r in recs[1:]:
        out[job["ids"][r["mutant"] - 1]] = f"killed: {r['detail']}" if r["killed"] else "survived"
    if len(out) != len(job["ids"]):
        return f"{len(out)} of {len(job['ids'])} mutants reported"
    return out


if __name__ == "__main__":
    import sys

    res = worker(json.loads(sys.argv[1]))
    print("BANK-RESULT " + json.dumps(res), flush=True)


def run_target(target: Target, muts: list[Mutant], pack_root: Path, timeout: float, sim: str,
               work: Path, log=None) -> list:
    """Every mutant of one target through banks, run after run (a run's survivors go on to the
    next run); cached verdicts are reused and new ones cached (the same cache as one build per
    mutant: the verdicts mean the same)."""
    import hashlib
    import shutil
    import time

    from .mutation import Outcome, _mutant_key, _packs, cached_verdict, run_mutant

    stripped = strip_comments((RTL / target.file).read_text())
    base = {m.id: dict(id=m.id, module=m.module, op=m.op, line=m.line, find=m.find, replace=m.replace)
            for m in muts}
    keys = {m.id: _mutant_key(m, target, m.text(stripped, target.module)) for m in muts}
    done: dict[str, Outcome] = {}

    def finish(m, status, detail, seconds):
        done[m.id] = Outcome(**base[m.id], status=status, detail=detail, seconds=round(seconds, 2))
        if status != "timeout":
            cache_put(work / "results" / f"{keys[m.id]}.json",
                      {"id": m.id, "status": status, "detail": detail, "seconds": round(seconds, 2)})

    alive = []
    for m in muts:
        rec = cached_verdict(m, target, m.text(stripped, target.module), work)
        if rec is not None:
            done[m.id] = Outcome(**base[m.id], status=rec["status"], detail=rec["detail"],
                                 seconds=rec["seconds"], cached=True)
        else:
            alive.append(m)
    lintdir = work / "lint" / target.name
    spent = {m.id: 0.0 for m in alive}
    for i, run in enumerate(target.runs):
        if not alive:
            break
        packs = _packs(run, pack_root)
        params = run_params(run, packs)
        for m in list(alive):                    # what would not build for this run
            t0 = time.time()
            err = lint(m, target, run, lintdir, params)
            if err == SOLO:                      # one build of its own, every run
                alive.remove(m)
                done[m.id] = run_mutant(m, target, pack_root, timeout, work)
            elif err:
                alive.remove(m)
                if i == 0:
                    finish(m, "stillborn", err, time.time() - t0)
                else:
                    finish(m, "killed", f"run {i} ({run.label}) does not build: {err}",
                           spent[m.id] + time.time() - t0)
        shutil.rmtree(lintdir, ignore_errors=True)
        survivors = []
        size = BANK_SIZE if i == 0 else BANK_SIZE_LATER
        queue = [alive[b:b + size] for b in range(0, len(alive), size)]
        while queue:
            bank = queue.pop(0)
            tag = hashlib.sha256(("|".join(keys[m.id] for m in bank) + str(i)).encode()).hexdigest()[:16]
            bdir = work / "banks" / f"{target.name}-{tag}"
            t0 = time.time()
            res = run_bank(target, run, bank, packs, bdir, timeout * (1 + len(bank) / 8), sim)
            each = (time.time() - t0) / len(bank)
            failed = not isinstance(res, dict)
            if failed and log:
                print(f"  a bank of {len(bank)} mutants of {target.name} failed on run {i} ({str(res)[:160]}): "
                      f"{'split in 4' if len(bank) > 4 else 'one build each'} ({bdir})",
                      file=log, flush=True)
            if failed and len(bank) > 4:         # take it apart: smaller banks, then one each
                q = -(-len(bank) // 4)
                queue += [bank[k:k + q] for k in range(0, len(bank), q)]
                continue
            shutil.rmtree(bdir, ignore_errors=True)
            if failed:
                for m in bank:
                    done[m.id] = run_mutant(m, target, pack_root, timeout, work)
                continue
            for m in bank:
                spent[m.id] += each
                verdict = res[m.id]
                if verdict == "survived":
                    survivors.append(m)
                else:
                    finish(m, "killed", f"run {i} ({run.label}) {verdict[len('killed: '):]}", spent[m.id])
        alive = survivors
    for m in alive:
        finish(m, "survived", f"{len(target.runs)} runs pass", spent[m.id])
    return [done[m.id] for m in muts]
