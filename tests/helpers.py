"""Small helpers shared by the database and page tests."""

from __future__ import annotations

import base64
from typing import Any

import numpy as np
import psycopg
from sqlalchemy.engine import make_url

from regime_dashboard.db.engine import libpq_dsn

__all__ = ["plotly_values", "sql"]


def sql(url: str, query: str, *params: object) -> list[tuple]:
    """Run one statement on the database at `url` and return its rows (none for writes)."""
    with psycopg.connect(libpq_dsn(make_url(url))) as conn:
        result = conn.execute(query, params)
        return result.fetchall() if result.description else []


def plotly_values(field: Any) -> np.ndarray:
    """A Plotly JSON array: a plain list, or a {"dtype", "bdata"} base64 numpy buffer."""
    if isinstance(field, dict) and "bdata" in field:
        return np.frombuffer(base64.b64decode(field["bdata"]), dtype=field["dtype"])
    return np.asarray(field)
