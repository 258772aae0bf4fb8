"""Many sessions at once: threads, each its own AppTest session, visiting pages."""

from __future__ import annotations

import random
import statistics
import threading
import time
from dataclasses import dataclass

from regime_dashboard.navigation import PageSpec

from .harness import new_session

__all__ = ["LoadResult", "simulate_sessions"]


@dataclass
class LoadResult:
    sessions: int
    page_views: int
    p50_ms: float
    p95_ms: float
    errors: int
    wall_s: float


def _visitor(
    pages: list[PageSpec],
    visits: int,
    seed: int,
    times: list[float],
    errors: list[str],
    lock: threading.Lock,
) -> None:
    rng = random.Random(seed)
    at = new_session()
    try:
        at.run()
        for _ in range(visits):
            spec = rng.choice(pages)
            at.switch_page(spec.path)
            started = time.perf_counter()
            at.run()
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                times.append(elapsed)
                errors.extend(str(e.value)[:80] for e in at.exception)
    except Exception as exc:  # a crashed session counts as an error, the load goes on
        with lock:
            errors.append(repr(exc)[:120])


def simulate_sessions(pages: list[PageSpec], sessions: int = 20, visits: int = 5) -> LoadResult:
    times: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    threads = [
        threading.Thread(target=_visitor, args=(pages, visits, i, times, errors, lock))
        for i in range(sessions)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=900)
    wall = time.perf_counter() - started
    ordered = sorted(times) or [float("nan")]
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return LoadResult(sessions, len(times), statistics.median(ordered), p95, len(errors), wall)
