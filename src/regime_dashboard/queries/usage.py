"""Metered usage against limits, from the daily rollup `usage_daily` (never `usage_events`).

A tenant's effective limit for a metric: its quota override when one is in force (not
expired at the end of `as_of`; a null `limit_value` there means unlimited), else its plan's
`limits_json ->> metric` (missing or null = unlimited). The plan is the one of the tenant's
latest subscription state at the end of `as_of` (the ledger, `subscription_events`).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import (
    CTE,
    BigInteger,
    Connection,
    Date,
    Float,
    Text,
    and_,
    case,
    cast,
    column,
    func,
    literal,
    or_,
    select,
    true,
    values,
)
from sqlalchemy.dialects.postgresql import distinct_on

from ..db.models import (
    Plan,
    Subscription,
    SubscriptionEvent,
    Tenant,
    TenantQuotaOverride,
    UsageDaily,
)
from ..scope import TenantScope
from ._frames import frame
from .dates import end_of

__all__ = [
    "DAILY_USAGE_COLUMNS",
    "LIMIT_COLUMNS",
    "MONTHLY_USAGE_COLUMNS",
    "monthly_usage",
    "tenant_daily_usage",
    "usage_against_limits",
]

LIVE = ("trialing", "active", "past_due")
LIMIT_COLUMNS = {
    "tenant_id": "object",
    "tenant_name": "str",
    "plan_id": "str",
    "status": "str",
    "metric": "str",
    "used": "float64",
    "limit_value": "float64",
    "limit_source": "str",
    "reached_on": "object",
    "month_start": "object",
    "elapsed_days": "int64",
    "days_in_month": "int64",
}
DAILY_USAGE_COLUMNS = {
    "day": "object",
    "metric": "str",
    "quantity": "float64",
    "cumulative": "float64",
}


def _days_in_month(month_start: dt.date) -> int:
    following = (month_start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return (following - month_start).days


def _tenant_plans(scope: TenantScope, as_of: dt.date) -> CTE:
    """tenant_id, plan_id, status: each tenant's latest subscription state at the end of
    `as_of` (over all its subscriptions), one index probe per subscription."""
    e = SubscriptionEvent
    last = (
        select(e.plan_id, e.status, e.occurred_at)
        .where(scope.clause(e.tenant_id), e.tenant_id == Subscription.tenant_id)
        .where(e.subscription_id == Subscription.id, e.occurred_at < end_of(as_of))
        .order_by(e.occurred_at.desc())
        .limit(1)
        .lateral("e")
    )
    return (
        select(Subscription.tenant_id, last.c.plan_id, last.c.status)
        .join(last, true())
        .where(scope.clause(Subscription.tenant_id))
        .ext(distinct_on(Subscription.tenant_id))
        .order_by(Subscription.tenant_id, last.c.occurred_at.desc())
        .cte("tenant_plans")
    )


def _limits(scope: TenantScope, as_of: dt.date, metrics: tuple[str, ...]) -> CTE:
    """Every tenant in scope x metric: tenant_name, plan_id, status, limit_value (null =
    unlimited) and limit_source ('override', 'plan' or 'none')."""
    m = values(column("metric", Text), name="metrics").data([(name,) for name in metrics])
    plans = _tenant_plans(scope, as_of)
    o = TenantQuotaOverride
    in_force = or_(o.expires_at.is_(None), o.expires_at > end_of(as_of))
    plan_limit = cast(Plan.limits_json[m.c.metric].astext, BigInteger)
    source = case((o.metric.is_not(None), "override"), (plan_limit.is_not(None), "plan"))
    return (
        select(
            Tenant.id.label("tenant_id"),
            Tenant.name.label("tenant_name"),
            plans.c.plan_id,
            plans.c.status,
            m.c.metric,
            case((o.metric.is_not(None), o.limit_value), else_=plan_limit).label("limit_value"),
            func.coalesce(source, "none").label("limit_source"),
        )
        .select_from(Tenant)
        .join(m, true())
        .outerjoin(plans, plans.c.tenant_id == Tenant.id)
        .outerjoin(Plan, Plan.id == plans.c.plan_id)
        .outerjoin(
            o,
            and_(
                scope.clause(o.tenant_id),
                o.tenant_id == Tenant.id,
                o.metric == m.c.metric,
                in_force,
            ),
        )
        .where(scope.clause(Tenant.id))
        .cte("limits")
    )


MONTHLY_USAGE_COLUMNS = {"month": "object", "metric": "str", "used": "float64"}


def _month_daily(scope: TenantScope, month_start: dt.date, as_of: dt.date) -> CTE:
    """The rollup rows of the month up to `as_of`, with the running total per tenant/metric."""
    u = UsageDaily
    running = func.sum(u.quantity).over(partition_by=(u.tenant_id, u.metric), order_by=u.day)
    return (
        select(u.tenant_id, u.metric, u.day, u.quantity, running.label("cumulative"))
        .where(scope.clause(u.tenant_id), u.day >= month_start, u.day <= as_of)
        .cte("month_daily")
    )


def usage_against_limits(
    conn: Connection, *, scope: TenantScope, as_of: dt.date, metrics: tuple[str, ...]
) -> pd.DataFrame:
    """Per tenant and metric, usage in the calendar month of `as_of` up to `as_of`: used,
    limit_value (null = unlimited) and its limit_source, reached_on (the first day the
    running total reached the limit, null if not), the month_start, elapsed_days (1st to
    `as_of`, inclusive) and days_in_month. Every metric of the tenants with a live
    subscription (trialing, active, past_due); for other tenants, the metrics they used this
    month. Columns LIMIT_COLUMNS, by tenant, metric."""
    month_start = as_of.replace(day=1)
    lim = _limits(scope, as_of, metrics)
    d = _month_daily(scope, month_start, as_of)
    used = cast(func.coalesce(func.sum(d.c.quantity), 0), Float)
    reached = func.min(d.c.day).filter(d.c.cumulative >= lim.c.limit_value)
    keys = [lim.c[c] for c in ("tenant_id", "tenant_name", "plan_id", "status", "metric")]
    stmt = (
        select(
            *keys,
            used.label("used"),
            lim.c.limit_value,
            lim.c.limit_source,
            reached.label("reached_on"),
            literal(month_start, Date).label("month_start"),
            literal((as_of - month_start).days + 1).label("elapsed_days"),
            literal(_days_in_month(month_start)).label("days_in_month"),
        )
        .select_from(lim)
        .outerjoin(d, and_(d.c.tenant_id == lim.c.tenant_id, d.c.metric == lim.c.metric))
        .group_by(*keys, lim.c.limit_value, lim.c.limit_source)
        .having(or_(lim.c.status.in_(LIVE), func.coalesce(func.sum(d.c.quantity), 0) > 0))
        .order_by(lim.c.tenant_name, lim.c.metric)
    )
    return frame(conn, stmt, LIMIT_COLUMNS)


def tenant_daily_usage(
    conn: Connection, *, scope: TenantScope, tenant_id: str, as_of: dt.date
) -> pd.DataFrame:
    """One tenant's daily usage in the calendar month of `as_of`, up to `as_of`: quantity
    and running total per metric. Columns DAILY_USAGE_COLUMNS, by metric and day; days without
    usage are absent."""
    u = UsageDaily
    running = func.sum(u.quantity).over(partition_by=u.metric, order_by=u.day)
    stmt = (
        select(
            u.day,
            u.metric,
            cast(u.quantity, Float).label("quantity"),
            cast(running, Float).label("cumulative"),
        )
        .where(scope.clause(u.tenant_id), u.tenant_id == tenant_id)
        .where(u.day >= as_of.replace(day=1), u.day <= as_of)
        .order_by(u.metric, u.day)
    )
    return frame(conn, stmt, DAILY_USAGE_COLUMNS)


def monthly_usage(
    conn: Connection,
    *,
    scope: TenantScope,
    first_month: dt.date,
    as_of: dt.date,
    metrics: tuple[str, ...],
) -> pd.DataFrame:
    """Each metric's usage over the scope's tenants per calendar month, from the month of
    `first_month` up to `as_of` (inclusive): month (its first day), metric, used. Months and
    metrics without usage are absent. Columns MONTHLY_USAGE_COLUMNS, by month and metric."""
    u = UsageDaily
    month = cast(func.date_trunc("month", u.day), Date).label("month")
    stmt = (
        select(month, u.metric, cast(func.sum(u.quantity), Float).label("used"))
        .where(scope.clause(u.tenant_id), u.metric.in_(metrics))
        .where(u.day >= first_month.replace(day=1), u.day <= as_of)
        .group_by(month, u.metric)
        .order_by(month, u.metric)
    )
    return frame(conn, stmt, MONTHLY_USAGE_COLUMNS)
