"""The one process wrapper of fp4ref: every simulator, compiler and campaign worker runs through
``run`` (the cocotb runner's commands, the mutation workers, the Python mutants' test runs).

- Its own process group (a new session): a timeout or an interrupt kills the whole group (make,
  the compiler, the simulator), never just the first process.
- It dies with its parent: the child asks Linux for SIGKILL when the process that started it
  ends (``PR_SET_PDEATHSIG``), so a ``kill -9`` of fp4ref, a CI timeout or a crashed pytest worker
  leaves no simulator behind; SIGINT and SIGTERM of fp4ref kill the group on the way out.
- A watchdog: a wall-clock ``timeout`` and, with a ``progress`` callable (the bench's heartbeat
  file), a ``stall`` limit: no progress for that many seconds. Either ends the run as timed out,
  with what the heartbeat said last; a timed-out run is never a pass.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from typing import Callable

_PR_SET_PDEATHSIG = 1
try:                                    # resolved once here: the child only calls it
    _prctl = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True).prctl
except (OSError, AttributeError):       # not Linux: no parent-death signal (the group kill remains)
    _prctl = None


def die_with_parent() -> None:
    """In a child (preexec_fn, or a pool initializer): SIGKILL when the parent ends. If the parent
    is already gone (it died between fork and here), end now."""
    if _prctl is not None:
        parent = os.getppid()
        _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:
            os._exit(137)


@dataclass
class Result:
    returncode: int | None      #: None when the watchdog killed the run
    stdout: str | bytes | None
    stderr: str | bytes | None
    timed_out: str | None = None        #: why the watchdog ended it ("over 60 s", "no progress for 30 s")
    progress: object = None             #: the last value ``progress`` returned
    seconds: float = 0.0


class Timeout(RuntimeError):
    """A watched command ran past its limit; ``result`` says why and how far it got."""

    def __init__(self, cmd: list[str], result: Result):
        self.cmd, self.result = cmd, result
        super().__init__(f"{os.path.basename(str(cmd[0]))}: {result.timed_out}")


def kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL the process group ``proc`` leads (every process it started), then reap it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def run(cmd: list[str], *, cwd=None, env: dict | None = None, stdout=None, stderr=None,
        text: bool = True, timeout: float | None = None, stall: float | None = None,
        progress: Callable[[], object] | None = None, poll: float = 0.2) -> Result:
    """Run ``cmd`` to its end or its limit. ``stdout``/``stderr`` as for subprocess (PIPE to
    capture, a file, or None to inherit). ``stall`` applies once ``progress`` has returned
    something other than None (a bench that has started); until then only ``timeout`` does."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=stdout, stderr=stderr, text=text,
                            stdin=subprocess.DEVNULL, start_new_session=True,
                            preexec_fn=die_with_parent if _prctl is not None else None)
    last, changed = None, start
    try:
        while True:
            try:
                out, err = proc.communicate(timeout=poll)
                return Result(proc.returncode, out, err, None, _read(progress, last),
                              time.monotonic() - start)
            except subprocess.TimeoutExpired:
                pass
            now = time.monotonic()
            seen = _read(progress, last)
            if seen != last:
                last, changed = seen, now
            why = None
            if timeout is not None and now - start > timeout:
                why = f"over its {timeout:g} s limit"
            elif stall is not None and last is not None and now - changed > stall:
                why = f"no progress for {stall:g} s"
            if why:
                kill_group(proc)
                out, err = proc.communicate()
                return Result(None, out, err, why, last, now - start)
    except BaseException:               # Ctrl-C, SIGTERM (see terminate_on_sigterm), a bug: no orphans
        kill_group(proc)
        proc.wait()
        raise


def _read(progress, last):
    if progress is None:
        return None
    try:
        return progress()
    except Exception:                   # a heartbeat half written or not there yet
        return last


class Terminated(BaseException):
    """SIGTERM, raised in the main thread (terminate_on_sigterm): like KeyboardInterrupt, no
    ``except Exception`` (nor a runner's ``except SystemExit``) swallows it."""


def terminate_on_sigterm() -> None:
    """Turn SIGTERM into Terminated in this (main) thread, so that ``run`` kills the group of a
    running command before fp4ref exits (the parent-death signal covers SIGKILL)."""
    def handler(signum, frame):
        raise Terminated(signum)
    try:
        signal.signal(signal.SIGTERM, handler)
    except ValueError:                  # not the main thread: leave it
        pass


def capture(cmd: list[str], timeout: float | None = None, *, merge: bool = False, **kw) -> Result:
    """``run`` with stdout and stderr captured as text (``merge``: stderr into stdout)."""
    return run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT if merge else subprocess.PIPE,
               timeout=timeout, **kw)
