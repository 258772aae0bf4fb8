"""The dashboard's data version: one row that every dashboard edit and import bumps in its
own transaction, and that is part of every cache key (cache.py)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, Update, select, update

from ..db.models import DataVersion

__all__ = ["DASHBOARD", "bump_data_version", "data_version_bump", "read_data_version"]

DASHBOARD = "dashboard"


def read_data_version(conn: Connection) -> int:
    """The current version (0 before the first bump)."""
    found = conn.execute(select(DataVersion.version).where(DataVersion.scope == DASHBOARD))
    return int(found.scalar() or 0)


def data_version_bump() -> Update:
    """The statement that bumps the version: `bump_data_version` runs it, and the demo
    seeder runs it (compiled) on the psycopg connection of its COPY transaction."""
    return (
        update(DataVersion)
        .where(DataVersion.scope == DASHBOARD)
        .values(version=DataVersion.version + 1, updated_at=dt.datetime.now(dt.UTC))
    )


def bump_data_version(conn: Connection) -> None:
    """Tell every cached query that the data changed (same transaction as the change)."""
    conn.execute(data_version_bump())
