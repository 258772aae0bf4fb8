"""A plain progress bar on stderr (no dependency), silent when not asked for."""

from __future__ import annotations

import sys
import time

__all__ = ["Progress"]


class Progress:
    def __init__(self, total: int, enabled: bool = True, width: int = 30) -> None:
        self.total, self.enabled, self.width = total, enabled, width
        self.done = 0
        self.started = time.monotonic()

    def step(self, label: str) -> None:
        """Mark one more step done and show what comes next."""
        self.done += 1
        if not self.enabled:
            return
        filled = int(self.width * self.done / self.total)
        elapsed = time.monotonic() - self.started
        bar = "#" * filled + "-" * (self.width - filled)
        sys.stderr.write(f"\r[{bar}] {self.done}/{self.total} {elapsed:6.1f} s  {label:<40}")
        if self.done >= self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()
