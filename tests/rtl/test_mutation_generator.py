"""The mutation campaign's generator and runner (rtl_tb/mutation.py, rtl_tb/mutation_py.py):
every operator class yields distinct mutants that compile on a small module, the stuck-at shim
keeps the module text, sampling is seeded and prefix-stable, and the runner classifies killed,
survived and stillborn mutants of a tiny lookup decoder correctly (Icarus: seconds)."""
import ast
import shutil
import subprocess

import pytest

from fp4ref.rtl_tb import mutation as mu
from fp4ref.rtl_tb import mutation_py as mp
from fp4ref.rtl_tb.sims import sim_env
from tests import REPO


def need_icarus():
    """Missing Icarus fails these tests (make test installs it); it is never a skip."""
    assert shutil.which("iverilog", path=sim_env()["PATH"]), "Icarus is missing: run `make setup`"

TINY = """`timescale 1ns / 1ps
`default_nettype none
// tiny: a bit of everything the generator mutates
module tiny #(
    parameter integer W = 4   // a default: never mutated
) (
    input  wire [W-1:0] a_i,
    input  wire [3:0]   b_i,
    input  wire         s_i,
    output wire [3:0]   y_o,
    output reg          z_o
);
    localparam integer K = W - 1;
    wire [3:0] t = s_i ? (a_i[3:0] + b_i) : (a_i[3:0] & b_i);   /* a ternary */
    always @* begin : proc_z
        integer i;
        if (a_i[3:1] == 3'd2) z_o = a_i[0] | (b_i < 4'd5);
        else z_o = ~b_i[1] && (b_i >= 4'hA);
        for (i = 0; i < 2; i = i + 1)
            z_o = z_o ^ |b_i[i +: 2];
    end
    assign y_o = (t << 1) ^ 4'h3 ^ {3'b000, a_i[K]};
endmodule
`default_nettype wire
"""


def _compiles(text: str, tmp_path) -> bool:
    f = tmp_path / "m.v"
    f.write_text(text)
    proc = subprocess.run(["iverilog", "-g2012", "-o", str(tmp_path / "m.vvp"), str(f)],
                          capture_output=True, text=True, env=sim_env())
    return proc.returncode == 0


def _mutants():
    return mu.text_mutants("tiny", "tiny.v", mu.strip_comments(TINY))


def test_every_operator_class_appears_and_mutants_are_distinct():
    stripped = mu.strip_comments(TINY)
    muts = _mutants()
    assert {m.op for m in muts} == {"swap", "drop", "const", "cond", "bits"}
    texts = [m.text(stripped, "tiny") for m in muts]
    assert len(set(texts)) == len(texts) and stripped not in texts
    assert len({m.id for m in muts}) == len(muts)
    finds = {(m.op, m.find.strip(), m.replace.strip()) for m in muts}
    for expected in [("swap", "+", "-"), ("swap", "&", "|"), ("swap", "^", "&"), ("swap", "&&", "||"),
                     ("swap", "<", "<="), ("swap", ">=", ">"), ("swap", "==", "!="), ("swap", "<<", ">>"),
                     ("drop", "~", ""), ("const", "4'd5", "4'd6"), ("const", "4'd5", "4'd4"),
                     ("const", "3'd2", "3'd3"), ("cond", "s_i", "!(s_i)"),
                     ("cond", "a_i[3:1] == 3'd2", "!(a_i[3:1] == 3'd2)"),
                     ("bits", "a_i[0]", "1'b0"), ("bits", "a_i[3:1]", "{1'b0, a_i[(3)-1:1]}"),
                     ("bits", "a_i[3:1]", "{a_i[3:(1)+1], 1'b0}")]:
        assert expected in finds, expected


def test_excluded_regions_are_not_mutated():
    muts = _mutants()
    lines = {m.line for m in muts}
    assert not lines & set(range(1, 13))          # directives, the header (parameter defaults, ranges)
    # the step clause of the for loop (i = i + 1) is never mutated: no endless loops
    assert {m.find for m in muts if m.line == 19} == {"0", "<", "2"}
    # a localparam keeps its name and type; its value is mutated
    assert {(m.find, m.replace) for m in muts if m.line == 13} == {("-", "+"), ("1", "2"), ("1", "0")}


