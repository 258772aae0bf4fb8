"""All SQL of the admin pages: reads (cached, scoped DataFrames) and the writes of admin
edits (run on the connection of `cache.write_transaction`). Rows leave this module as
JSON-ready dicts (`jsonable`), the form kept in `audit_log.before/after`.

Tables are named by string only through the `TABLES` whitelist; every value is bound."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from typing import cast as as_type

import pandas as pd
from sqlalchemy import (
    Connection,
    Date,
    DateTime,
    Float,
    Table,
    Text,
    Uuid,
    case,
    cast,
    column,
    delete,
    func,
    insert,
    literal,
    select,
    union_all,
    update,
    values,
)
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.sql.elements import ColumnElement

from ..db.models import (
    AuditLog,
    Plan,
    Subscription,
    SubscriptionEvent,
    Tenant,
    TenantQuotaOverride,
    TenantUser,
    UsageDaily,
    User,
)
from ..metered import LIMITED_METRICS
from ..scope import TenantScope
from ._frames import frame

__all__ = [
    "AUDIT_COLUMNS",
    "LIVE_STATUSES",
    "MEMBER_COLUMNS",
    "MRR_COLUMNS",
    "OPTION_COLUMNS",
    "OVERRIDE_COLUMNS",
    "PLAN_COLUMNS",
    "SUBSCRIPTION_COLUMNS",
    "TABLES",
    "TENANT_COLUMNS",
    "USAGE_COLUMNS",
    "audit_entries",
    "audit_entry",
    "audit_filter_options",
    "current_subscription",
    "delete_row",
    "first_revert",
    "get_row",
    "insert_audit",
    "insert_row",
    "jsonable",
    "key_columns",
    "last_event_at",
    "live_subscriptions",
    "owner_count",
    "plan_mrr_change",
    "plans_overview",
    "quota_usage",
    "row_key",
    "tenant_members",
    "tenant_name_taken",
    "tenant_overrides",
    "tenant_subscription",
    "tenants_overview",
    "update_matching",
    "update_versioned",
    "user_id_by_email",
]

LIVE_STATUSES = ("trialing", "active", "past_due")
_EDITABLE = (Plan, Tenant, Subscription, SubscriptionEvent, TenantQuotaOverride, TenantUser)
TABLES: dict[str, Table] = {m.__tablename__: as_type(Table, m.__table__) for m in _EDITABLE}

# ---------------------------------------------------------------- rows as JSON


def _to_json(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date | uuid.UUID):
        return str(value)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def jsonable(row: Mapping[str, Any] | RowMapping) -> dict[str, Any]:
    """A result row as JSON-ready values (UTC ISO timestamps, uuid strings)."""
    return {str(k): _to_json(v) for k, v in row.items()}


def _from_json(col: Any, value: Any) -> Any:
    if value is None or not isinstance(value, str):
        return value
    if isinstance(col.type, DateTime):
        return dt.datetime.fromisoformat(value)
    if isinstance(col.type, Date):
        return dt.date.fromisoformat(value)
    if isinstance(col.type, Uuid):
        return uuid.UUID(value)
    return value


def _table(name: str) -> Table:
    if name not in TABLES:
        raise ValueError(f"not an editable table: {name!r}")
    return TABLES[name]


def _typed(table: Table, data: Mapping[str, Any]) -> dict[str, Any]:
    """JSON values back to the column types (unknown columns are an error)."""
    return {k: _from_json(table.c[k], v) for k, v in data.items()}


def key_columns(table: str) -> list[str]:
    return [c.name for c in _table(table).primary_key.columns]


def row_key(table: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """The primary key of `row` in `table`, as JSON."""
    return {k: _to_json(row[k]) for k in key_columns(table)}


def _match(table: Table, key: Mapping[str, Any]) -> list[ColumnElement[bool]]:
    if set(key) != {c.name for c in table.primary_key.columns}:
        raise ValueError(f"{table.name} is keyed by {key_columns(table.name)}, not {list(key)}")
    return [table.c[k] == v for k, v in _typed(table, key).items()]


def _one(conn: Connection, stmt: Any) -> dict[str, Any] | None:
    row = conn.execute(stmt).mappings().first()
    return jsonable(row) if row is not None else None


# ---------------------------------------------------------------- generic writes


def get_row(
    conn: Connection, *, table: str, key: Mapping[str, Any], lock: bool = False
) -> dict[str, Any] | None:
    """The row of `table` with primary key `key` (locked FOR UPDATE when `lock`)."""
    t = _table(table)
    stmt = select(t).where(*_match(t, key))
    return _one(conn, stmt.with_for_update() if lock else stmt)


def update_versioned(
    conn: Connection,
    *,
    table: str,
    key: Mapping[str, Any],
    expected_version: int,
    changes: Mapping[str, Any],
) -> dict[str, Any] | None:
    """UPDATE ... SET changes, version + 1, updated_at = now() WHERE key AND version =
    expected RETURNING *; None when the row is gone or at another version."""
    t = _table(table)
    stmt = (
        update(t)
        .where(*_match(t, key), t.c.version == expected_version)
        .values(**_typed(t, changes), version=t.c.version + 1, updated_at=func.now())
        .returning(*t.c)
    )
    return _one(conn, stmt)


def update_matching(
    conn: Connection,
    *,
    table: str,
    key: Mapping[str, Any],
    expected: Mapping[str, Any],
    changes: Mapping[str, Any],
) -> dict[str, Any] | None:
    """For tables without a version column: UPDATE only while the `expected` columns still
    hold their values; None otherwise."""
    t = _table(table)
    same = [t.c[k] == v for k, v in _typed(t, expected).items()]
    stmt = update(t).where(*_match(t, key), *same).values(**_typed(t, changes)).returning(*t.c)
    return _one(conn, stmt)


def insert_row(conn: Connection, *, table: str, row: Mapping[str, Any]) -> dict[str, Any] | None:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING *: None when a row with that key (or
    another unique value) exists already, e.g. saved by someone else a moment ago."""
    t = _table(table)
    stmt = pg_insert(t).values(**_typed(t, row)).on_conflict_do_nothing().returning(*t.c)
    return _one(conn, stmt)


