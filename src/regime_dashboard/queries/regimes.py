"""Engine releases and their daily regime outputs, scoped to the viewer's tenants."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection, func, select

from ..db.models import Asset, EngineOutputDaily, EngineRelease, Tenant
from ..scope import TenantScope
from ._frames import frame

__all__ = ["OUTPUT_COLUMNS", "RELEASE_COLUMNS", "list_releases", "regime_series"]

RELEASE_COLUMNS = [
    "tenant_id",
    "tenant_name",
    "release_id",
    "asset_id",
    "asset_name",
    "asset_class",
    "calendar",
    "version",
    "release_date",
    "git_commit",
    "data_sha256",
    "first_date",
    "last_date",
]
OUTPUT_COLUMNS = [
    "date",
    "regime",
    "confidence",
    "conviction",
    "escalation_v2",
    "risk_level",
    "realized_vol",
    "vrs",
    "iix",
    "dsr",
    "ss",
    "mb",
    "lq",
]


def list_releases(conn: Connection, *, scope: TenantScope) -> pd.DataFrame:
    """Every release the viewer may see. Columns RELEASE_COLUMNS; first_date/last_date are
    the release's first and last output dates (None when it has no outputs)."""
    out = EngineOutputDaily
    same_release = (out.tenant_id == EngineRelease.tenant_id) & (out.release_id == EngineRelease.id)
    first = select(func.min(out.date)).where(same_release).scalar_subquery()
    last = select(func.max(out.date)).where(same_release).scalar_subquery()
    stmt = (
        select(
            EngineRelease.tenant_id,
            Tenant.name.label("tenant_name"),
            EngineRelease.id.label("release_id"),
            EngineRelease.asset_id,
            Asset.name.label("asset_name"),
            Asset.asset_class,
            Asset.calendar,
            EngineRelease.version,
            EngineRelease.release_date,
            EngineRelease.git_commit,
            EngineRelease.data_sha256,
            first.label("first_date"),
            last.label("last_date"),
        )
        .join(Tenant, Tenant.id == EngineRelease.tenant_id)
        .join(Asset, Asset.id == EngineRelease.asset_id)
        .where(scope.clause(EngineRelease.tenant_id))
        .order_by(Tenant.name, EngineRelease.asset_id, EngineRelease.version)
    )
    return frame(conn, stmt, RELEASE_COLUMNS)


def regime_series(
    conn: Connection,
    *,
    scope: TenantScope,
    tenant_id: str,
    release_id: str,
    start: dt.date,
    end: dt.date,
) -> pd.DataFrame:
    """One release's daily outputs from `start` to `end`, by date. Columns OUTPUT_COLUMNS."""
    out = EngineOutputDaily
    stmt = (
        select(*(getattr(out, c) for c in OUTPUT_COLUMNS))
        .where(
            scope.clause(out.tenant_id), out.tenant_id == tenant_id, out.release_id == release_id
        )
        .where(out.date.between(start, end))
        .order_by(out.date)
    )
    return frame(conn, stmt, OUTPUT_COLUMNS)
