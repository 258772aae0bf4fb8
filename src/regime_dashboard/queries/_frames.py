"""Turning result rows into DataFrames whose columns exist even when empty."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Executable

__all__ = ["frame"]


def frame(
    conn: Connection, stmt: Executable, columns: Sequence[str], params: dict[str, Any] | None = None
) -> pd.DataFrame:
    """Execute `stmt` and return a DataFrame with exactly `columns`, in that order.

    Rows become plain tuples first: pandas builds a frame from 100,000 SQLAlchemy Row
    objects some 10x slower than from the same rows as tuples (benchmarks/, docs)."""
    result = conn.execute(stmt, params or {})
    rows = [tuple(row) for row in result]
    return pd.DataFrame(rows, columns=list(result.keys())).reindex(columns=list(columns))
