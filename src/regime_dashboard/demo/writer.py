"""Bulk writes with COPY: DataFrames straight into the schema's tables."""

from __future__ import annotations

import io
import json
import uuid
from typing import Any

import pandas as pd
import psycopg
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from ..db.models import Base

__all__ = ["copy_frame", "truncate_all"]

CHUNK_ROWS = 200_000
KEEP_ON_RESET = ("data_versions",)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _json(value: Any) -> Any:
    return None if _missing(value) else json.dumps(value, sort_keys=True, default=str)


def _pg_array(value: Any) -> Any:
    if _missing(value):
        return None
    return "{" + ",".join('"' + str(v).replace('"', '\\"') + '"' for v in value) + "}"


def _encode(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """JSON, arrays and UUIDs to the text COPY expects."""
    columns = Base.metadata.tables[table].columns
    out = frame.copy()
    for name in out.columns:
        kind = columns[name].type
        if isinstance(kind, JSONB):
            out[name] = out[name].map(_json)
        elif isinstance(kind, ARRAY):
            out[name] = out[name].map(_pg_array)
        elif out[name].dtype == object and len(out) and isinstance(out[name].iloc[0], uuid.UUID):
            out[name] = out[name].map(str)
    return out


def copy_frame(conn: psycopg.Connection, table: str, frame: pd.DataFrame) -> int:
    """COPY `frame` into `table` (a table of the schema; its columns must be table columns)."""
    if table not in Base.metadata.tables:
        raise ValueError(f"unknown table {table!r}")
    if frame.empty:
        return 0
    unknown = set(frame.columns) - set(Base.metadata.tables[table].columns.keys())
    if unknown:
        raise ValueError(f"{table}: not columns of the table: {sorted(unknown)}")
    column_list = ", ".join(f'"{c}"' for c in frame.columns)
    with (
        conn.cursor() as cur,
        cur.copy(f"COPY {table} ({column_list}) FROM STDIN WITH (FORMAT csv)") as copy,
    ):
        for start in range(0, len(frame), CHUNK_ROWS):
            buffer = io.StringIO()
            _encode(frame.iloc[start : start + CHUNK_ROWS], table).to_csv(
                buffer, index=False, header=False
            )
            copy.write(buffer.getvalue())
    return len(frame)


def truncate_all(conn: psycopg.Connection) -> None:
    """Empty every table of the schema but the data-version counters."""
    tables = [t for t in Base.metadata.tables if t not in KEEP_ON_RESET]
    conn.execute("TRUNCATE " + ", ".join(tables) + " RESTART IDENTITY CASCADE")
