"""fp4ref.hw.cost and `fp4ref cost`: the synthesized multipliers and MAC lanes are exact, the yosys stat
parser, the area proxy, the Pareto front, and one command run (accuracy stubbed). yosys missing
is a failure, not a skip: `make setup` installs it."""
import argparse
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from fp4ref.emu.lookup import get_lookup
from fp4ref.cli import cost as cost_cli
from fp4ref.golden.atomic import MARKER
from fp4ref.hw import cost

CANNED_STAT = """
6. Printing statistics.

=== cost_mac ===

   Number of wires:                197
   Number of wire bits:            328
   Number of public wires:          14
   Number of public wire bits:      99
   Number of memories:               0
   Number of memory bits:            0
   Number of processes:              0
   Number of cells:                229
     $_AND_                         46
     $_DFF_P_                       24
     $_MUX_                          6
     $_NAND_                        56
     $_NOR_                          7
     $_NOT_                          6
     $_OR_                          29
     $_XNOR_                        35
     $_XOR_                         20

"""


def _yosys() -> str:
    try:
        return cost.find_yosys()
    except ValueError as err:
        pytest.fail(f"{err} (`make setup` installs yosys)")


def _iverilog():
    if shutil.which("iverilog") is None:
        pytest.fail("Icarus Verilog is not installed: `make setup` installs it")


def _netlist(yosys, unit, fmt, path):
    files, top, defines = cost.unit_files(unit, fmt)
    return cost.run_yosys(yosys, cost.yosys_script(files, top, "synth", defines, netlist=path), top)


def test_cost_rtl_is_lint_clean():
    """Every rtl/cost module: `verilator --lint-only -Wall` and `iverilog -g2012 -Wall` print nothing
    (cost_mac with each multiplier)."""
    from fp4ref.rtl_tb.sims import sim_env
    _iverilog()
    env = sim_env()
    runs = [([f"cost_{u}_{f}.v"], f"cost_{u}_{f}", []) for f in cost.FORMATS for u in ("dec", "mul")]
    runs += [(["cost_mac.v", f"cost_mul_{f}.v"], "cost_mac", [f"COST_MUL=cost_mul_{f}"])
             for f in ("int4_full", "nf4")]

    def lint(run):
        files, top, defines = run
        paths = [str(cost.RTL_COST / f) for f in files]
        out = []
        for cmd in (["verilator", "--lint-only", "--quiet", "-Wall", "--top-module", top,
                     *[f"+define+{d}" for d in defines], *paths],
                    ["iverilog", "-g2012", "-Wall", "-s", top, "-o", "/dev/null",
                     *[f"-D{d}" for d in defines], *paths]):
            r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
            out.append((top, cmd[0], r.returncode, (r.stdout + r.stderr).strip()))
        return out

    with ThreadPoolExecutor() as pool:
        results = [r for rs in pool.map(lint, runs) for r in rs]
    bad = [r for r in results if r[2] != 0 or r[3]]
    assert not bad, bad


def test_stat_parser_on_canned_output():
    cells = cost.parse_stat("warning: something\n" + CANNED_STAT)
    assert cells == {"$_AND_": 46, "$_DFF_P_": 24, "$_MUX_": 6, "$_NAND_": 56, "$_NOR_": 7,
                     "$_NOT_": 6, "$_OR_": 29, "$_XNOR_": 35, "$_XOR_": 20}
    assert sum(cells.values()) == 229
    with pytest.raises(ValueError, match="add up to 228"):
        cost.parse_stat(CANNED_STAT.replace("$_XOR_                         20",
                                            "$_XOR_                         19"))
    with pytest.raises(ValueError, match="module"):
        cost.parse_stat("no statistics here")
    zero = "=== cost_dec_int4_full ===\n\n   Number of wires: 2\n   Number of cells:  0\n"
    assert cost.parse_stat(zero) == {}


