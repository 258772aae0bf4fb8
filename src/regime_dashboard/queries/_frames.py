"""Turning result rows into DataFrames whose columns exist even when empty."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Connection, CursorResult, Executable

__all__ = ["frame"]

UUID_TYPE_OID = 2950


def _uuid_columns(result: CursorResult) -> list[str]:
    """The result's columns of Postgres type uuid (psycopg's description names the type)."""
    description = result.cursor.description if result.cursor is not None else None
    # DB-API's description is a 7-tuple; psycopg's items also name their fields
    return [c[0] for c in description or () if c[1] == UUID_TYPE_OID]


def frame(
    conn: Connection, stmt: Executable, columns: Sequence[str], params: dict[str, Any] | None = None
) -> pd.DataFrame:
    """Execute `stmt` and return a DataFrame with exactly `columns`, in that order; uuid
    columns hold the canonical text form (None stays None).

    Rows are fetched in one call and become plain tuples: pandas builds a frame from
    100,000 SQLAlchemy Row objects some 10x slower than from the same rows as tuples, and
    iterating the result fetches row by row (a third slower for 20,000 rows). Ids as text
    compare with the string ids pages pass around, and a text column is one the shared
    cache hands out without looking at its cells (`shared_cache.share`)."""
    result = conn.execute(stmt, params or {})
    uuid_columns = _uuid_columns(result)
    rows = [tuple(row) for row in result.all()]
    data = pd.DataFrame(rows, columns=list(result.keys()))
    for name in uuid_columns:
        data[name] = pd.Series(
            [None if value is None else str(value) for value in data[name]],
            index=data.index,
            dtype=object,
        )
    return data.reindex(columns=list(columns))