def test_every_mutant_of_the_small_module_compiles(tmp_path):
    stripped = mu.strip_comments(TINY)
    assert _compiles(stripped, tmp_path)
    bad = [m.id for m in _mutants() if not _compiles(m.text(stripped, "tiny"), tmp_path)]
    assert not bad, bad


@pytest.mark.parametrize("port, bit, value", [("y_o", 2, 0), ("y_o", 0, 1), ("z_o", 0, 1)])
def test_stuck_at_shim_keeps_the_module_and_compiles(port, bit, value, tmp_path):
    stripped = mu.strip_comments(TINY)
    text = mu.stuck_shim(stripped, "tiny", port, bit, value)
    assert text.startswith(stripped.replace("module tiny", "module tiny__core", 1).split("endmodule")[0])
    assert f"assign {port} = {port}__raw" in text
    assert _compiles(text, tmp_path)


def test_ports_are_read_from_the_header():
    assert mu.ports(mu.strip_comments(TINY), "tiny") == [
        ("input", "", "[W-1:0]", "a_i"), ("input", "", "[3:0]", "b_i"), ("input", "", "", "s_i"),
        ("output", "", "[3:0]", "y_o"), ("output", "", "", "z_o")]


def test_generation_is_deterministic_and_sampling_prefix_stable():
    t = next(t for t in mu.targets() if t.module == "fp4_round")
    a, b = mu.generate(t), mu.generate(t)
    assert [m.id for m in a] == [m.id for m in b]
    small, large = mu.sample(a, 5, "x"), mu.sample(a, 12, "x")
    assert len(small) == 5 and {m.id for m in small} <= {m.id for m in large}
    assert [m.id for m in mu.sample(a, 5, "x")] == [m.id for m in small]


def test_every_rtl_module_has_a_target():
    names = {t.module for t in mu.targets()}
    assert {"fp4_round", "fp4_encode", "fp4_decode", "fp4_mac", "fp4_mx_block"} <= names
    assert {p.stem for p in (mu.RTL / "lut").glob("fp4_lut_*.v")} <= names
    assert {f"cost_mul_{n}" for n in __import__("fp4ref.golden.defaults", fromlist=["x"]).LUT_MUL_FORMATS} <= names
    # the decoder's survivors are called equivalent on every preset: every preset must be run
    from fp4ref.emu import list_formats
    assert set(mu.DECODE_FORMATS) == set(list_formats())


def test_runner_classifies_killed_survived_stillborn(tmp_path):
    need_icarus()
    t = next(t for t in mu.targets() if t.module == "fp4_lut_nf4")
    t.sim = "icarus"
    muts = {m.id: m for m in mu.generate(t)}
    killed = next(m for m in muts.values() if m.op == "const" and "32'h3F80_0000" in m.find.upper()
                  .replace("32'H", "32'h"))
    survived = muts["fp4_lut_nf4:stuck0:int_o[3]"]          # NF4 has no integer mapping: int_o is 0
    stripped = mu.strip_comments((mu.RTL / t.file).read_text())
    at = stripped.index("endcase")
    stillborn = mu.Mutant("fp4_lut_nf4", t.file, "const", "fp4_lut_nf4:test:stillborn", 0,
                          "endcase", "endcas", at, at + len("endcase"))
    work = tmp_path / "work"
    root = tmp_path / "packs"
    got = {m.id: mu.run_mutant(m, t, root, 300, work=work).status for m in (killed, survived, stillborn)}
    assert got == {killed.id: "killed", survived.id: "survived", stillborn.id: "stillborn"}
    again = mu.run_mutant(killed, t, root, 300, work=work)          # cached per mutant hash
    assert again.cached and again.status == "killed"


def test_python_mutants_are_valid_distinct_and_deterministic():
    muts = mp.generate("emu/round.py")
    assert {m.op for m in muts} == {"compare", "arith", "const", "bool"}
    assert [m.id for m in muts] == [m.id for m in mp.generate("emu/round.py")]
    original = ast.dump(ast.parse((REPO / "emu/round.py").read_text()))
    texts = set()
    for m in muts:
        text = mp.mutated_source(m)
        assert ast.dump(ast.parse(text)) != original, m.id
        texts.add(text)
    assert len(texts) == len(muts)


