"""Alerts (docs/user-settings.md): the rules' documents, releases and outputs the evaluator
reads, the firings it writes to `notifications` (once each: `dedup_key` is unique per
tenant), how far each rule has read each release (`alert_evaluations`), webhook deliveries,
and a user's own unread alerts.

Every function takes the tenant scope (the evaluator passes `TenantScope.everything()`);
the viewer's reads and writes also name the user (the signed-in viewer's id, a bound
parameter), so a user reads and marks only their own notifications."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import (
    Connection,
    Double,
    Integer,
    and_,
    cast,
    exists,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert

from ..db.models import (
    AlertEvaluation,
    Asset,
    EngineOutputDaily,
    EngineRelease,
    Notification,
    Tenant,
    TenantUser,
    User,
    UserAssetSetting,
)
from ..scope import TenantScope
from ._frames import frame
from .dates import supported

__all__ = [
    "ALERT_COLUMNS",
    "COUNT_COLUMNS",
    "DELIVERY_COLUMNS",
    "EVALUATION_LOCK",
    "MARK_COLUMNS",
    "OUTPUT_COLUMNS",
    "RELEASE_COLUMNS",
    "RULE_DOCUMENT_COLUMNS",
    "evaluation_marks",
    "insert_alerts",
    "mark_read",
    "outputs_from",
    "pending_deliveries",
    "record_delivery",
    "release_evaluation_lock",
    "rule_documents",
    "rule_releases",
    "save_marks",
    "try_evaluation_lock",
    "unread_alerts",
    "unread_count",
]

# pg_try_advisory_lock key of `regime-dashboard alerts run` ("alerts" in ASCII)
EVALUATION_LOCK = 0x616C65727473
ALERT_CHANNEL = "in_app"

RULE_DOCUMENT_COLUMNS = {
    "tenant_id": "object",
    "user_id": "object",
    "asset_id": "str",
    "settings_json": "object",
}
RELEASE_COLUMNS = {
    "tenant_id": "object",
    "tenant_name": "str",
    "release_id": "object",
    "asset_id": "str",
    "asset_name": "str",
    "version": "str",
    "data_sha256": "str",
    "first_date": "object",
    "last_date": "object",
}
MARK_COLUMNS = {
    "tenant_id": "object",
    "user_id": "object",
    "asset_id": "str",
    "rule_key": "str",
    "release_id": "object",
    "evaluated_until": "object",
}
OUTPUT_COLUMNS = {
    "date": "object",
    "regime": "str",
    "confidence": "float64",
    "conviction": "str",
}
DELIVERY_COLUMNS = {
    "notification_id": "object",
    "tenant_id": "object",
    "user_id": "object",
    "payload": "object",
    "attempts": "int64",
    "settings_json": "object",
}
ALERT_COLUMNS = {
    "notification_id": "object",
    "tenant_id": "object",
    "tenant_name": "str",
    "kind": "str",
    "asset_id": "str",
    "version": "str",
    "date": "str",
    "from_value": "str",
    "to_value": "str",
    "confidence": "float64",
    "text": "str",
    "created_at": "datetime64[us, UTC]",
}
COUNT_COLUMNS = {"unread": "int64"}


def try_evaluation_lock(conn: Connection) -> bool:
    """Take the evaluator's session-level advisory lock, without waiting: False when another
    run (this host or another) holds it."""
    found = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": EVALUATION_LOCK})
    return bool(found.scalar())


def release_evaluation_lock(conn: Connection) -> None:
    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": EVALUATION_LOCK})


def _alerting_documents(scope: TenantScope) -> Any:
    """Documents holding an `alerts` key, of active users still allowed to see the tenant
    (a member, or an admin)."""
    s = UserAssetSetting
    member = exists().where(TenantUser.tenant_id == s.tenant_id, TenantUser.user_id == s.user_id)
    admin = User.dashboard_roles.contains(["admin"])
    return (
        select(s.tenant_id, s.user_id, s.asset_id, s.settings_json)
        .join(User, User.id == s.user_id)
        .where(scope.clause(s.tenant_id), User.is_active, or_(member, admin))
        .where(func.jsonb_typeof(s.settings_json) == "object", s.settings_json.has_key("alerts"))
    )


def rule_documents(conn: Connection, *, scope: TenantScope) -> pd.DataFrame:
    """Every document that may hold alert rules (see `_alerting_documents`), by tenant, user
    and asset. Columns RULE_DOCUMENT_COLUMNS (settings_json as stored)."""
    docs = _alerting_documents(scope).subquery()
    stmt = select(*docs.c).order_by(docs.c.tenant_id, docs.c.user_id, docs.c.asset_id)
    return frame(conn, stmt, RULE_DOCUMENT_COLUMNS)


def rule_releases(conn: Connection, *, scope: TenantScope) -> pd.DataFrame:
    """Every release of an asset that some document of its tenant has rules for, with its
    first and last output date in dates.FIRST..LAST (None without outputs). Columns
    RELEASE_COLUMNS, by tenant, asset, version."""
    rel, out = EngineRelease, EngineOutputDaily
    docs = _alerting_documents(scope).subquery()
    wanted = exists().where(docs.c.tenant_id == rel.tenant_id, docs.c.asset_id == rel.asset_id)
    mine = and_(out.tenant_id == rel.tenant_id, out.release_id == rel.id, supported(out.date))
    first = select(func.min(out.date)).where(mine).scalar_subquery()
    last = select(func.max(out.date)).where(mine).scalar_subquery()
    stmt = (
        select(
            rel.tenant_id,
            Tenant.name.label("tenant_name"),
            rel.id.label("release_id"),
            rel.asset_id,
            Asset.name.label("asset_name"),
            rel.version,
            rel.data_sha256,
            first.label("first_date"),
            last.label("last_date"),
        )
        .join(Tenant, Tenant.id == rel.tenant_id)
        .join(Asset, Asset.id == rel.asset_id)
        .where(scope.clause(rel.tenant_id), wanted)
        .order_by(rel.tenant_id, rel.asset_id, rel.version)
    )
    return frame(conn, stmt, RELEASE_COLUMNS)


def evaluation_marks(conn: Connection, *, scope: TenantScope) -> pd.DataFrame:
    """How far every rule has evaluated every release. Columns MARK_COLUMNS."""
    e = AlertEvaluation
    stmt = select(*(getattr(e, c) for c in MARK_COLUMNS)).where(scope.clause(e.tenant_id))
    return frame(conn, stmt, MARK_COLUMNS)


def outputs_from(
    conn: Connection, *, scope: TenantScope, tenant_id: str, release_id: str, start: dt.date
) -> pd.DataFrame:
    """A release's outputs dated from `start` on (in dates.FIRST..LAST), preceded by its last
    output before `start` when there is one (what the first day is compared with), by date.
    Columns OUTPUT_COLUMNS."""
    out = EngineOutputDaily
    mine = (
        scope.clause(out.tenant_id),
        out.tenant_id == tenant_id,
        out.release_id == release_id,
        supported(out.date),
    )
    before = select(func.max(out.date)).where(*mine, out.date < start).scalar_subquery()
    stmt = (
        select(*(getattr(out, c) for c in OUTPUT_COLUMNS))
        .where(*mine, out.date >= func.coalesce(before, start))
        .order_by(out.date)
    )
    return frame(conn, stmt, OUTPUT_COLUMNS)


def insert_alerts(
    conn: Connection, *, scope: TenantScope, rows: Sequence[dict[str, Any]]
) -> list[str]:
    """Write firings to `notifications`, each at most once: a row whose (tenant_id,
    dedup_key) is already there is skipped. Each row: id, tenant_id, user_id, type, payload,
    dedup_key, delivery_status, and optionally created_at. Returns the ids written."""
    allowed = [dict(r, channel=ALERT_CHANNEL) for r in rows if scope.allows(r["tenant_id"])]
    if not allowed:
        return []
    stmt = insert(Notification).values(allowed).on_conflict_do_nothing()
    return [str(i) for i in conn.execute(stmt.returning(Notification.id)).scalars()]


def save_marks(conn: Connection, *, scope: TenantScope, rows: Sequence[dict[str, Any]]) -> None:
    """Record how far rules have read releases (MARK_COLUMNS rows); a mark only moves on."""
    allowed = [r for r in rows if scope.allows(r["tenant_id"])]
    if not allowed:
        return
    stmt = insert(AlertEvaluation).values(allowed)
    until = func.greatest(AlertEvaluation.evaluated_until, stmt.excluded.evaluated_until)
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=["tenant_id", "user_id", "asset_id", "rule_key", "release_id"],
            set_={"evaluated_until": until},
        )
    )


def pending_deliveries(conn: Connection, *, scope: TenantScope) -> pd.DataFrame:
    """Alerts whose webhook POST is still to be made, with the document of their rule (its
    webhook_url is where they go), oldest first. Columns DELIVERY_COLUMNS."""
    n, s = Notification, UserAssetSetting
    doc = and_(
        s.tenant_id == n.tenant_id,
        s.user_id == n.user_id,
        s.asset_id == n.payload["asset_id"].astext,
    )
    stmt = (
        select(
            n.id.label("notification_id"),
            n.tenant_id,
            n.user_id,
            n.payload,
            n.delivery_attempts.label("attempts"),
            s.settings_json,
        )
        .outerjoin(s, doc)
        .where(scope.clause(n.tenant_id), n.delivery_status == "pending")
        .order_by(n.created_at, n.id)
    )
    return frame(conn, stmt, DELIVERY_COLUMNS)


def record_delivery(
    conn: Connection,
    *,
    scope: TenantScope,
    tenant_id: str,
    notification_id: str,
    status: str,
    attempts: int,
    error: str | None,
) -> None:
    """Record a webhook delivery's outcome ('delivered' or 'failed')."""
    n = Notification
    conn.execute(
        update(n)
        .where(scope.clause(n.tenant_id), n.tenant_id == tenant_id, n.id == notification_id)
        .values(delivery_status=status, delivery_attempts=attempts, delivery_error=error)
    )


