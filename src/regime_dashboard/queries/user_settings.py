"""One user's settings document per (tenant, asset): `user_asset_settings.settings_json`
(docs/user-settings.md). Every statement names the user (the signed-in viewer's id, a bound
parameter) and the viewer's tenant scope: a user reads and writes only their own documents.
Reads return the document as stored (any JSON value); `user_settings.parse` judges it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import Connection, and_, select, update
from sqlalchemy.dialects.postgresql import insert

from ..db.models import Asset, Tenant, UserAssetSetting
from ..scope import TenantScope
from ._frames import frame

__all__ = [
    "DOCUMENT_COLUMNS",
    "TENANT_COLUMNS",
    "USER_DOCUMENT_COLUMNS",
    "asset_exists",
    "documents_of",
    "lock_document",
    "scope_tenants",
    "settings_document",
    "write_document",
]

DOCUMENT_COLUMNS = {"settings_json": "object"}
TENANT_COLUMNS = {"tenant_id": "object", "tenant_name": "str"}
USER_DOCUMENT_COLUMNS = {"tenant_id": "object", "asset_id": "str", "settings_json": "object"}


def _mine(scope: TenantScope, tenant_id: str, user_id: str, asset_id: str) -> Any:
    s = UserAssetSetting
    return and_(
        scope.clause(s.tenant_id),
        s.tenant_id == tenant_id,
        s.user_id == user_id,
        s.asset_id == asset_id,
    )


def settings_document(
    conn: Connection, *, scope: TenantScope, tenant_id: str, user_id: str, asset_id: str
) -> pd.DataFrame:
    """`user_id`'s document for `asset_id` in `tenant_id`: one row, or none when the user has
    none yet. Columns DOCUMENT_COLUMNS (settings_json as stored: any JSON value)."""
    stmt = select(UserAssetSetting.settings_json).where(_mine(scope, tenant_id, user_id, asset_id))
    return frame(conn, stmt, DOCUMENT_COLUMNS)


def documents_of(conn: Connection, *, scope: TenantScope, user_id: str) -> pd.DataFrame:
    """Every document of `user_id` in `scope`, by tenant and asset. Columns
    USER_DOCUMENT_COLUMNS (settings_json as stored)."""
    s = UserAssetSetting
    stmt = (
        select(s.tenant_id, s.asset_id, s.settings_json)
        .where(scope.clause(s.tenant_id), s.user_id == user_id)
        .order_by(s.tenant_id, s.asset_id)
    )
    return frame(conn, stmt, USER_DOCUMENT_COLUMNS)


def asset_exists(conn: Connection, *, asset_id: str) -> bool:
    """Whether `asset_id` is a known asset (assets are shared by every tenant)."""
    return conn.execute(select(Asset.id).where(Asset.id == asset_id)).first() is not None


def lock_document(
    conn: Connection,
    *,
    scope: TenantScope,
    tenant_id: str,
    user_id: str,
    asset_id: str,
    created_at: dt.datetime | None = None,
) -> Any:
    """Create `user_id`'s document (`{}`, created at `created_at`, default now) when missing,
    lock its row for this transaction and return it as stored. Two writers of one document
    queue here instead of losing an edit."""
    if not scope.allows(tenant_id):
        raise PermissionError("tenant outside the viewer's scope")
    row: dict[str, Any] = {"tenant_id": tenant_id, "user_id": user_id, "asset_id": asset_id}
    if created_at is not None:
        row["created_at"] = created_at
    conn.execute(insert(UserAssetSetting).values(row).on_conflict_do_nothing())
    stmt = (
        select(UserAssetSetting.settings_json)
        .where(_mine(scope, tenant_id, user_id, asset_id))
        .with_for_update()
    )
    return conn.execute(stmt).scalar_one()


def write_document(
    conn: Connection,
    *,
    scope: TenantScope,
    tenant_id: str,
    user_id: str,
    asset_id: str,
    document: dict[str, Any],
) -> int:
    """Replace `user_id`'s document (locked by `lock_document`); returns rows written (1)."""
    stmt = (
        update(UserAssetSetting)
        .where(_mine(scope, tenant_id, user_id, asset_id))
        .values(settings_json=document)
    )
    return int(conn.execute(stmt).rowcount or 0)


def scope_tenants(conn: Connection, *, scope: TenantScope) -> pd.DataFrame:
    """The tenants in `scope`, by name (where a page without a tenant picker, such as
    Prices, lets the viewer choose one for the watchlist). Columns TENANT_COLUMNS."""
    stmt = (
        select(Tenant.id.label("tenant_id"), Tenant.name.label("tenant_name"))
        .where(scope.clause(Tenant.id))
        .order_by(Tenant.name)
    )
    return frame(conn, stmt, TENANT_COLUMNS)
