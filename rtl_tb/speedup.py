"""The local 1 -> 2 worker speed-up of each campaign, for both executors: docs/distributed.md's
table (`make distributed-speedup`, which runs `python -m fp4ref.rtl_tb.speedup --doc
docs/distributed.md`).

Each campaign is small but whole, run as a user runs it (`fp4ref ...` in a child process) with
one and with two workers of each executor (`--jobs N`, `--cluster local:N`), one after the other.
Every measured run starts from its own empty build folder, so none finds another's simulator
builds, compiler cache or verdicts; the packs the campaigns read are made once beforehand (a
warm-up run, not measured) and shared. Wall time is the parent's clock; CPU time is user + system
of fp4ref and every process it waited for (simulators, compilers, Dask's processes), as
`/usr/bin/time` counts it. The load average when each run ends says how idle the cores were."""
from __future__ import annotations

import argparse
import datetime
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from fp4ref.golden.markers import md_table, replace

from . import process

MARKER = "distributed-speedup"

#: (name in the table, fp4ref arguments ({tmp}: this campaign's scratch folder), reads packs?)
CAMPAIGNS = (
    ("`exhaustive -f e2m1 -r rtz --reference grid` (2^32 inputs, 16 shards)",
     ["exhaustive", "-f", "e2m1", "-r", "rtz", "--reference", "grid"], False),
    ("`golden defaults --formats e2m1` (40 packs)",
     ["golden", "defaults", "--formats", "e2m1", "--out", "{tmp}/packs-out"], False),
    ("`regress --formats e2m1 --sim icarus --no-mac` (4 bench runs)",
     ["regress", "--formats", "e2m1", "--sim", "icarus", "--no-mac"], True),
    ("`mutate` on 4 lookup decoders, 12 mutants each, Verilator (4 bank shards)",
     ["mutate", "--modules", "fp4_lut_nf4,fp4_lut_sf4_nu5,fp4_lut_apot4,fp4_lut_e2m1_sr",
      "--max-per-module", "12", "--out", "{tmp}/mutation"], True),
)
#: (name in the table, the flag, its value for N workers)
EXECUTORS = (("local processes", "--jobs", "{n}"), ("Dask LocalCluster", "--cluster", "local:{n}"))


def _run(argv: list[str], build: Path, scratch: Path) -> tuple[float, float, float]:
    """(wall s, CPU s, 1-minute load at the end) of one `fp4ref` run; an error names the run."""
    build.mkdir(parents=True, exist_ok=True)
    args = [a.replace("{tmp}", str(scratch)) for a in argv]
    for a in args:                                   # each run writes its output afresh
        if a.startswith(str(scratch)):
            shutil.rmtree(a, ignore_errors=True)
    env = {**os.environ, "FP4REF_BUILD_DIR": str(build)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    # rtl_tb.process: its own process group, so Ctrl-C leaves no simulator or Dask worker behind
    proc = process.run([sys.executable, "-m", "fp4ref", *args], env=env, cwd=scratch,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-1:] or ["(no message)"]
        raise RuntimeError(f"`fp4ref {' '.join(args)}` failed (exit {proc.returncode}): {tail[0]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, os.getloadavg()[0]


def measure(progress=print) -> list[list[str]]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="fp4ref-speedup-") as tmp:
        root = Path(tmp)
        for i, (name, argv, reads_packs) in enumerate(CAMPAIGNS):
            scratch = root / f"campaign{i}"
            scratch.mkdir()
            warm = scratch / "warm"
            if reads_packs:
                progress(f"{name}: warm-up (the packs it reads)")
                _run(argv + ["--jobs", "2"], warm, scratch)
            for label, flag, value in EXECUTORS:
                cells = []
                for n in (1, 2):
                    build = scratch / f"{flag.strip('-')}-{n}"
                    build.mkdir()
                    if reads_packs:
                        (build / "packs").symlink_to(warm / "packs", target_is_directory=True)
                    wall, cpu, load = _run(argv + [flag, value.format(n=n)], build, scratch)
                    progress(f"{name}: {label}, {n} worker(s): {wall:.0f} s wall, {cpu:.0f} s CPU, load {load:.2f}")
                    cells.append((wall, cpu, load))
                    shutil.rmtree(build)
                (w1, c1, l1), (w2, c2, l2) = cells
                rows.append([name, f"{label} (`{flag} {value.format(n=1)}`, `{flag} {value.format(n=2)}`)",
                             f"{w1:.0f} ({c1:.0f})", f"{w2:.0f} ({c2:.0f})", f"{w1 / w2:.2f}x", f"{l1:.2f}, {l2:.2f}"])
    return rows


def table(rows: list[list[str]]) -> str:
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    head = (f"Measured {when} on {os.cpu_count()} cores by `make distributed-speedup`: wall seconds, "
            "and in brackets the CPU seconds of fp4ref and every process it ran; the load is the "
            "1-minute load average when each run ended.\n\n")
    return head + md_table(["campaign", "executor", "1 worker: wall s (CPU s)", "2 workers: wall s (CPU s)",
                            "speed-up (wall)", "load"], rows)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m fp4ref.rtl_tb.speedup", description=__doc__.split("\n\n")[0])
    p.add_argument("--doc", help="also write the table between the markers <!-- fp4ref distributed-speedup --> "
                                 "of this markdown file")
    args = p.parse_args(argv)
    try:
        if args.doc:
            from fp4ref.golden.markers import check
            check(args.doc, MARKER, "--doc")
        text = table(measure())
    except (ValueError, RuntimeError) as err:
        print(f"speedup: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("speedup: interrupted; nothing written", file=sys.stderr)
        return 130
    print(text)
    if args.doc:
        replace(args.doc, MARKER, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
