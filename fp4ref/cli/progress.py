"""Progress of long runs on stderr: a tqdm bar on a terminal; a line per 10 % otherwise (CI logs,
pipes), so a log holds ten readable lines instead of thousands of carriage returns."""
from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, total: int, label: str, stream=sys.stderr):
        self.total, self.label, self.stream = total, label, stream
        self.done, self.start, self.last_decile = 0, time.perf_counter(), -1
        self.tty = stream.isatty()
        self.bar = None
        if self.tty:
            from tqdm import tqdm
            self.bar = tqdm(total=total, desc=label, file=stream, dynamic_ncols=True,
                            unit_scale=total >= 100_000, mininterval=0.2)

    def update(self, n: int) -> None:
        self.done += n
        if self.bar is not None:
            self.bar.update(n)
            return
        frac = self.done / self.total if self.total else 1.0
        if int(10 * frac) > self.last_decile:
            self.last_decile = int(10 * frac)
            elapsed = time.perf_counter() - self.start
            eta = elapsed / frac - elapsed if frac > 0 else 0.0
            self.stream.write(f"{self.label} {100 * frac:5.1f}% {self.done:,}/{self.total:,} "
                              f"{elapsed:6.1f}s eta {eta:5.0f}s\n")
            self.stream.flush()

    def close(self) -> float:
        if self.bar is not None:
            self.bar.close()
        return time.perf_counter() - self.start


class Later:
    """A bar that a room function opens when it knows its total: pass ``start`` as its
    ``progress`` (called with the total, it returns the per-step update: the convention of
    emu.exhaustive and quant.smollm2.ggml_check); ``close()`` closes the bar, if it opened, and
    returns its seconds. ``label``: the bar's text, or a function that gives it when it opens."""

    def __init__(self, label):
        self.label, self.bar = label, None

    def start(self, total: int):
        self.bar = Progress(total, self.label() if callable(self.label) else self.label)
        return self.bar.update

    def close(self) -> float:
        return self.bar.close() if self.bar is not None else 0.0
