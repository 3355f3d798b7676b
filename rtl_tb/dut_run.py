"""Run a DUT file's design through its packs on one simulator (docs/byo_rtl.md): the packs its
[unit] names, the design elaborated and its mapping checked before any vector, the glue built
once per (simulator, design, mapping), and rtl_tb.bench_dut driving it in its [timing]."""
from __future__ import annotations

import fcntl
import hashlib
import json
import re
import shutil
from pathlib import Path

from fp4ref.emu import get_format
from fp4ref.golden import manifest as manifests
from fp4ref.golden.codec_pack import PackSpec
from fp4ref.golden.defaults import overflows
from fp4ref.golden.mac_pack import MacPackSpec
from fp4ref.golden.pack import ensure
from fp4ref.golden.unit_pack import UnitPackSpec

from .dut import UNITS, Dut, DutError
from .dut_wrapper import Layout, check_ports, copies_of, elaborate, wrapper_verilog
from .mismatches import MISMATCH_DIR
from .runner import STALL_S, UnitRun, build_dir, run_bench, waves_requested

TOP = "tb_dut"


def pack_specs(dut: Dut) -> list:
    """The packs the [unit] section asks for (DutError naming [unit] for a bad option)."""
    o = dut.options
    try:
        if dut.block:                       # options already checked by its UnitDef
            return [UnitPackSpec(dut.unit, o)]
        if dut.unit == "decode":
            return [PackSpec("decode", get_format(o["format"]))]
        if dut.unit == "encode":
            fmt = get_format(o["format"])
            policies = overflows(fmt) if o["overflow"] == "all" else (o["overflow"],)
            vector_set = f"level{o['level']}" if o["src"] == "float32" else "exhaustive"
            return [PackSpec("encode", fmt, o["src"], m, p, vector_set) for m in o["modes"] for p in policies]
        fx, fw = get_format(o["x"]), get_format(o["w"])
        if dut.unit == "product":
            return [MacPackSpec("product", fx, fw)]
        return [MacPackSpec("dot", fx, fw, o["lanes"], o["acc_w"], o["policy"], o["order"], o["shift_max"],
                            o["random"], shift_w=o["shift_w"], chain=dut.kind == "accumulate")]
    except (ValueError, TypeError, KeyError) as err:
        raise DutError(f"{dut.where('unit')}: {err}") from None


def prepare(dut: Dut, pack_root: Path) -> tuple[list[Path], Layout]:
    """The packs (generated once, cached under pack_root) and the checked mapping."""
    ports = elaborate(dut)
    dirs = [ensure(s, pack_root) for s in pack_specs(dut)]
    return dirs, check_ports(dut, ports, manifests.verify(dirs[0]))


def port_mapping(dut: Dut, layout: Layout) -> dict[str, str]:
    """What each port of the elaborated design carries under the DUT file's mapping, as the text
    `fp4ref dut check` shows beside it: fields (lanes numbered; outputs the packs leave out
    marked unchecked; several fields may share a bus), timing controls, ties, and inputs the
    packs leave out with the neutral value the bench drives."""
    mapped: dict[str, str] = {}

    def note(port: str, text: str) -> None:
        mapped[port] = f"{mapped[port]}, {text}" if port in mapped else text
    for name, pm in dut.ports.items():
        if pm.port:
            lanes = layout.lanes.get(name, dut.lanes(name))
            unchecked = " (not in the packs: unchecked)" if (name in UNITS[dut.unit]["outputs"]
                                                             and name not in layout.outputs) else ""
            if pm.lanes == "named":
                for j in range(lanes):
                    note(pm.port_for(j), f"{name}{j}{unchecked}")
            elif pm.lanes == "packed":
                note(pm.port, (f"{name}0..{name}{lanes - 1}" if lanes > 1 else f"{name}0") + unchecked)
            else:
                note(pm.port, name + unchecked)
    for role, port in dut.controls().items():
        mapped[port] = f"timing {role}"
    for port, value in dut.ties.items():
        mapped[port] = f"tied to {value}"
    for port, value in layout.neutral.items():
        mapped[port] = f"{mapped.get(port, port)}: not in the packs, driven with {value:#x}"
    return mapped


def bench_config(dut: Dut, layout: Layout, dirs: list[Path], copies: int, results: Path,
                 max_mismatches: int) -> dict:
    """What rtl_tb.bench_dut reads from FP4REF_DUT."""
    record = manifests.verify(dirs[0])
    fields = {f["name"]: f for f in record["fields"]}
    inputs = {}
    for name, pack_fields in layout.inputs.items():
        pm = dut.ports[name]
        laned = len(pack_fields) > 1 or pack_fields[0] != name
        lane_w = fields[pack_fields[0]]["width"] if laned else None
        total = lane_w * len(pack_fields) if laned else layout.in_width[name]      # a vector's lanes
        inputs[name] = {"pack_fields": pack_fields if name in fields or laned else [],
                        "width": layout.in_width[name], "total": total, "lane_width": lane_w,
                        "map": list(pm.map) if pm.map else None}
    outputs = {n: {"width": w // layout.lanes[n], "lanes": layout.lanes[n], "pack_fields": layout.out_fields[n],
                   "scale": dut.ports[n].scale, "signed": dut.ports[n].signed, "float": dut.ports[n].float}
               for n, w in layout.outputs.items()}
    lanes = dut.options.get("lanes", 1)
    ports = {n: (pm.port if pm.hi is None else f"{pm.port}[{pm.hi}:{pm.lo}]") for n, pm in dut.ports.items()
             if pm.port}
    ports.update(dut.controls())
    return {"kind": dut.kind, "unit": dut.unit, "copies": copies, "lanes": lanes,
            "packs": [str(Path(d).resolve()) for d in dirs], "inputs": inputs, "outputs": outputs,
            "timing": dut.timing, "roles": list(dut.controls()), "ports": ports,
            "results": str(results), "max_mismatches": max_mismatches}


