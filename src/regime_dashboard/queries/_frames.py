"""Turning result rows into DataFrames that keep their module's declared contract.

A query module declares each result as a contract, `{"column": "dtype"}` in result order
(the metrics' style), with pandas' names as `str(frame[column].dtype)` prints them for a
column without NULLs: "str" text, "int64" integers (counts, cents), "float64" floats and
numerics, "bool" booleans, "datetime64[us, UTC]" timestamptz (converted to UTC whatever
the server's TimeZone), and "object" dates (`datetime.date`), uuids (their text) and
JSON values (dicts, lists).

`frame` promises: exactly the contract's columns, in its order; in a result with rows,
each column has its declared dtype but where pandas' NULL rules apply (a NULL makes an
int64 column float64 and a bool one object; a column of NULLs only is object); an empty
result has the declared dtypes. tests/db/test_query_contracts.py runs every query on the
demo database and checks its result against its contract.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Connection, CursorResult, Executable

__all__ = ["Contract", "frame"]

Contract = Mapping[str, str]  # column -> dtype, in result order
UUID_TYPE_OID = 2950


def _uuid_columns(result: CursorResult) -> list[str]:
    """The result's columns of Postgres type uuid (psycopg's description names the type)."""
    description = result.cursor.description if result.cursor is not None else None
    # DB-API's description is a 7-tuple; psycopg's items also name their fields
    return [c[0] for c in description or () if c[1] == UUID_TYPE_OID]


def _in_utc(data: pd.DataFrame) -> None:
    """Convert every tz-aware timestamp column to UTC, in place: psycopg labels them with
    the session's TimeZone (e.g. Etc/UTC), which would make the dtype the server's choice."""
    for name, dtype in data.dtypes.items():
        if isinstance(dtype, pd.DatetimeTZDtype) and str(dtype.tz) != "UTC":
            data[name] = data[name].dt.tz_convert("UTC")


def frame(
    conn: Connection,
    stmt: Executable,
    columns: Contract | Sequence[str],
    params: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Execute `stmt` and return a DataFrame with exactly the contract's columns, in its
    order (module docstring: dtypes, and an empty result typed as declared); uuid columns
    hold the canonical text form (None stays None). A plain list of names (no dtypes) is
    still accepted: its empty results are untyped.

    Rows are fetched in one call and become plain tuples: pandas builds a frame from
    100,000 SQLAlchemy Row objects some 10x slower than from the same rows as tuples, and
    iterating the result fetches row by row (a third slower for 20,000 rows). Ids as text
    compare with the string ids pages pass around, and a text column is one the shared
    cache hands out without looking at its cells (`shared_cache.share`)."""
    result = conn.execute(stmt, dict(params or {}))
    uuid_columns = _uuid_columns(result)
    rows = [tuple(row) for row in result.all()]
    data = pd.DataFrame(rows, columns=list(result.keys()))
    for name in uuid_columns:
        data[name] = pd.Series(
            [None if value is None else str(value) for value in data[name]],
            index=data.index,
            dtype=object,
        )
    data = data.reindex(columns=list(columns))
    _in_utc(data)
    if isinstance(columns, Mapping) and len(data) == 0:
        return data.astype(dict(columns))
    return data
