"""Measuring pages with AppTest in one process: cold and warm renders, SQL floor, points."""

from __future__ import annotations

import base64
import json
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from regime_dashboard import cache
from regime_dashboard.auth.gate import CLAIMS_KEY
from regime_dashboard.auth.tokens import new_claims
from regime_dashboard.navigation import PageSpec

from .capture import capture_sql, replay_ms

__all__ = ["PageError", "PageResult", "first_render", "measure_page", "new_session", "open_page"]

ROOT = Path(__file__).resolve().parents[1]
ADMIN = "admin@demo.local"


@dataclass
class PageResult:
    slug: str
    cold_ms: float
    warm_ms: float
    sql_floor_ms: float
    statements: int
    max_points: int
    naive_ms: float | None = None
    errors: int = 0
    statements_seen: tuple = field(default=(), repr=False)


def new_session(email: str = ADMIN) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state[CLAIMS_KEY] = new_claims(email, 0)  # a seeded account's first epoch
    return at


class PageError(RuntimeError):
    """A page rendered an error: its timings would measure the error box, not the page."""


def open_page(spec: PageSpec) -> AppTest:
    """A signed-in session that has run the home page and switched to `spec` (not yet run)."""
    at = new_session()
    at.run()
    at.switch_page(spec.path)
    return at


def page_errors(at: AppTest) -> list[str]:
    """The exceptions and error boxes of the last run, one line each."""
    return [str(e.value).splitlines()[0] for e in (*at.exception, *at.error) if str(e.value)]


def first_render(spec: PageSpec) -> AppTest:
    """`open_page` run once; PageError with the page's own message when it shows an error."""
    at = open_page(spec)
    at.run()
    if errors := page_errors(at):
        raise PageError(f"{spec.slug} renders an error: {errors[0]}")
    return at


def _timed_run(at: AppTest) -> float:
    started = time.perf_counter()
    at.run()
    return (time.perf_counter() - started) * 1000


def _trace_points(trace: dict[str, Any]) -> int:
    longest = 0
    for key in ("x", "y", "close", "z", "values"):
        value = trace.get(key)
        if isinstance(value, dict) and "bdata" in value:
            longest = max(
                longest, len(base64.b64decode(value["bdata"])) // _itemsize(value["dtype"])
            )
        elif isinstance(value, list):
            longest = max(longest, len(value))
    return longest


def _itemsize(dtype: str) -> int:
    import numpy as np

    return np.dtype(dtype).itemsize


def max_points(at: AppTest) -> int:
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    return max((_trace_points(t) for s in specs for t in s.get("data", [])), default=0)


def measure_page(spec: PageSpec, engine: Engine, runs: int) -> PageResult:
    """Median cold (data cache cleared) and warm renders, and the SQL floor of a cold render.
    Raises PageError at once when the page cannot render."""
    at = first_render(spec)
    cold, warm, floors = [], [], []
    for _ in range(runs):
        cache.clear()
        with capture_sql() as captured:
            cold.append(_timed_run(at))
        warm.append(_timed_run(at))
        floors.append(replay_ms(engine, captured.statements))
    errors = len(at.exception) + len(at.error)
    return PageResult(
        slug=spec.slug,
        cold_ms=statistics.median(cold),
        warm_ms=statistics.median(warm),
        sql_floor_ms=statistics.median(floors),
        statements=len(captured.statements),
        max_points=max_points(at),
        errors=errors,
        statements_seen=tuple(captured.statements),
    )