def test_python_selection_names_existing_files():
    for f, tests in mp.SELECTION.items():
        assert (REPO / f).is_file(), f
        assert all((REPO / t).is_file() for t in tests), tests


def test_a_bank_gives_the_verdicts_of_one_build_per_mutant(tmp_path):
    """fp4ref.rtl_tb.mutation_bank builds many mutants into one model; its verdicts must be those of
    one build per mutant (killed, survived, stillborn alike)."""
    need_icarus()
    from fp4ref.rtl_tb import mutation_bank as mb

    t = next(t for t in mu.targets() if t.module == "fp4_lut_nf4")
    t.sim = "icarus"
    muts = mu.generate(t)
    stripped = mu.strip_comments((mu.RTL / t.file).read_text())
    at = stripped.index("endcase")
    stillborn = mu.Mutant("fp4_lut_nf4", t.file, "const", "fp4_lut_nf4:test:stillborn", 0,
                          "endcase", "endcas", at, at + len("endcase"))
    pick = muts[:4] + [m for m in muts if m.op == "stuck"][::18] + [stillborn]
    root = tmp_path / "packs"
    single = {m.id: mu.run_mutant(m, t, root, 300, work=tmp_path / "one").status for m in pick}
    banked = {o.id: o.status for o in mb.run_target(t, pick, root, 300, "icarus", tmp_path / "bank")}
    assert banked == single
    assert set(single.values()) == {"killed", "survived", "stillborn"}


def test_the_bank_selector_keeps_the_header_and_names_every_mutant():
    from fp4ref.rtl_tb import mutation_bank as mb

    t = next(t for t in mu.targets() if t.module == "fp4_round")
    muts = mu.generate(t)[:3]
    text = mb.bank_source(t, muts, "tb_encode")
    assert text.count("module fp4_round ") == 1                      # the selector
    assert all(f"module fp4_round__m{k}" in text for k in range(4))
    assert "tb_encode.mutant_sel == 16'd3" in text


def test_a_bank_of_a_file_with_several_modules_puts_each_mutation_in_its_mutant():
    """fp4_fp32_round.v defines fp4_fp32_round, fp4_fp32_add and fp4_fp32_dot_tail, and the dot
    units instantiate fp4_fp32_dot_tail. A bank that renamed only fp4_fp32_round left every copy
    of the other two under one name, so one definition (the original's) served every mutant: a
    mutant that clears the per_block result's sign bit 'survived'. Each mutant's copy of every
    module must carry its own mutation and instantiate its own copies; each module a selector."""
    import re

    from fp4ref.rtl_tb import mutation_bank as mb

    t = next(t for t in mu.block_targets() if t.module == "fp4_fp32_round")
    stripped = mu.strip_comments((mu.RTL / t.file).read_text())
    names = mb.file_modules(stripped)
    assert names == ["fp4_fp32_round", "fp4_fp32_add", "fp4_fp32_dot_tail"]
    muts = mu.generate(t)
    tail_at = stripped.index("module fp4_fp32_dot_tail")
    mut = next(m for m in muts if m.op == "bits" and m.start > tail_at and "r[32*BLOCKS" in m.find)
    text = mb.bank_source(t, [muts[0], mut], "tb_mx_dot")
    bodies = dict(re.findall(r"module (\w+)(.*?)endmodule", text, re.S))
    for name in names:
        assert {f"{name}__m{k}" for k in range(3)} <= set(bodies) and name in bodies      # + selector
        assert f"tb_mx_dot.mutant_sel == 16'd2" in bodies[name]
    assert mut.replace in bodies["fp4_fp32_dot_tail__m2"]
    assert mut.replace not in bodies["fp4_fp32_dot_tail__m0"] + bodies["fp4_fp32_dot_tail__m1"]
    for k in range(3):                        # mutant k's tail adds and rounds with mutant k's
        assert re.search(rf"\bfp4_fp32_add__m{k}\b", bodies[f"fp4_fp32_dot_tail__m{k}"])
        assert re.search(rf"\bfp4_fp32_round__m{k}\b", bodies[f"fp4_fp32_dot_tail__m{k}"])
        assert not re.search(r"\bfp4_fp32_(add|round)\b(?!__)", bodies[f"fp4_fp32_dot_tail__m{k}"])