def test_area_proxy_arithmetic():
    # Nangate45 X1 sites: NAND2 3, INV 2, DFF 17, XOR2 6, MUX2 7; NAND2 equivalents = sites / 3
    cells = {"$_NAND_": 2, "$_NOT_": 3, "$_DFF_P_": 1, "$_XOR_": 1, "$_MUX_": 1}
    assert cost.area_sites(cells) == 2 * 3 + 3 * 2 + 17 + 6 + 7 == 42
    assert cost.nand2_eq(cells) == 14.0
    assert cost.nand2_eq({}) == 0
    assert float(cost.SITE_UM2) * cost.CELL_SITES["$_NAND_"] == pytest.approx(0.798)
    assert float(cost.SITE_UM2) * cost.CELL_SITES["$_DFF_P_"] == pytest.approx(4.522)
    with pytest.raises(ValueError, match=r"\$_AOI3_"):
        cost.area_sites({"$_AOI3_": 1})
    assert cost.nand2_eq(cost.parse_stat(CANNED_STAT)) == pytest.approx(
        (46 * 4 + 24 * 17 + 6 * 7 + 56 * 3 + 7 * 3 + 6 * 2 + 29 * 4 + 35 * 6 + 20 * 6) / 3)


def test_pareto_front():
    costs = [10, 20, 30, 15, 25, 30, 5]
    errs = [5.0, 3.0, 1.0, 6.0, 3.0, 1.0, 9.0]
    # 3 is dominated by 0; 4 by 1; 2 and 5 tie exactly (neither dominates); 6 is cheapest
    assert cost.pareto_front(costs, errs) == [6, 0, 1, 2, 5]
    assert cost.pareto_front([1], [1]) == [0]
    assert cost.pareto_front([1, 1], [2, 1]) == [1]
    assert cost.pareto_front([], []) == []


def test_smallest_module_synthesizes_to_a_plausible_size():
    yosys = _yosys()
    assert cost.yosys_version(yosys).startswith("Yosys ")
    files, top, _ = cost.unit_files("dec", "int4_full")
    assert cost.run_yosys(yosys, cost.yosys_script(files, top, "synth"), top) == {}   # wires only
    files, top, _ = cost.unit_files("dec", "e1m2")
    cells = cost.run_yosys(yosys, cost.yosys_script(files, top, "synth"), top)
    assert 4 <= sum(cells.values()) <= 30, cells      # 4 in, 4 out: a conditional negation of 3 bits
    assert set(cells) <= set(cost.CELL_SITES)


def test_synthesized_multipliers_are_exact(tmp_path):
    """Every multiplier's mapped netlist against mul_ints over all valid code pairs (Icarus)."""
    yosys = _yosys()
    _iverilog()
    with ThreadPoolExecutor() as pool:
        list(pool.map(lambda f: _netlist(yosys, "mul", f, tmp_path / f"net_{f}.v"), cost.FORMATS))
    tb = ["module tb;", "reg [3:0] a, b; integer i, j;"]
    for f in cost.FORMATS:
        tb.append(f"wire signed [15:0] p_{f}; cost_mul_{f} u_{f} (.a_i(a), .b_i(b), .prod_o(p_{f}));")
    tb.append("initial begin for (i = 0; i < 16; i = i + 1) for (j = 0; j < 16; j = j + 1) begin "
              "a = i; b = j; #1;")
    tb += [f'$display("{f} %0d %0d %0d", i, j, p_{f});' for f in cost.FORMATS]
    tb.append("end $finish; end endmodule")
    (tmp_path / "tb.v").write_text("\n".join(tb) + "\n")
    subprocess.run(["iverilog", "-g2012", "-o", str(tmp_path / "sim"), str(tmp_path / "tb.v"),
                    *[str(tmp_path / f"net_{f}.v") for f in cost.FORMATS]], check=True, timeout=120)
    out = subprocess.run(["vvp", "-n", str(tmp_path / "sim")], capture_output=True, text=True,
                         check=True, timeout=120).stdout
    got = {}
    for line in out.splitlines():
        p = line.split()
        if len(p) == 4 and p[0] in cost.FORMATS:
            got[(p[0], int(p[1]), int(p[2]))] = int(p[3])
    checked = 0
    for f in cost.FORMATS:
        lk = get_lookup(f)
        ints, _ = lk.mul_ints()
        for i in range(16):
            for j in range(16):
                if lk.valid[i] and lk.valid[j]:
                    assert got[(f, i, j)] == ints[i] * ints[j], (f, i, j)
                    checked += 1
    assert checked == 8 * 256 + 15 * 15          # APoT4 leaves its -0 code unused


