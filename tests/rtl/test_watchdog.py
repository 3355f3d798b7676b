"""The watchdog on every simulator run and no orphans (issue 22), through `fp4ref verify` as a user
runs it, on designs that never finish:

- the reference encoder with one loop step changed (``i = i - 1``: the loop never ends);
- an encoder with a true combinational loop (tests/rtl/watchdog/enc_comb_loop.v).

Each must end within its limits with exit 1: a TIMEOUT report (pack, last heartbeat, likely
causes) where the simulator hangs, the simulator's own error where it detects the loop itself
(Verilator: DIDNOTCONVERGE). Killing `fp4ref verify` mid-simulation (SIGKILL, SIGTERM, SIGINT)
leaves no simulator process behind.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests import REPO
from fp4ref.rtl_tb.sims import SIMS

RTL = REPO / "rtl"
HERE = Path(__file__).resolve().parent / "watchdog"
LOOP_LINE = ("for (i = 0; i < SIG_W; i = i + 1)", "for (i = 0; i < SIG_W; i = i - 1)")


def _looping_encoder(tmp_path: Path) -> Path:
    text = (RTL / "fp4_encode.v").read_text()
    assert text.count(LOOP_LINE[0]) == 1
    src = tmp_path / "fp4_encode.v"
    src.write_text(text.replace(*LOOP_LINE))
    return src


def _verify(rtl: list[Path], top: str, sim: str, *extra: str) -> list[str]:
    args = [sys.executable, "-m", "fp4ref", "verify", "--unit", "encode", "-f", "e2m1", "-r", "rne",
            "--sim", sim, "--top", top, *extra]
    for r in rtl:
        args += ["--rtl", str(r)]
    return args


@pytest.mark.parametrize("sim", SIMS)
def test_a_loop_that_never_ends_is_a_timeout(sim, tmp_path):
    rtl = [_looping_encoder(tmp_path), RTL / "fp4_round.v"]
    t0 = time.monotonic()
    proc = subprocess.run(_verify(rtl, "fp4_encode", sim, "--timeout", "120", "--stall", "6"),
                          capture_output=True, text=True, timeout=400, cwd=tmp_path)
    seconds = time.monotonic() - t0
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "TIMEOUT: fp4_encode on " + sim in proc.stdout, proc.stdout
    assert "in pack encode-e2m1-bfloat16-rne-saturate (last heartbeat at vector" in proc.stdout
    assert "no progress for 6 s" in proc.stdout and "a loop that never ends" in proc.stdout
    assert "PASS" not in proc.stdout
    assert "did not finish" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert seconds < 120 + 60, f"{seconds:.0f} s"           # the limit plus the build


def test_the_wall_clock_limit_holds_too(tmp_path):
    """--timeout alone ends the run (the stall limit set far beyond it)."""
    rtl = [_looping_encoder(tmp_path), RTL / "fp4_round.v"]
    t0 = time.monotonic()
    proc = subprocess.run(_verify(rtl, "fp4_encode", "icarus", "--timeout", "8", "--stall", "600"),
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 1 and "over its 8 s limit" in proc.stdout, proc.stdout + proc.stderr
    assert "watchdog: 8 s for the simulation (set by --timeout)" in proc.stdout
    assert time.monotonic() - t0 < 8 + 60


@pytest.mark.parametrize("sim", SIMS)
def test_a_combinational_loop_ends_the_run(sim, tmp_path):
    rtl = [HERE / "enc_comb_loop.v", RTL / "fp4_encode.v", RTL / "fp4_round.v"]
    proc = subprocess.run(_verify(rtl, "enc_comb_loop", sim, "--stall", "6"),
                          capture_output=True, text=True, timeout=400, cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    if sim == "icarus":                  # the time step never ends: the watchdog's TIMEOUT
        assert "TIMEOUT: enc_comb_loop on icarus" in proc.stdout and "combinational loop" in proc.stdout
    else:                                # Verilator gives up on the loop itself, in a second
        assert "DIDNOTCONVERGE" in proc.stdout and "(a combinational loop)" in proc.stdout
        assert "FAIL: enc_comb_loop on verilator" in proc.stdout
    assert "PASS" not in proc.stdout


def test_the_default_limit_is_printed_and_the_reference_passes(tmp_path):
    proc = subprocess.run(_verify([RTL / "fp4_encode.v", RTL / "fp4_round.v"], "fp4_encode", "icarus"),
                          capture_output=True, text=True, timeout=400, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "(default: 60 s + 2 x build + 1 s per 2,000 vectors); stall after 30 s" in proc.stdout
    assert "PASS: fp4_encode on icarus: 65,536 vectors, 0 mismatches" in proc.stdout


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            kids.setdefault(ppid, []).append(int(entry))
    return kids


def _descendants(pid: int) -> list[int]:
    kids, out, todo = _children(), [], [pid]
    while todo:
        for k in kids.get(todo.pop(), []):
            out.append(k)
            todo.append(k)
    return out


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _as_from_a_shell() -> None:
    """In the child before exec: SIGINT and SIGTERM as a user's shell leaves them (default
    disposition, not blocked). An exec'd child inherits an ignored signal and the signal mask,
    and a test worker may have either (an earlier test's library that spawned a helper thread
    or process with them blocked): fp4ref would then rightly never see the Ctrl-C."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT], ids=lambda s: s.name)