def test_a_verdict_survives_an_appended_run_only_when_an_earlier_run_killed(tmp_path):
    import dataclasses
    import json

    t = next(t for t in mu.targets() if t.module == "fp4_decode")
    m = mu.generate(t)[0]
    text = m.text(mu.strip_comments((mu.RTL / t.file).read_text()), t.module)
    short = dataclasses.replace(t, runs=t.runs[:3])
    (tmp_path / "results").mkdir()

    def put(status, detail):
        (tmp_path / "results" / f"{mu._mutant_key(m, short, text)}.json").write_text(
            json.dumps({"id": m.id, "status": status, "detail": detail, "seconds": 1.0}))

    put("killed", "run 1 (decode e4m3): 3 mismatches")
    assert mu.cached_verdict(m, t, text, tmp_path)["status"] == "killed"
    put("survived", "3 runs pass")
    assert mu.cached_verdict(m, t, text, tmp_path) is None          # must meet the new runs
    assert mu.cached_verdict(m, short, text, tmp_path)["status"] == "survived"


def test_the_mac_campaign_runs_every_default_mac_pack():
    """The campaign's fp4_mac runs cover every product pair and dot set of `make test` (a pair
    left out once hid the weight-side E = 1 and M = 0 hidden-bit mutants)."""
    from fp4ref.golden.defaults import mac_specs

    t = next(t for t in mu.targets() if t.module == "fp4_mac")
    assert {s.name for s in mac_specs()} <= {s.name for r in t.runs for s in r.specs}


def test_every_reviewed_verdict_names_a_mutant():
    """No stale review: each id in rtl_tb/mutation_equivalent.json is a mutant the generators
    make from today's sources (RTL text mutants, Python AST mutants)."""
    from fp4ref.rtl_tb import mutation_py

    reviewed = set(mu.load_equivalent())
    py = {k for k in reviewed if k.startswith(("emu/", "mac/"))}
    files = {k.split(":")[0] for k in py}
    assert py <= {m.id for f in files for m in mutation_py.generate(f)}
    rtl = reviewed - py
    made = set()
    for t in mu.targets():
        if t.name not in {k.split(":")[0] for k in rtl}:
            continue
        if t.header:
            made |= {m.id for m in mu.generate(t)}
            continue
        stripped = mu.strip_comments((mu.RTL / t.file).read_text())
        made |= {m.id for m in mu.text_mutants(t.module, t.file, stripped)}
        # stuck-at mutants (the widths of a top module's ports come from its packs): every bit of
        # every output port of the module as declared, at the parameters' defaults
        defaults = mu._param_defaults(stripped, t.module)
        for direction, _, rng, port in mu.ports(stripped, t.module):
            if direction == "output":
                made |= {f"{t.module}:stuck{v}:{port}[{b}]" for b in range(mu._range_width(rng, defaults))
                         for v in (0, 1)}
    assert rtl <= made, sorted(rtl - made)


def test_a_header_with_logic_is_mutated_inside_each_module_that_includes_it(tmp_path):
    """fp4_quant_common.vh holds the quantizers' arithmetic as functions: each includer is a
    target whose mutants carry the mutated header inlined in place of its `include line, and
    each such mutant builds with the includer's other sources."""
    need_icarus()
    heads = [t for t in mu.targets() if t.header == "fp4_quant_common.vh"]
    assert {t.module for t in heads} == {"fp4_mx_quant", "fp4_nvfp4_quant"}
    for t in heads:
        muts = mu.generate(t)
        assert muts and all(m.id.startswith(f"fp4_quant_common@{t.module}:") for m in muts)
        assert not any(m.stuck for m in muts)
        stripped = mu.strip_comments((mu.RTL / t.file).read_text())
        for m in mu.sample(muts, 3, "header"):
            text = m.text(stripped, t.module)
            assert '`include "fp4_quant_common.vh"' not in text and m.replace in text
            f = tmp_path / t.file
            f.write_text(text)
            others = [str(mu.RTL / s) for s in t.runs[0].sources if s != t.file]
            proc = subprocess.run(["iverilog", "-g2012", f"-I{mu.RTL}", "-s", t.module, "-o",
                                   str(tmp_path / "m.vvp"), *others, str(f)],
                                  capture_output=True, text=True, env=sim_env())
            assert proc.returncode == 0, (m.id, proc.stderr[-400:])