def delete_row(
    conn: Connection, *, table: str, key: Mapping[str, Any], expected: Mapping[str, Any]
) -> dict[str, Any] | None:
    """DELETE the row while the `expected` columns (e.g. version) hold their values;
    returns the deleted row, or None when it was gone or had changed."""
    t = _table(table)
    same = [t.c[k] == v for k, v in _typed(t, expected).items()]
    return _one(conn, delete(t).where(*_match(t, key), *same).returning(*t.c))


def insert_audit(
    conn: Connection,
    *,
    actor_user_id: str | None,
    actor_email: str,
    table: str,
    key: Mapping[str, Any],
    tenant_id: str | None,
    action: str,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    reverts_audit_id: int | None = None,
) -> int:
    """One audit_log row (same transaction as the change); returns its id."""
    stmt = (
        insert(AuditLog)
        .values(
            actor_user_id=uuid.UUID(actor_user_id) if actor_user_id else None,
            actor_email=actor_email,
            table_name=_table(table).name,
            row_key=dict(key),
            tenant_id=uuid.UUID(tenant_id) if tenant_id else None,
            action=action,
            before=dict(before) if before is not None else None,
            after=dict(after) if after is not None else None,
            reverts_audit_id=reverts_audit_id,
        )
        .returning(AuditLog.id)
    )
    return int(conn.execute(stmt).scalar_one())


def audit_entry(conn: Connection, *, audit_id: int) -> dict[str, Any] | None:
    """One audit_log row, locked so that two reverts of it run one after the other."""
    return _one(conn, select(AuditLog).where(AuditLog.id == audit_id).with_for_update())


def first_revert(conn: Connection, *, audit_id: int) -> int | None:
    """The id of the first audit_log row that reverts change `audit_id` (None: never)."""
    stmt = select(func.min(AuditLog.id)).where(AuditLog.reverts_audit_id == audit_id)
    found = conn.execute(stmt).scalar_one_or_none()
    return None if found is None else int(found)


# ---------------------------------------------------------------- domain reads in a write


