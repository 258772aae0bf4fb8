"""Recording the SQL a page runs, to replay it directly as the page's SQL floor."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event

__all__ = ["Captured", "capture_sql", "replay_each", "replay_ms"]

# session set-up, not the page's reads; the data version read once per run is the page's own
# (one indexed row) and counts in its floor
_SKIP = ("SET ", "SELECT set_config", "SELECT pg_has_role")


class Captured:
    def __init__(self) -> None:
        self.statements: list[tuple[str, Any]] = []
        self._lock = threading.Lock()

    def add(self, statement: str, parameters: Any) -> None:
        if not statement.lstrip().startswith(_SKIP):
            with self._lock:
                self.statements.append((statement, parameters))


@contextmanager
def capture_sql() -> Iterator[Captured]:
    """Every statement any engine executes while the block runs (any thread)."""
    captured = Captured()

    def listener(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        captured.add(statement, parameters)

    event.listen(Engine, "before_cursor_execute", listener)
    try:
        yield captured
    finally:
        event.remove(Engine, "before_cursor_execute", listener)


def replay_each(engine: Engine, statements: list[tuple[str, Any]]) -> list[tuple[float, str, Any]]:
    """Each statement run directly (rows fetched), with its wall time in ms."""
    timed = []
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        with raw.cursor() as cursor:
            for statement, parameters in statements:
                started = time.perf_counter()
                cursor.execute(statement, parameters)
                if cursor.description:
                    cursor.fetchall()
                timed.append(((time.perf_counter() - started) * 1000, statement, parameters))
        raw.rollback()
    return timed


def replay_ms(engine: Engine, statements: list[tuple[str, Any]]) -> float:
    """The page's SQL floor: summed time of its statements run directly."""
    return sum(ms for ms, _, _ in replay_each(engine, statements))