def _unread(scope: TenantScope, user_id: str) -> tuple[Any, ...]:
    n = Notification
    return (
        scope.clause(n.tenant_id),
        n.user_id == user_id,
        n.read_at.is_(None),
        n.dedup_key.is_not(None),
    )


def unread_alerts(
    conn: Connection, *, scope: TenantScope, user_id: str, limit: int
) -> pd.DataFrame:
    """`user_id`'s unread alerts in `scope`, newest first (at most `limit`). Columns
    ALERT_COLUMNS: kind is the rule's kind; date the output date (ISO text); from_value and
    to_value what changed (regimes, convictions, or confidences as text); text the message
    also sent to the webhook."""
    n = Notification
    p = n.payload
    stmt = (
        select(
            n.id.label("notification_id"),
            n.tenant_id,
            Tenant.name.label("tenant_name"),
            n.type.label("kind"),
            p["asset_id"].astext.label("asset_id"),
            p["version"].astext.label("version"),
            p["date"].astext.label("date"),
            p["from"].astext.label("from_value"),
            p["to"].astext.label("to_value"),
            cast(p["confidence"].astext, Double).label("confidence"),
            p["text"].astext.label("text"),
            n.created_at,
        )
        .join(Tenant, Tenant.id == n.tenant_id)
        .where(*_unread(scope, user_id))
        .order_by(n.created_at.desc(), p["date"].astext.desc(), n.id)
        .limit(limit)
    )
    return frame(conn, stmt, ALERT_COLUMNS)


def unread_count(conn: Connection, *, scope: TenantScope, user_id: str) -> pd.DataFrame:
    """How many unread alerts `user_id` has in `scope`: one row. Columns COUNT_COLUMNS."""
    stmt = select(cast(func.count(), Integer).label("unread")).where(*_unread(scope, user_id))
    return frame(conn, stmt, COUNT_COLUMNS)


def mark_read(
    conn: Connection, *, scope: TenantScope, user_id: str, notification_ids: Sequence[str]
) -> int:
    """Mark `user_id`'s own alerts among `notification_ids` read; ids of other users' or
    outside `scope` change nothing. Returns the rows marked."""
    if not notification_ids:
        return 0
    n = Notification
    stmt = (
        update(n)
        .where(*_unread(scope, user_id), n.id.in_(list(notification_ids)))
        .values(read_at=func.now())
    )
    return int(conn.execute(stmt).rowcount or 0)