def run_dut(dut: Dut, sim: str, pack_root: Path, timeout: float | None = None, stall: float = STALL_S,
            max_mismatches: int = 10, prepared: tuple[list[Path], Layout] | None = None) -> UnitRun:
    if sim not in dut.simulators:
        raise DutError(f"{dut.where('design', 'simulators')}: {dut.top} is not for {sim}: the file lists "
                       f"only {', '.join(dut.simulators)} (add {sim} there to try it)")
    dirs, layout = prepared or prepare(dut, pack_root)
    copies = copies_of(dut)
    wrapper = wrapper_verilog(dut, layout, copies, TOP)
    sources = [Path(s).resolve() for s in dut.sources]
    key = {"dut": str(dut.path.resolve()), "wrapper": wrapper, "waves": waves_requested(),
           "defines": dut.defines, "includes": [str(d) for d in dut.include_dirs],
           "sources": [(str(s), hashlib.sha256(s.read_bytes()).hexdigest()) for s in sources]}
    for d in dut.include_dirs:              # an included file's change rebuilds too
        key["sources"] += [(str(f), hashlib.sha256(f.read_bytes()).hexdigest())
                           for f in sorted(Path(d).glob("*.*h")) + sorted(Path(d).glob("*.v")) if f.is_file()]
    bdir = build_dir(sim, TOP, key)
    bdir.mkdir(parents=True, exist_ok=True)
    with open(bdir / ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        (bdir / f"{TOP}.v").write_text(wrapper)
        results = bdir / "fp4ref_results.jsonl"
        results.unlink(missing_ok=True)
        shutil.rmtree(bdir / MISMATCH_DIR, ignore_errors=True)     # this run's mismatches only
        cfg = bench_config(dut, layout, dirs, copies, results, max_mismatches)
        env = {"FP4REF_DUT": json.dumps(cfg)}
        vectors = sum(manifests.verify(d)["count"] for d in dirs)
        if dut.kind == "handshake":         # gaps and backpressure: cycles per vector
            vectors = int(vectors / max(1e-3, (1 - dut.timing["gaps"]) * (1 - dut.timing["backpressure"])))
        if dut.kind == "accumulate":
            vectors *= dut.options["lanes"] // dut.timing["pairs_per_cycle"]
        try:
            return UnitRun.of(sim, bdir, results, lambda: run_bench(
                "fp4ref.rtl_tb.bench_dut", TOP, sources + [bdir / f"{TOP}.v"], sim, parameters=None,
                extra_env=env, bdir=bdir, includes=dut.include_dirs, defines=dut.defines,
                timeout=timeout, vectors=vectors, stall=stall))
        except ValueError:                  # the design does not build: the compiler's first errors
            raise DutError(build_failure(dut, sim, bdir / "build.log")) from None


def example_files(root: Path) -> list[tuple[Path, bool]]:
    """(DUT file, broken?) of every example under root: root/NAME/*.toml, root/NAME/broken/*.toml."""
    return ([(p, False) for p in sorted(root.glob("*/*.toml"))]
            + [(p, True) for p in sorted(root.glob("*/broken/*.toml"))])


def run_examples(root: Path, pack_root: Path, progress=None) -> list[dict]:
    """Every example on every simulator it lists: one row each (the good ones must pass, the
    broken ones must fail with mismatches)."""
    from .dut import load
    rows = []
    for path, broken in example_files(root):
        dut = load(path)
        prepared = prepare(dut, pack_root)
        for sim in dut.simulators:
            run = run_dut(dut, sim, pack_root, prepared=prepared)
            stuck = any(r.get("error") for r in run.results)
            passed = run.passed(len(prepared[0])) and not run.timeout
            rows.append({"example": path.parent.parent.name + "/" + path.stem if broken else path.parent.name,
                         "broken": broken, "kind": dut.kind, "sim": sim, "vectors": run.vectors,
                         "mismatches": run.mismatches, "rate": run.rate, "passed": passed,
                         "as_expected": passed != broken and (not broken or run.mismatches > 0 or stuck)})
            if progress:
                progress(rows[-1])
    return rows


def build_failure(dut: Dut, sim: str, log: Path) -> str:
    """One line: the simulator could not build the design, its first errors, and for SystemVerilog
    on Icarus 11 what to do."""
    try:
        lines = log.read_text(errors="replace").splitlines()
    except OSError:
        lines = []
    errors = [ln.strip() for ln in lines if re.search(r"error|syntax", ln, re.I) and "fp4ref" not in ln][:3]
    hint = ""
    if sim == "icarus" and dut.language == "systemverilog":
        hint = ("; Icarus 11 cannot parse all of this SystemVerilog (`int unsigned`, some casts and assignment "
                "patterns): run it on Verilator, simulators = [\"verilator\"]")
    return (f"{dut.where('design', 'sources')}: {sim} could not build {dut.top}: "
            + (" | ".join(errors) or f"see {log}") + hint)