@pytest.mark.parametrize("module, widths", [
    ("fp4_fp32_round", {"res_o": 32, "flags_o": 4}),
    ("fp4_e2m1_sum", {"s_o": 14}),                     # S_W's default (mx_dot's instances)
    ("fp4_quant_elem", {"code_o": 4}),
])
def test_a_shared_submodule_gets_stuck_at_mutants_on_its_own_ports(module, widths):
    t = next(t for t in mu.targets() if t.module == module and not t.header)
    stuck = [m.stuck for m in mu.generate(t) if m.stuck]
    assert sorted(stuck) == sorted((p, b, v) for p, w in widths.items() for b in range(w) for v in (0, 1))


def test_a_header_mutant_killed_through_one_includer_is_killed():
    """A header target's survivor whose twin (the same mutation of the same header text) another
    includer's benches kill counts as killed; one that survives everywhere stays a survivor."""
    from fp4ref.rtl_tb.mutation import Outcome, shared_header_kills, summarize

    def o(module, tail, status):
        return Outcome(id=f"{module}:{tail}", module=module, op="const", status=status, detail="", seconds=1.0)

    outs = [o("h@a", "const:L3:0", "survived"), o("h@b", "const:L3:0", "killed"),
            o("h@a", "const:L4:0", "survived"), o("h@b", "const:L4:0", "survived"),
            o("g@a", "const:L3:0", "survived")]           # another header's mutant with the same tail
    review = shared_header_kills(outs, {})
    assert review == {"h@a:const:L3:0": {"verdict": "killed",
                                         "reason": "killed by b's benches, which compile the same header text"}}
    rows = {r["module"]: r for r in summarize(outs, review)}
    assert (rows["h@a"]["killed"], rows["h@a"]["survived"]) == (1, 1)
    assert (rows["h@b"]["killed"], rows["h@b"]["survived"]) == (1, 1) and rows["g@a"]["survived"] == 1
    # a review of the header text covers the twin in the other includer
    review = shared_header_kills(outs, {"h@b:const:L4:0": {"reason": "equivalent: ..."}})
    assert review["h@a:const:L4:0"] == {"reason": "equivalent: ..."}


def test_a_modules_selection_writes_its_own_readme_section(tmp_path):
    """`fp4ref mutate --modules M --readme FILE` writes between <!-- fp4ref mutate-rtl M --> and its
    closing marker (the block units' table in the README), leaving the rest of FILE alone; --ids
    with --readme is one line."""
    import subprocess
    import sys

    readme = tmp_path / "R.md"
    head = "# mine\n\n<!-- fp4ref mutate-rtl -->\nthe whole campaign\n<!-- /fp4ref mutate-rtl -->\n\n"
    readme.write_text(head + "<!-- fp4ref mutate-rtl fp4_mac_stream -->\n<!-- /fp4ref mutate-rtl fp4_mac_stream -->\n")
    cmd = [sys.executable, "-m", "fp4ref", "mutate", "--modules", "fp4_mac_stream", "--report-only",
           "--readme", str(readme), "--out", str(tmp_path / "m")]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    text = readme.read_text()
    assert text.startswith(head)
    section = text[len(head):]
    assert "(--modules fp4_mac_stream)" in section and "`fp4ref mutate --modules 'fp4_mac_stream' --report-only`" in section
    assert "| fp4_mac_stream | 61 |" in section and section.endswith("<!-- /fp4ref mutate-rtl fp4_mac_stream -->\n")
    proc = subprocess.run(cmd[:-2] + ["--ids", "fp4_mac_stream:swap:L1:0", "--out", str(tmp_path / "m")],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 2 and "drop --ids" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert readme.read_text() == text