def live_subscriptions(conn: Connection, *, plan_id: str) -> list[dict[str, Any]]:
    """Live (trialing, active, past_due) subscriptions on a plan, locked FOR UPDATE."""
    stmt = (
        select(Subscription)
        .where(Subscription.plan_id == plan_id, Subscription.status.in_(LIVE_STATUSES))
        .order_by(Subscription.tenant_id, Subscription.id)
        .with_for_update()
    )
    return [jsonable(r) for r in conn.execute(stmt).mappings()]


def current_subscription(conn: Connection, *, tenant_id: str) -> dict[str, Any] | None:
    """The tenant's live subscription (the latest started), locked FOR UPDATE."""
    stmt = (
        select(Subscription)
        .where(
            Subscription.tenant_id == uuid.UUID(tenant_id),
            Subscription.status.in_(LIVE_STATUSES),
        )
        .order_by(Subscription.started_at.desc())
        .limit(1)
        .with_for_update()
    )
    return _one(conn, stmt)


def last_event_at(conn: Connection, *, tenant_id: str, subscription_id: str) -> dt.datetime | None:
    stmt = select(func.max(SubscriptionEvent.occurred_at)).where(
        SubscriptionEvent.tenant_id == uuid.UUID(tenant_id),
        SubscriptionEvent.subscription_id == uuid.UUID(subscription_id),
    )
    return conn.execute(stmt).scalar_one_or_none()


def user_id_by_email(conn: Connection, *, email: str) -> str | None:
    found = conn.execute(select(User.id).where(User.email == email)).scalar_one_or_none()
    return str(found) if found is not None else None


def tenant_name_taken(conn: Connection, *, name: str, tenant_id: str) -> bool:
    """Whether another tenant already has this name (ignoring case)."""
    stmt = select(func.count()).where(
        func.lower(Tenant.name) == name.lower(), Tenant.id != uuid.UUID(tenant_id)
    )
    return bool(conn.execute(stmt).scalar_one())


def owner_count(conn: Connection, *, tenant_id: str) -> int:
    stmt = select(func.count()).where(
        TenantUser.tenant_id == uuid.UUID(tenant_id), TenantUser.role == "owner"
    )
    return int(conn.execute(stmt).scalar_one())


# ---------------------------------------------------------------- cached page reads

PLAN_COLUMNS = [
    "id",
    "name",
    "price_monthly_cents",
    "price_annual_cents",
    "currency",
    "features_json",
    "limits_json",
    "is_active",
    "version",
    "updated_at",
    "live_subscriptions",
]


def _live_on_plan(scope: TenantScope) -> Any:
    return (
        select(func.count())
        .where(
            Subscription.plan_id == Plan.id,
            Subscription.status.in_(LIVE_STATUSES),
            scope.clause(Subscription.tenant_id),
        )
        .scalar_subquery()
    )


def plans_overview(conn: Connection, *, scope: TenantScope) -> pd.DataFrame:
    """Every plan, cheapest first. Columns PLAN_COLUMNS: the plan's fields (cents, JSON
    objects as dicts), is_active, version and updated_at for optimistic locking, and
    live_subscriptions (trialing, active or past_due subscriptions on the plan)."""
    stmt = select(
        *(Plan.__table__.c[c] for c in PLAN_COLUMNS[:-1]),
        _live_on_plan(scope).label("live_subscriptions"),
    ).order_by(Plan.price_monthly_cents, Plan.id)
    return frame(conn, stmt, PLAN_COLUMNS)


MRR_COLUMNS = [
    "currency",
    "subscriptions",
    "paying",
    "repriced",
    "mrr_now_cents",
    "mrr_if_moved_cents",
    "mrr_change_cents",
]


