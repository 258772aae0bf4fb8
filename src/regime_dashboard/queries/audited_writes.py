"""The writes of admin edits with their audit rows, on the connection of
`cache.write_transaction` (the edit, its audit_log rows and the data-version bump commit
together). One function per table and kind of edit, each taking typed values.

A service locks each row it edits once (`lock_*`: one SELECT … FOR UPDATE) and hands the
locked row to the write, which changes it from that version and writes its audit row. Rows
are read as Python values; they become JSON once, for the audit log (`jsonable`)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from decimal import Decimal
from typing import Any, TypedDict
from typing import cast as as_type

import pandas as pd
from sqlalchemy import (
    BigInteger,
    Connection,
    Date,
    DateTime,
    Select,
    Table,
    Text,
    Uuid,
    cast,
    delete,
    func,
    insert,
    select,
)
from sqlalchemy import update as sql_update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from ..db import models
from ..db.models import AuditLog, Tenant, TenantUser, User
from ..viewer import Viewer

__all__ = [
    "LIVE_STATUSES",
    "PLAN_VALUE_COLUMNS",
    "REVERTABLE_TABLES",
    "OverrideValues",
    "PlanValues",
    "Row",
    "TenantChanges",
    "Written",
    "append_subscription_event",
    "delete_member_row",
    "delete_override_row",
    "first_revert",
    "insert_member_row",
    "insert_override_row",
    "insert_plan_row",
    "jsonable",
    "last_event_at",
    "lock_audit_entry",
    "lock_audited_row",
    "lock_live_subscription",
    "lock_live_subscriptions",
    "lock_member",
    "lock_override",
    "lock_plan",
    "lock_tenant",
    "owner_count",
    "plan_row",
    "revert_row",
    "tenant_name_taken",
    "update_member_role",
    "update_override_row",
    "update_plan_row",
    "update_subscription_row",
    "update_tenant_row",
    "user_id_by_email",
]

Row = dict[str, Any]
LIVE_STATUSES = ("trialing", "active", "past_due")
PLAN_VALUE_COLUMNS = {
    "name": "str",
    "price_monthly_cents": "int64",
    "price_annual_cents": "float64",  # NaN: no annual price
    "currency": "str",
    "features_json": "object",
    "limits_json": "object",
}

_PLANS, _TENANTS, _SUBSCRIPTIONS, _EVENTS, _OVERRIDES, _MEMBERS = (
    as_type(Table, model.__table__)
    for model in (
        models.Plan,
        Tenant,
        models.Subscription,
        models.SubscriptionEvent,
        models.TenantQuotaOverride,
        TenantUser,
    )
)
# The audit log names rows by table: a revert finds its table here.
_AUDITED = {t.name: t for t in (_PLANS, _TENANTS, _SUBSCRIPTIONS, _EVENTS, _OVERRIDES, _MEMBERS)}
REVERTABLE_TABLES = ("plans", "tenants", "subscriptions", "tenant_quota_overrides", "tenant_users")


@dataclass(frozen=True)
class PlanValues:
    """Every editable field of a plan as stored (prices in integer cents; no annual price is
    None). The demo catalogue and the admin edit both build plans from it."""

    name: str
    price_monthly_cents: int
    price_annual_cents: int | None
    currency: str
    features_json: dict[str, bool | int | str]
    limits_json: dict[str, int | None]

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> PlanValues:
        """The editable fields of a stored plan (a plans_overview row: NaN = no price)."""
        found = {f.name: row[f.name] for f in fields(cls)}
        for price in ("price_monthly_cents", "price_annual_cents"):
            found[price] = (
                None if found[price] is None or pd.isna(found[price]) else int(found[price])
            )
        return cls(**found)


class TenantChanges(TypedDict, total=False):
    name: str
    settings_json: dict[str, Any]


class OverrideValues(TypedDict):
    limit_value: int | None
    reason: str
    expires_at: dt.datetime | None


@dataclass(frozen=True)
class Written:
    """One audited write: its table, the row after it (Python values; None when deleted),
    the same as JSON (as audit_log holds it) and the id of its audit_log row."""

    table: str
    row: Row | None
    json: Row | None
    audit_id: int


# ---------------------------------------------------------------- JSON, for the audit log


def _to_json(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date | uuid.UUID):
        return str(value)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def jsonable(row: Mapping[str, Any]) -> Row:
    """A row as JSON-ready values (UTC ISO timestamps, uuid strings)."""
    return {str(k): _to_json(v) for k, v in row.items()}


def _from_json(table: Table, data: Mapping[str, Any]) -> Row:
    """A row of the audit log (JSON) back in the column types of `table`: reverts only."""
    typed: Row = {}
    for name, value in data.items():
        kind = table.c[name].type
        if isinstance(value, str) and isinstance(kind, DateTime):
            typed[name] = dt.datetime.fromisoformat(value)
        elif isinstance(value, str) and isinstance(kind, Date):
            typed[name] = dt.date.fromisoformat(value)
        elif isinstance(value, str) and isinstance(kind, Uuid):
            typed[name] = uuid.UUID(value)
        else:
            typed[name] = value
    return typed


# ---------------------------------------------------------------- locks and reads in a write


def _first(conn: Connection, stmt: Any) -> Row | None:
    found = conn.execute(stmt).mappings().first()
    return None if found is None else dict(found)


def _key(table: Table, row: Mapping[str, Any]) -> list[Any]:
    return [column == row[column.name] for column in table.primary_key.columns]


def _lock(conn: Connection, table: Table, key: Mapping[str, Any]) -> Row | None:
    return _first(conn, select(table).where(*_key(table, key)).with_for_update())


def lock_plan(conn: Connection, plan_id: str) -> Row | None:
    """The plan row, locked FOR UPDATE (None: no such plan)."""
    return _lock(conn, _PLANS, {"id": plan_id})


def lock_tenant(conn: Connection, tenant_id: str) -> Row | None:
    """The tenant row, locked FOR UPDATE so that edits of one tenant run one at a time."""
    return _lock(conn, _TENANTS, {"id": uuid.UUID(tenant_id)})


def lock_override(conn: Connection, tenant_id: str, metric: str) -> Row | None:
    return _lock(conn, _OVERRIDES, {"tenant_id": uuid.UUID(tenant_id), "metric": metric})


def lock_member(conn: Connection, tenant_id: str, user_id: str) -> Row | None:
    return _lock(conn, _MEMBERS, {"tenant_id": uuid.UUID(tenant_id), "user_id": uuid.UUID(user_id)})


def _live(stmt: Select) -> Select:
    return stmt.where(_SUBSCRIPTIONS.c.status.in_(LIVE_STATUSES)).with_for_update()


def lock_live_subscriptions(conn: Connection, plan_id: str) -> list[Row]:
    """Live (trialing, active, past_due) subscriptions on a plan, locked FOR UPDATE."""
    s = _SUBSCRIPTIONS.c
    stmt = _live(select(_SUBSCRIPTIONS).where(s.plan_id == plan_id).order_by(s.tenant_id, s.id))
    return [dict(r) for r in conn.execute(stmt).mappings()]


def lock_live_subscription(conn: Connection, tenant_id: str) -> Row | None:
    """The tenant's live subscription (the latest started), locked FOR UPDATE."""
    s = _SUBSCRIPTIONS.c
    stmt = select(_SUBSCRIPTIONS).where(s.tenant_id == uuid.UUID(tenant_id))
    return _first(conn, _live(stmt.order_by(s.started_at.desc()).limit(1)))


