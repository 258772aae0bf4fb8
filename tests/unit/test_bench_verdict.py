"""The benchmark report's verdict names every target a page misses."""

from __future__ import annotations

from benchmarks.harness import PageResult
from benchmarks.report import _misses


def _page(**changes: float) -> PageResult:
    fields = {"cold_ms": 400.0, "warm_ms": 100.0, "sql_floor_ms": 60.0, "max_points": 300}
    fields.update(changes)
    return PageResult(slug="revenue", statements=5, **fields)


def test_a_page_inside_every_target_misses_nothing() -> None:
    # cold target = 2 x 60 + 300 = 420 ms; naive 4,000 ms is exactly 10 x 400 ms
    assert _misses(_page(naive_ms=4000.0)) == []


def test_each_missed_target_is_named() -> None:
    page = _page(warm_ms=151.0, cold_ms=421.0, max_points=5001, naive_ms=4000.0)
    assert _misses(page) == [
        "warm > 150 ms",
        "cold > 2 x floor + 300 ms",
        "trace > 5,000 points",
        "naive / cold < 10x",  # 4,000 / 421 = 9.5x
    ]


def test_pages_without_a_naive_version_are_not_held_to_the_speedup() -> None:
    assert _misses(_page(naive_ms=None)) == []