def plan_mrr_change(
    conn: Connection,
    *,
    scope: TenantScope,
    plan_id: str,
    new_monthly: int,
    new_annual: int | None,
) -> pd.DataFrame:
    """What a price change does to MRR, per subscription currency. Columns MRR_COLUMNS:
    subscriptions = live ones on the plan (trialing, active, past_due); paying = active or
    past_due (the ones MRR counts); repriced = live ones whose price differs from the new
    price of their billing cycle; mrr_now_cents = sum over paying of price_cents per month
    (annual / 12); mrr_if_moved_cents = the same at the new prices (the annual price when
    set, else 12 x the monthly one); mrr_change_cents = moved - now."""
    s = Subscription
    annual = s.billing_cycle == "annual"
    months = case((annual, literal(12.0)), else_=literal(1.0))
    annual_price = new_annual if new_annual is not None else new_monthly * 12
    new_price = case((annual, literal(annual_price)), else_=literal(new_monthly))
    paying = s.status.in_(("active", "past_due"))

    def monthly_sum(price: Any) -> Any:
        return cast(func.coalesce(func.sum(price / months).filter(paying), 0), Float)

    stmt = (
        select(
            s.currency,
            func.count().label("subscriptions"),
            func.count().filter(paying).label("paying"),
            func.count().filter(s.price_cents != new_price).label("repriced"),
            monthly_sum(s.price_cents).label("mrr_now_cents"),
            monthly_sum(new_price).label("mrr_if_moved_cents"),
            (monthly_sum(new_price) - monthly_sum(s.price_cents)).label("mrr_change_cents"),
        )
        .where(s.plan_id == plan_id, s.status.in_(LIVE_STATUSES), scope.clause(s.tenant_id))
        .group_by(s.currency)
        .order_by(s.currency)
    )
    return frame(conn, stmt, MRR_COLUMNS)


USAGE_COLUMNS = [
    "tenant_id",
    "tenant_name",
    "plan_id",
    "metric",
    "used",
    "plan_limit",
    "has_override",
    "override_limit",
]


def _live_tenants(scope: TenantScope, plan_id: str, tenant_id: str) -> Any:
    s = Subscription
    stmt = select(s.tenant_id, s.plan_id).where(
        s.status.in_(LIVE_STATUSES), scope.clause(s.tenant_id)
    )
    if plan_id:
        stmt = stmt.where(s.plan_id == plan_id)
    if tenant_id:
        stmt = stmt.where(s.tenant_id == uuid.UUID(tenant_id))
    return stmt.distinct().cte("live_tenants")


def _usage_by_metric(scope: TenantScope, live: Any, month_start: dt.date, through: dt.date) -> Any:
    u, tu = UsageDaily, TenantUser
    metered = (
        select(u.tenant_id, u.metric, cast(func.sum(u.quantity), Float).label("used"))
        .where(
            u.tenant_id.in_(select(live.c.tenant_id)),
            u.day.between(month_start, through),
            scope.clause(u.tenant_id),
        )
        .group_by(u.tenant_id, u.metric)
    )
    seats = (
        select(tu.tenant_id, literal("seats", Text).label("metric"), cast(func.count(), Float))
        .where(tu.tenant_id.in_(select(live.c.tenant_id)), scope.clause(tu.tenant_id))
        .group_by(tu.tenant_id)
    )
    return union_all(metered, seats).cte("usage")


def quota_usage(
    conn: Connection,
    *,
    scope: TenantScope,
    month_start: dt.date,
    through: dt.date,
    at: dt.datetime,
    plan_id: str = "",
    tenant_id: str = "",
) -> pd.DataFrame:
    """Usage against limits for tenants with a live subscription (on `plan_id` / only
    `tenant_id` when given), one row per tenant, plan and metric (LIMITED_METRICS). Columns
    USAGE_COLUMNS: used = usage_daily quantity summed over [month_start, through] (seats:
    the tenant's members now); plan_limit = the plan's limits_json value (NaN = unlimited or
    not set); has_override / override_limit = a quota override active at `at` (limit NaN =
    unlimited)."""
    live = _live_tenants(scope, plan_id, tenant_id)
    usage = _usage_by_metric(scope, live, month_start, through)
    metrics = values(column("metric", Text), name="metrics").data([(m,) for m in LIMITED_METRICS])
    o = TenantQuotaOverride
    override_on = (
        (o.tenant_id == live.c.tenant_id)
        & (o.metric == metrics.c.metric)
        & (o.expires_at.is_(None) | (o.expires_at > at))
        & scope.clause(o.tenant_id)
    )
    stmt = (
        select(
            live.c.tenant_id,
            Tenant.name.label("tenant_name"),
            live.c.plan_id,
            metrics.c.metric,
            func.coalesce(usage.c.used, 0.0).label("used"),
            cast(Plan.limits_json[metrics.c.metric].astext, Float).label("plan_limit"),
            o.metric.is_not(None).label("has_override"),
            cast(o.limit_value, Float).label("override_limit"),
        )
        .select_from(live)
        .join(metrics, literal(True))
        .join(Tenant, Tenant.id == live.c.tenant_id)
        .join(Plan, Plan.id == live.c.plan_id)
        .outerjoin(
            usage, (usage.c.tenant_id == live.c.tenant_id) & (usage.c.metric == metrics.c.metric)
        )
        .outerjoin(o, override_on)
        .order_by(Tenant.name, metrics.c.metric)
    )
    return frame(conn, stmt, USAGE_COLUMNS)