@pytest.mark.parametrize("fmt", ["e2m1_sr", "nf4"])
def test_synthesized_mac_accumulates(tmp_path, fmt, rng):
    """cost_mac's netlist: acc <= acc + Ia * Ib over a seeded random code sequence."""
    yosys = _yosys()
    _iverilog()
    cells = _netlist(yosys, "mac", fmt, tmp_path / "net.v")
    assert cells.get("$_DFF_P_") == cost.ACC_BITS
    lk = get_lookup(fmt)
    ints, _ = lk.mul_ints()
    codes = np.flatnonzero(lk.valid)
    pairs = rng.choice(codes, size=(200, 2))
    tb = ["module tb;", "reg clk = 0; reg [3:0] a, b; wire signed [23:0] acc;",
          "cost_mac u (.clk_i(clk), .a_i(a), .b_i(b), .acc_o(acc));", "initial begin u.acc_o = 0;"]
    for x, y in pairs:
        tb.append(f"a = {x}; b = {y}; #1 clk = 1; #1 clk = 0; $display(\"%0d\", acc);")
    tb.append("$finish; end endmodule")
    (tmp_path / "tb.v").write_text("\n".join(tb) + "\n")
    subprocess.run(["iverilog", "-g2012", "-o", str(tmp_path / "sim"), str(tmp_path / "tb.v"),
                    str(tmp_path / "net.v")], check=True, timeout=120)
    out = subprocess.run(["vvp", "-n", str(tmp_path / "sim")], capture_output=True, text=True,
                         check=True, timeout=120).stdout.split()
    expect = np.cumsum([ints[x] * ints[y] for x, y in pairs])
    assert [int(v) for v in out[:len(pairs)]] == expect.tolist()


def _args(tmp_path, **kw):
    base = dict(command="cost", out=str(tmp_path / "out"), formats=None, no_plot=False,
                quick=False, seed=None)
    base.update(kw)
    return argparse.Namespace(**base)


def test_parser_and_bad_names(tmp_path):
    p = argparse.ArgumentParser()
    cost_cli.add_parser(p.add_subparsers(dest="command"))
    a = p.parse_args(["cost", "--quick", "--no-plot", "--formats", "e2m1,nf4", "--out", "x"])
    assert (a.quick, a.no_plot, a.formats, a.out) == (True, True, "e2m1,nf4", "x")
    assert p.parse_args(["cost"]).out is None       # resolved at run time: cost/ in the build folder
    with pytest.raises(ValueError, match="'e5m2'"):
        cost_cli.cmd_cost(_args(tmp_path, formats="e2m1,e5m2"))


def test_missing_yosys_is_one_line_error(tmp_path, monkeypatch):
    monkeypatch.setattr(cost.shutil, "which", lambda name: None)
    with pytest.raises(ValueError, match="make setup"):
        cost_cli.cmd_cost(_args(tmp_path))


def test_command_writes_deterministic_outputs(tmp_path, monkeypatch, capsys):
    """A --quick run over two formats (MSE stubbed: MiniLM is not loaded here), twice: same bytes."""
    _yosys()
    fake = {"int4_full": {"student_t": 0.04, "minilm": 5e-5}, "e1m2": {"student_t": 0.05, "minilm": 6e-5}}
    monkeypatch.setattr(cost, "accuracy", lambda formats, seed, quick: {f: fake[f] for f in formats})
    blobs = []
    for k in range(2):
        out = tmp_path / f"out{k}"
        assert cost_cli.cmd_cost(_args(tmp_path, out=str(out), formats="e1m2,int4_full", quick=True)) == 0
        blobs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert blobs[0] == blobs[1]
    assert set(blobs[0]) == {"cost.md", "cost.csv", "cost.json", "cost.png", MARKER}
    assert blobs[0]["cost.png"].startswith(b"\x89PNG")
    md = blobs[0]["cost.md"].decode()
    assert "| INT4 | 0 |" in md and "| E1M2 |" in md          # the INT4 decoder is wires only
    rows = blobs[0]["cost.csv"].decode().splitlines()
    assert rows[0].startswith("format,dec cells,mul cells") and len(rows) == 3
    assert "E1M2" in capsys.readouterr().out
