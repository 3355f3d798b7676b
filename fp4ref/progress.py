"""A dependency-free progress bar on stderr (a line per 10 % when stderr is not a terminal)."""
from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, total: int, label: str, stream=sys.stderr):
        self.total, self.label, self.stream = total, label, stream
        self.done, self.start, self.last_decile = 0, time.perf_counter(), -1
        self.tty = stream.isatty()

    def update(self, n: int) -> None:
        self.done += n
        frac = self.done / self.total if self.total else 1.0
        elapsed = time.perf_counter() - self.start
        eta = elapsed / frac - elapsed if frac > 0 else 0.0
        text = f"{self.label} {100 * frac:5.1f}% {self.done:,}/{self.total:,} {elapsed:6.1f}s eta {eta:5.0f}s"
        if self.tty:
            width = 30
            bar = "#" * int(width * frac) + "-" * (width - int(width * frac))
            self.stream.write(f"\r[{bar}] {text}")
            self.stream.flush()
        elif int(10 * frac) > self.last_decile:
            self.last_decile = int(10 * frac)
            self.stream.write(text + "\n")
            self.stream.flush()

    def close(self) -> float:
        if self.tty:
            self.stream.write("\n")
        return time.perf_counter() - self.start