def lock_audit_entry(conn: Connection, audit_id: int) -> Row | None:
    """One audit_log row, locked so that two reverts of it run one after the other."""
    return _first(conn, select(AuditLog.__table__).where(AuditLog.id == audit_id).with_for_update())


def lock_audited_row(conn: Connection, table_name: str, row_key: Mapping[str, Any]) -> Row | None:
    """The row an audit entry names (its table and JSON key), locked FOR UPDATE."""
    table = _AUDITED[table_name]
    return _lock(conn, table, _from_json(table, row_key))


def plan_row(conn: Connection, plan_id: str) -> Row | None:
    return _first(conn, select(_PLANS).where(_PLANS.c.id == plan_id))


def first_revert(conn: Connection, audit_id: int) -> int | None:
    """The id of the first audit_log row that reverts change `audit_id` (None: never)."""
    stmt = select(func.min(AuditLog.id)).where(AuditLog.reverts_audit_id == audit_id)
    found = conn.execute(stmt).scalar_one_or_none()
    return None if found is None else int(found)


def last_event_at(conn: Connection, subscription: Mapping[str, Any]) -> dt.datetime | None:
    """When the subscription's latest event happened (None: it has none)."""
    e = _EVENTS.c
    stmt = select(func.max(e.occurred_at)).where(
        e.tenant_id == subscription["tenant_id"], e.subscription_id == subscription["id"]
    )
    return conn.execute(stmt).scalar_one_or_none()


