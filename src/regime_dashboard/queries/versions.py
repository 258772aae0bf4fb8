"""The dashboard's data version: one row that every dashboard edit and import bumps in its
own transaction, and that is part of every cache key (cache.py)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, select, update

from ..db.models import DataVersion

__all__ = ["DASHBOARD", "bump_data_version", "read_data_version"]

DASHBOARD = "dashboard"


def read_data_version(conn: Connection) -> int:
    """The current version (0 before the first bump)."""
    found = conn.execute(select(DataVersion.version).where(DataVersion.scope == DASHBOARD))
    return int(found.scalar() or 0)


def bump_data_version(conn: Connection) -> None:
    """Tell every cached query that the data changed (same transaction as the change)."""
    conn.execute(
        update(DataVersion)
        .where(DataVersion.scope == DASHBOARD)
        .values(version=DataVersion.version + 1, updated_at=dt.datetime.now(dt.UTC))
    )
