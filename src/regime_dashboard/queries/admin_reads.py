"""The admin pages' reads: cached, scoped DataFrames of plans, tenants, usage against
limits and the audit log (called through `cache.run_query`). Each *_COLUMNS constant is the
contract of one frame: its columns and their dtypes (queries/_frames.py)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pandas as pd
from sqlalchemy import (
    Connection,
    Float,
    Text,
    Uuid,
    case,
    cast,
    column,
    func,
    literal,
    select,
    union_all,
    values,
)
from sqlalchemy.dialects.postgresql import distinct_on

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
from .audited_writes import LIVE_STATUSES, PLAN_VALUE_COLUMNS

__all__ = [
    "AUDIT_COLUMNS",
    "MEMBER_COLUMNS",
    "MRR_COLUMNS",
    "OPTION_COLUMNS",
    "OVERRIDE_COLUMNS",
    "PLAN_ROW_COLUMNS",
    "SUBSCRIPTION_COLUMNS",
    "TENANT_COLUMNS",
    "TENANT_GRID_COLUMNS",
    "USAGE_COLUMNS",
    "audit_entries",
    "audit_filter_options",
    "plan_mrr_change",
    "plans_overview",
    "quota_usage",
    "tenant_grid",
    "tenant_members",
    "tenant_overrides",
    "tenant_subscription",
    "tenants_overview",
]

PLAN_ROW_COLUMNS = {
    "id": "str",
    **PLAN_VALUE_COLUMNS,
    "is_active": "bool",
    "version": "int64",
    "updated_at": "datetime64[us, UTC]",
    "live_subscriptions": "int64",
}

MRR_COLUMNS = {
    "currency": "str",
    **dict.fromkeys(("subscriptions", "paying", "repriced"), "int64"),
    **dict.fromkeys(("mrr_now_cents", "mrr_if_moved_cents", "mrr_change_cents"), "float64"),
}

USAGE_COLUMNS = {
    "tenant_id": "object",
    **dict.fromkeys(("tenant_name", "plan_id", "metric"), "str"),
    **dict.fromkeys(("used", "plan_limit"), "float64"),
    "has_override": "bool",
    "override_limit": "float64",
}

TENANT_COLUMNS = {
    "tenant_id": "object",
    "name": "str",
    "settings_json": "object",
    "version": "int64",
    "updated_at": "datetime64[us, UTC]",
    **dict.fromkeys(("plan_id", "subscription_status"), "str"),
    "members": "int64",
}

TENANT_GRID_COLUMNS = {
    "tenant_id": "object",
    **dict.fromkeys(("name", "plan_id", "plan_name", "subscription_status"), "str"),
    "mrr_usd_cents": "float64",
    "members": "int64",
}

SUBSCRIPTION_COLUMNS = {
    "subscription_id": "object",
    **dict.fromkeys(("plan_id", "status", "billing_cycle"), "str"),
    "price_cents": "int64",
    "currency": "str",
    "started_at": "datetime64[us, UTC]",
    "version": "int64",
    "last_event_at": "datetime64[us, UTC]",
}

MEMBER_COLUMNS = {
    "user_id": "object",
    "email": "str",
    "display_name": "str",
    "role": "str",
    "created_at": "datetime64[us, UTC]",
}

OVERRIDE_COLUMNS = {
    "metric": "str",
    "limit_value": "int64",  # a NULL (unlimited) among them makes it float64
    "reason": "str",
    "expires_at": "datetime64[us, UTC]",
    "created_by_email": "str",
    "version": "int64",
    "updated_at": "datetime64[us, UTC]",
}

AUDIT_COLUMNS = {
    "id": "int64",
    "occurred_at": "datetime64[us, UTC]",
    **dict.fromkeys(("actor_email", "table_name"), "str"),
    "row_key": "object",
    "tenant_id": "object",
    **dict.fromkeys(("tenant_name", "action"), "str"),
    **dict.fromkeys(("before", "after"), "object"),
    **dict.fromkeys(("reverts_audit_id", "reverted_by"), "float64"),
    "action_id": "int64",
    "user_email": "str",
}

OPTION_COLUMNS = {"kind": "str", "value": "str", "label": "str"}


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
    """Every plan, cheapest first. Columns PLAN_ROW_COLUMNS: the plan's fields (cents, JSON
    objects as dicts), is_active, version and updated_at for optimistic locking, and
    live_subscriptions (trialing, active or past_due subscriptions on the plan)."""
    stored = [Plan.__table__.c[c] for c in PLAN_ROW_COLUMNS if c != "live_subscriptions"]
    stmt = select(*stored, _live_on_plan(scope).label("live_subscriptions")).order_by(
        Plan.price_monthly_cents, Plan.id
    )
    return frame(conn, stmt, PLAN_ROW_COLUMNS)


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
            *(Tenant.__table__.c[c] for c in ("name", "settings_json", "version", "updated_at")),
            latest.c.plan_id,
            latest.c.status.label("subscription_status"),
            members.label("members"),
        )
        .outerjoin(latest, latest.c.tenant_id == Tenant.id)
        .where(scope.clause(Tenant.id))
        .order_by(Tenant.name)
    )
    return frame(conn, stmt, TENANT_COLUMNS)


def tenant_grid(
    conn: Connection, *, scope: TenantScope, rates: tuple[tuple[str, float], ...]
) -> pd.DataFrame:
    """One row per tenant in scope, by name, for the admin tenant grid. Columns
    TENANT_GRID_COLUMNS: the plan (id and name) and status of its subscription (live first,
    else the latest; None without one); mrr_usd_cents = that subscription's price per month
    (annual / 12) in USD cents (x the currency's rate in `rates`, (currency, USD per unit)
    pairs; a missing currency counts 0) when it is active or past due, else 0; members."""
    latest = _latest_subscription(scope)
    rate = values(column("currency", Text), column("rate", Float), name="rates").data(
        list(rates) or [("USD", 1.0)]
    )
    months = case((latest.c.billing_cycle == "annual", 12.0), else_=1.0)
    paying = latest.c.status.in_(("active", "past_due"))
    mrr = case((paying, latest.c.price_cents / months * func.coalesce(rate.c.rate, 0.0)), else_=0.0)
    members = (
        select(func.count())
        .where(TenantUser.tenant_id == Tenant.id, scope.clause(TenantUser.tenant_id))
        .scalar_subquery()
    )
    stmt = (
        select(
            Tenant.id.label("tenant_id"),
            Tenant.name,
            latest.c.plan_id,
            Plan.name.label("plan_name"),
            latest.c.status.label("subscription_status"),
            cast(func.coalesce(mrr, 0.0), Float).label("mrr_usd_cents"),
            members.label("members"),
        )
        .outerjoin(latest, latest.c.tenant_id == Tenant.id)
        .outerjoin(Plan, Plan.id == latest.c.plan_id)
        .outerjoin(rate, rate.c.currency == latest.c.currency)
        .where(scope.clause(Tenant.id))
        .order_by(Tenant.name)
    )
    return frame(conn, stmt, TENANT_GRID_COLUMNS)


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
        *(latest.c[c] for c in list(SUBSCRIPTION_COLUMNS)[1:-1]),
        last.label("last_event_at"),
    ).where(latest.c.tenant_id == uuid.UUID(tenant_id))
    return frame(conn, stmt, SUBSCRIPTION_COLUMNS)


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
    reverted_by the id of the first revert of the row (None if never reverted), action_id
    the admin action (transaction) that wrote the row, user_email the email of the user the
    row key names (tenant_users rows; None for other tables)."""
    a = AuditLog
    later = a.__table__.alias("later")
    reverted_by = select(func.min(later.c.id)).where(later.c.reverts_audit_id == a.id)
    keyed_user = User.__table__.alias("keyed_user")
    user_key = cast(a.row_key["user_id"].astext, Uuid)
    stmt = (
        select(
            *(a.__table__.c[c] for c in list(AUDIT_COLUMNS)[:6]),
            Tenant.name.label("tenant_name"),
            *(a.__table__.c[c] for c in ("action", "before", "after", "reverts_audit_id")),
            reverted_by.scalar_subquery().label("reverted_by"),
            a.action_id,
            keyed_user.c.email.label("user_email"),
        )
        .outerjoin(Tenant, Tenant.id == a.tenant_id)
        .outerjoin(keyed_user, keyed_user.c.id == user_key)
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