TENANT_COLUMNS = [
    "tenant_id",
    "name",
    "settings_json",
    "version",
    "updated_at",
    "plan_id",
    "subscription_status",
    "members",
]


def _latest_subscription(scope: TenantScope) -> Any:
    s = Subscription
    live_first = case((s.status.in_(LIVE_STATUSES), 0), else_=1)
    return (
        select(s)
        .where(scope.clause(s.tenant_id))
        .ext(distinct_on(s.tenant_id))
        .order_by(s.tenant_id, live_first, s.started_at.desc())
        .subquery("latest")
    )


def tenants_overview(conn: Connection, *, scope: TenantScope) -> pd.DataFrame:
    """Every tenant in scope by name. Columns TENANT_COLUMNS: settings_json (dict), version
    and updated_at for optimistic locking, the plan and status of its subscription (live
    first, else the latest; None without one) and the number of members."""
    latest = _latest_subscription(scope)
    members = (
        select(func.count())
        .where(TenantUser.tenant_id == Tenant.id, scope.clause(TenantUser.tenant_id))
        .scalar_subquery()
    )
    stmt = (
        select(
            Tenant.id.label("tenant_id"),
            Tenant.name,
            Tenant.settings_json,
            Tenant.version,
            Tenant.updated_at,
            latest.c.plan_id,
            latest.c.status.label("subscription_status"),
            members.label("members"),
        )
        .outerjoin(latest, latest.c.tenant_id == Tenant.id)
        .where(scope.clause(Tenant.id))
        .order_by(Tenant.name)
    )
    return frame(conn, stmt, TENANT_COLUMNS)


SUBSCRIPTION_COLUMNS = [
    "subscription_id",
    "plan_id",
    "status",
    "billing_cycle",
    "price_cents",
    "currency",
    "started_at",
    "version",
    "last_event_at",
]


def tenant_subscription(conn: Connection, *, scope: TenantScope, tenant_id: str) -> pd.DataFrame:
    """The tenant's subscription (live first, else the latest): at most one row. Columns
    SUBSCRIPTION_COLUMNS; price_cents per billing cycle; last_event_at = its latest
    subscription_events.occurred_at."""
    latest = _latest_subscription(scope)
    e = SubscriptionEvent
    last = (
        select(func.max(e.occurred_at))
        .where(
            e.tenant_id == latest.c.tenant_id,
            e.subscription_id == latest.c.id,
            scope.clause(e.tenant_id),
        )
        .scalar_subquery()
    )
    stmt = select(
        latest.c.id.label("subscription_id"),
        *(latest.c[c] for c in SUBSCRIPTION_COLUMNS[1:-2]),
        latest.c.version,
        last.label("last_event_at"),
    ).where(latest.c.tenant_id == uuid.UUID(tenant_id))
    return frame(conn, stmt, SUBSCRIPTION_COLUMNS)


MEMBER_COLUMNS = ["user_id", "email", "display_name", "role", "created_at"]


