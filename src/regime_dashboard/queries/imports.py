"""Writes of the CSV imports: assets, bars and engine outputs, upserted by primary key."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, select, update
from sqlalchemy.dialects.postgresql import insert

from ..db.models import Asset, EngineOutputDaily, EngineRelease, PriceBar, Tenant
from .versions import bump_data_version

__all__ = [
    "bump_data_version",
    "ensure_asset",
    "ensure_release",
    "tenant_id_by_name",
    "upsert_bars",
    "upsert_outputs",
]

BATCH = 5_000


def tenant_id_by_name(conn: Connection, name: str) -> uuid.UUID | None:
    return conn.execute(select(Tenant.id).where(Tenant.name == name)).scalar_one_or_none()


def ensure_asset(conn: Connection, *, asset_id: str, asset_class: str, calendar: str) -> bool:
    """Create the asset if it is unknown; returns True when it was created."""
    stmt = insert(Asset).values(
        id=asset_id, name=asset_id, asset_class=asset_class, calendar=calendar
    )
    return conn.execute(stmt.on_conflict_do_nothing(index_elements=["id"])).rowcount == 1


def _upsert(conn: Connection, table: Any, rows: Sequence[dict[str, Any]], keys: list[str]) -> int:
    for start in range(0, len(rows), BATCH):
        stmt = insert(table).values(list(rows[start : start + BATCH]))
        updates = {c: stmt.excluded[c] for c in rows[0] if c not in keys}
        conn.execute(stmt.on_conflict_do_update(index_elements=keys, set_=updates))
    return len(rows)


def upsert_bars(
    conn: Connection, *, asset_id: str, rows: Sequence[dict[str, Any]], source: str
) -> int:
    now = dt.datetime.now(dt.UTC)
    full = [
        {
            "adj_close": None,
            "volume": None,
            **r,
            "asset_id": asset_id,
            "source": source,
            "ingested_at": now,
        }
        for r in rows
    ]
    return _upsert(conn, PriceBar.__table__, full, ["asset_id", "date"])


def ensure_release(
    conn: Connection,
    *,
    tenant_id: uuid.UUID,
    asset_id: str,
    version: str,
    release_date: dt.date,
    git_commit: str | None,
) -> tuple[uuid.UUID, bool]:
    """The release (tenant, asset, version), created if missing; returns (id, created)."""
    found = conn.execute(
        select(EngineRelease.id).where(
            EngineRelease.tenant_id == tenant_id,
            EngineRelease.asset_id == asset_id,
            EngineRelease.version == version,
        )
    ).scalar_one_or_none()
    if found is not None:
        return found, False
    release_id = uuid.uuid4()
    conn.execute(
        insert(EngineRelease).values(
            id=release_id,
            tenant_id=tenant_id,
            asset_id=asset_id,
            version=version,
            release_date=release_date,
            git_commit=git_commit,
            env_json={"source": "csv import"},
        )
    )
    return release_id, True


def set_release_hash(
    conn: Connection, *, tenant_id: uuid.UUID, release_id: uuid.UUID, data_sha256: str | None
) -> None:
    conn.execute(
        update(EngineRelease)
        .where(EngineRelease.tenant_id == tenant_id, EngineRelease.id == release_id)
        .values(data_sha256=data_sha256)
    )


def upsert_outputs(
    conn: Connection, *, tenant_id: uuid.UUID, release_id: uuid.UUID, rows: Sequence[dict[str, Any]]
) -> int:
    fields = [c.name for c in EngineOutputDaily.__table__.columns]
    full = [
        {**{f: None for f in fields}, **r, "tenant_id": tenant_id, "release_id": release_id}
        for r in rows
    ]
    return _upsert(conn, EngineOutputDaily.__table__, full, ["tenant_id", "release_id", "date"])


__all__ += ["set_release_hash"]