def user_id_by_email(conn: Connection, email: str) -> str | None:
    found = conn.execute(select(User.id).where(User.email == email)).scalar_one_or_none()
    return None if found is None else str(found)


def tenant_name_taken(conn: Connection, *, name: str, tenant_id: str) -> bool:
    """Whether another tenant already has this name (ignoring case)."""
    stmt = select(func.count()).where(
        func.lower(Tenant.name) == name.lower(), Tenant.id != uuid.UUID(tenant_id)
    )
    return bool(conn.execute(stmt).scalar_one())


def owner_count(conn: Connection, tenant_id: str) -> int:
    stmt = select(func.count()).where(
        TenantUser.tenant_id == uuid.UUID(tenant_id), TenantUser.role == "owner"
    )
    return int(conn.execute(stmt).scalar_one())


# ---------------------------------------------------------------- audited writes


# The id of the running transaction: the rows one edit (one write_transaction) writes share
# it, so the Audit page lists them as one action (migration 0010).
ACTION_ID = cast(cast(func.pg_current_xact_id(), Text), BigInteger)


def _audit(
    conn: Connection,
    actor: Viewer,
    table: Table,
    before: Row | None,
    after: Row | None,
    *,
    action: str,
    reverts: int | None = None,
) -> Written:
    """Write the audit_log row of one change (same transaction)."""
    row = as_type(Row, after if after is not None else before)
    tenant = row["id"] if table is _TENANTS else row.get("tenant_id")
    old, new = (None if r is None else jsonable(r) for r in (before, after))
    stmt = insert(AuditLog).values(
        actor_user_id=uuid.UUID(actor.user_id) if actor.user_id else None,
        actor_email=actor.email,
        table_name=table.name,
        row_key=jsonable({c.name: row[c.name] for c in table.primary_key.columns}),
        tenant_id=tenant,
        action=action,
        before=old,
        after=new,
        reverts_audit_id=reverts,
        action_id=ACTION_ID,  # every row of one write_transaction: one admin action
    )
    audit_id = int(conn.execute(stmt.returning(AuditLog.id)).scalar_one())
    return Written(table.name, after, new, audit_id)


def _update(
    conn: Connection, actor: Viewer, table: Table, locked: Row, changes: Mapping[str, Any]
) -> Written:
    """UPDATE the row the caller locked, from its version (bumping it), and audit it."""
    stmt = sql_update(table).where(*_key(table, locked)).values(**changes)
    if "version" in table.c:
        stmt = stmt.where(table.c.version == locked["version"]).values(
            version=table.c.version + 1, updated_at=func.now()
        )
    after = _first(conn, stmt.returning(*table.c))
    assert after is not None  # the caller holds the row lock: it cannot have changed
    return _audit(conn, actor, table, locked, after, action="update")


def _insert(
    conn: Connection, actor: Viewer, table: Table, row: Mapping[str, Any]
) -> Written | None:
    """INSERT … ON CONFLICT DO NOTHING and audit it; None when the key was taken meanwhile."""
    stmt = pg_insert(table).values(**row).on_conflict_do_nothing().returning(*table.c)
    created = _first(conn, stmt)
    return None if created is None else _audit(conn, actor, table, None, created, action="insert")


def _delete(conn: Connection, actor: Viewer, table: Table, locked: Row) -> Written:
    gone = _first(conn, delete(table).where(*_key(table, locked)).returning(*table.c))
    assert gone is not None  # locked by the caller
    return _audit(conn, actor, table, gone, None, action="delete")


def insert_plan_row(
    conn: Connection, actor: Viewer, *, plan_id: str, values: PlanValues
) -> Written | None:
    """A new, offered plan; None when its id was taken meanwhile."""
    return _insert(conn, actor, _PLANS, {"id": plan_id, **asdict(values), "is_active": True})


def update_plan_row(conn: Connection, actor: Viewer, *, locked: Row, values: PlanValues) -> Written:
    return _update(conn, actor, _PLANS, locked, asdict(values))


def set_plan_offered(conn: Connection, actor: Viewer, *, locked: Row, offered: bool) -> Written:
    return _update(conn, actor, _PLANS, locked, {"is_active": offered})


def update_tenant_row(
    conn: Connection, actor: Viewer, *, locked: Row, changes: TenantChanges
) -> Written:
    return _update(conn, actor, _TENANTS, locked, changes)