def tenant_members(conn: Connection, *, scope: TenantScope, tenant_id: str) -> pd.DataFrame:
    """The tenant's members by role (owner, admin, member) then email. Columns
    MEMBER_COLUMNS."""
    tu = TenantUser
    rank = case({"owner": 0, "admin": 1}, value=tu.role, else_=2)
    stmt = (
        select(tu.user_id, User.email, User.display_name, tu.role, tu.created_at)
        .join(User, User.id == tu.user_id)
        .where(tu.tenant_id == uuid.UUID(tenant_id), scope.clause(tu.tenant_id))
        .order_by(rank, User.email)
    )
    return frame(conn, stmt, MEMBER_COLUMNS)


OVERRIDE_COLUMNS = [
    "metric",
    "limit_value",
    "reason",
    "expires_at",
    "created_by_email",
    "version",
    "updated_at",
]


def tenant_overrides(conn: Connection, *, scope: TenantScope, tenant_id: str) -> pd.DataFrame:
    """The tenant's quota overrides by metric (expired ones included). Columns
    OVERRIDE_COLUMNS; limit_value None/NaN = unlimited."""
    o = TenantQuotaOverride
    stmt = (
        select(
            o.metric,
            o.limit_value,
            o.reason,
            o.expires_at,
            User.email.label("created_by_email"),
            o.version,
            o.updated_at,
        )
        .outerjoin(User, User.id == o.created_by)
        .where(o.tenant_id == uuid.UUID(tenant_id), scope.clause(o.tenant_id))
        .order_by(o.metric)
    )
    return frame(conn, stmt, OVERRIDE_COLUMNS)


AUDIT_COLUMNS = [
    "id",
    "occurred_at",
    "actor_email",
    "table_name",
    "row_key",
    "tenant_id",
    "tenant_name",
    "action",
    "before",
    "after",
    "reverts_audit_id",
    "reverted_by",
]


def audit_entries(
    conn: Connection,
    *,
    scope: TenantScope,
    table_name: str = "",
    tenant_id: str = "",
    actor_email: str = "",
    limit: int = 500,
) -> pd.DataFrame:
    """The latest `limit` audit_log rows, newest first, optionally of one table, tenant and
    actor. Columns AUDIT_COLUMNS; before/after are dicts (None for insert/delete sides),
    reverted_by the id of the first revert of the row (None if never reverted)."""
    a = AuditLog
    later = a.__table__.alias("later")
    reverted_by = select(func.min(later.c.id)).where(later.c.reverts_audit_id == a.id)
    stmt = (
        select(
            *(a.__table__.c[c] for c in AUDIT_COLUMNS[:6]),
            Tenant.name.label("tenant_name"),
            a.action,
            a.before,
            a.after,
            a.reverts_audit_id,
            reverted_by.scalar_subquery().label("reverted_by"),
        )
        .outerjoin(Tenant, Tenant.id == a.tenant_id)
        .where(scope.clause(a.tenant_id))
        .order_by(a.id.desc())
        .limit(limit)
    )
    if table_name:
        stmt = stmt.where(a.table_name == table_name)
    if tenant_id:
        stmt = stmt.where(a.tenant_id == uuid.UUID(tenant_id))
    if actor_email:
        stmt = stmt.where(a.actor_email == actor_email)
    return frame(conn, stmt, AUDIT_COLUMNS)


OPTION_COLUMNS = ["kind", "value", "label"]


def audit_filter_options(conn: Connection, *, scope: TenantScope) -> pd.DataFrame:
    """The values the audit filters can take: kind 'table' (value = label = table name),
    'tenant' (value = tenant id, label = its name) and 'actor' (email). Columns
    OPTION_COLUMNS, sorted by kind then label."""
    a = AuditLog
    mine = scope.clause(a.tenant_id)
    tables = select(
        literal("table").label("kind"), a.table_name.label("value"), a.table_name.label("label")
    ).where(mine)
    tenants = (
        select(literal("tenant"), cast(a.tenant_id, Text), Tenant.name)
        .join(Tenant, Tenant.id == a.tenant_id)
        .where(mine)
    )
    actors = select(literal("actor"), a.actor_email, a.actor_email).where(mine)
    options = union_all(tables, tenants, actors).subquery("options")
    stmt = select(options).distinct().order_by(options.c.kind, options.c.label)
    return frame(conn, stmt, OPTION_COLUMNS)
