"""Small helpers shared by the database and page tests."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import psycopg
from sqlalchemy import Connection, create_engine
from sqlalchemy.engine import make_url

from regime_dashboard.db.engine import libpq_dsn
from regime_dashboard.viewer import Viewer

__all__ = ["filled", "one", "plotly_values", "sql", "viewer"]


def sql(url: str, query: str, *params: object) -> list[tuple]:
    """Run one statement on the database at `url` and return its rows (none for writes)."""
    with psycopg.connect(libpq_dsn(make_url(url))) as conn:
        result = conn.execute(query, params)
        return result.fetchall() if result.description else []


def one(url: str, query: str, *params: object) -> Any:
    """The first column of the first row of `query`."""
    return sql(url, query, *params)[0][0]


def viewer(url: str, email: str, role: str) -> Viewer:
    """The viewer a sign-in of the seeded account `email` with `role` gives."""
    row = sql(url, "SELECT id::text, display_name FROM users WHERE email = %s", email)[0]
    tenants = sql(
        url, "SELECT tenant_id::text FROM tenant_users WHERE user_id = %s ORDER BY 1", row[0]
    )
    return Viewer(row[0], email, row[1], frozenset({role}), tuple(t for (t,) in tenants))


def filled(url: str, *fills: Callable[[psycopg.Connection], None]) -> Iterator[Connection]:
    """A SQLAlchemy connection to the database at `url` after `fills` wrote their rows
    (each given a psycopg connection, committed together): for query-test fixtures."""
    with psycopg.connect(libpq_dsn(make_url(url))) as raw:
        for fill in fills:
            fill(raw)
    engine = create_engine(url)
    with engine.connect() as conn:
        yield conn
    engine.dispose()


def plotly_values(field: Any) -> np.ndarray:
    """A Plotly JSON array: a plain list, or a {"dtype", "bdata"} base64 numpy buffer."""
    if isinstance(field, dict) and "bdata" in field:
        return np.frombuffer(base64.b64decode(field["bdata"]), dtype=field["dtype"])
    return np.asarray(field)