def append_subscription_event(
    conn: Connection,
    actor: Viewer,
    subscription: Mapping[str, Any],
    *,
    event_type: str,
    occurred_at: dt.datetime | None = None,
) -> int:
    """Append the subscription_events row holding `subscription`'s state after a change
    (audited as an insert); returns its audit id."""
    kept = ("plan_id", "status", "billing_cycle", "price_cents", "currency")
    event = {
        "id": uuid.uuid4(),
        "tenant_id": subscription["tenant_id"],
        "subscription_id": subscription["id"],
        "event_type": event_type,
        "occurred_at": occurred_at or dt.datetime.now(dt.UTC),
        **{c: subscription[c] for c in kept},
        "actor": f"admin:{actor.email}",
    }
    written = _insert(conn, actor, _EVENTS, event)
    assert written is not None  # a fresh uuid
    return written.audit_id


def update_subscription_row(
    conn: Connection,
    actor: Viewer,
    *,
    locked: Row,
    price_cents: int,
    plan_id: str | None = None,
    event_type: str,
    occurred_at: dt.datetime | None = None,
) -> tuple[Written, int]:
    """Reprice (and move to `plan_id`) the locked subscription and append its event; returns
    the subscription's write and the event's audit id."""
    changes = {"price_cents": price_cents, "plan_id": plan_id or locked["plan_id"]}
    written = _update(conn, actor, _SUBSCRIPTIONS, locked, changes)
    assert written.row is not None
    event = append_subscription_event(
        conn, actor, written.row, event_type=event_type, occurred_at=occurred_at
    )
    return written, event


def insert_override_row(
    conn: Connection, actor: Viewer, *, tenant_id: str, metric: str, values: OverrideValues
) -> Written | None:
    row = {"tenant_id": uuid.UUID(tenant_id), "metric": metric, **values}
    created_by = uuid.UUID(actor.user_id) if actor.user_id else None
    return _insert(conn, actor, _OVERRIDES, {**row, "created_by": created_by})


def update_override_row(
    conn: Connection, actor: Viewer, *, locked: Row, values: OverrideValues
) -> Written:
    return _update(conn, actor, _OVERRIDES, locked, values)


def delete_override_row(conn: Connection, actor: Viewer, *, locked: Row) -> Written:
    return _delete(conn, actor, _OVERRIDES, locked)


def insert_member_row(
    conn: Connection, actor: Viewer, *, tenant_id: str, user_id: str, role: str
) -> Written | None:
    row = {"tenant_id": uuid.UUID(tenant_id), "user_id": uuid.UUID(user_id), "role": role}
    return _insert(conn, actor, _MEMBERS, row)


def update_member_role(conn: Connection, actor: Viewer, *, locked: Row, role: str) -> Written:
    return _update(conn, actor, _MEMBERS, locked, {"role": role})


def delete_member_row(conn: Connection, actor: Viewer, *, locked: Row) -> Written:
    return _delete(conn, actor, _MEMBERS, locked)


# ---------------------------------------------------------------- reverts

_BOOKKEEPING = ("version", "updated_at", "created_at")


def _restore(conn: Connection, table: Table, current: Row | None, target: Row | None) -> Row | None:
    """Bring the locked row `current` to `target` (None: delete it); the row after."""
    if target is None:
        assert current is not None
        conn.execute(delete(table).where(*_key(table, current)))
        return None
    if current is None:  # re-create it, one version on: editors holding the old row reload
        row = {k: v for k, v in target.items() if k != "updated_at"}
        if "version" in row:
            row["version"] = int(row["version"]) + 1
        insert_row = pg_insert(table).values(**row).on_conflict_do_nothing()
        return _first(conn, insert_row.returning(*table.c))
    keys = {c.name for c in table.primary_key.columns}
    changes = {k: v for k, v in target.items() if k not in _BOOKKEEPING and k not in keys}
    stmt = sql_update(table).where(*_key(table, current)).values(**changes)
    if "version" in table.c:
        stmt = stmt.values(version=table.c.version + 1, updated_at=func.now())
    return _first(conn, stmt.returning(*table.c))


def revert_row(
    conn: Connection, actor: Viewer, *, entry: Mapping[str, Any], current: Row | None
) -> Written | None:
    """Restore the row of audit `entry` (locked as `current`) to the entry's `before`, and
    audit it as a revert of the entry. None when a deleted row cannot be re-created (its key
    is taken again)."""
    table = _AUDITED[entry["table_name"]]
    target = None if entry["before"] is None else _from_json(table, entry["before"])
    restored = _restore(conn, table, current, target)
    if restored is None and target is not None:
        return None
    return _audit(conn, actor, table, current, restored, action="revert", reverts=entry["id"])