def test_no_simulator_outlives_a_killed_verify(how, tmp_path):
    rtl = [_looping_encoder(tmp_path), RTL / "fp4_round.v"]
    proc = subprocess.Popen(_verify(rtl, "fp4_encode", "icarus", "--timeout", "600", "--stall", "600"),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
                            preexec_fn=_as_from_a_shell)
    sims: list[int] = []
    deadline = time.monotonic() + 240
    try:
        while not sims and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
            sims = [p for p in _descendants(proc.pid) if _comm(p) == "vvp"]
        assert sims, "the simulator never started"
        time.sleep(1.0)                                   # mid-simulation: the loop is spinning
        assert all(_alive(p) for p in sims)
        os.kill(proc.pid, how)
        proc.wait(timeout=30)
        end = time.monotonic() + 10
        while any(_alive(p) for p in sims) and time.monotonic() < end:
            time.sleep(0.1)
        left = [p for p in sims if _alive(p)]
        assert not left, f"simulator processes left after {how.name}: {left}"
        if how == signal.SIGINT:                          # Ctrl-C: fp4ref's one line
            assert proc.returncode == 130 and "interrupted" in proc.stderr.read()
        elif how == signal.SIGTERM:
            assert proc.returncode == 143
    finally:
        if proc.poll() is None:
            proc.kill()
        for p in sims:                                    # never leave one behind, even on failure
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass


SPIN_TOML = """[design]
sources = ["{src}"]
top = "spin"

[unit]
name = "product"
x = "e2m1"
w = "e2m1"

[ports]
code_x = "a"
code_w = "b"
product = "p"

[timing]
kind = "comb"
"""


@pytest.mark.parametrize("sim", SIMS)
def test_a_dut_file_design_that_never_settles_is_a_timeout(sim, tmp_path):
    """The watchdog as a user meets it: their own module, described by a DUT file."""
    toml = tmp_path / "spin.toml"
    toml.write_text(SPIN_TOML.format(src=HERE / "spin.v"))
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "fp4ref", "verify", "--dut", str(toml), "--sim", sim,
                           "--stall", "5", "--timeout", "60"], capture_output=True, text=True, timeout=300,
                          cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"TIMEOUT: spin on {sim}: the simulation stopped in pack product-e2m1xe2m1" in proc.stdout
    assert "no progress for 5 s" in proc.stdout and "PASS" not in proc.stdout
    assert time.monotonic() - t0 < 60 + 60
