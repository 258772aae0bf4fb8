"""Subscriptions, MRR and payments, from the subscription ledger (`subscription_events`).

Every ledger row holds the subscription's state *after* the event, so a subscription's state
at an instant is its last event at or before that instant. Month-end states are found with
one index probe per (subscription, month) on `ix_subscription_events_sub`.

MRR (ChartMogul / Baremetrics): active and past_due subscriptions count their price per
month (annual price / 12), trialing and canceled count zero. Amounts are whole cents,
converted to USD with a rate table passed in as `rates` ((currency, rate to USD), ...);
a currency missing from the table converts to 0 USD (callers flag it, see mrr_by_currency).

Instants: `as_of` is the last day included; its end (`as_of + 1 day`, 00:00 UTC) closes the
current, partial month. A month's closing instant is the start of the next month, or that.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import (
    CTE,
    BigInteger,
    ColumnElement,
    Connection,
    Date,
    DateTime,
    Float,
    Numeric,
    Text,
    and_,
    case,
    cast,
    column,
    exists,
    false,
    func,
    literal_column,
    select,
    true,
    values,
)
from sqlalchemy.orm import InstrumentedAttribute, aliased
from sqlalchemy.sql.elements import ColumnClause
from sqlalchemy.sql.selectable import LateralFromClause, Values

from ..db.models import Payment, Subscription, SubscriptionEvent, Tenant
from ..scope import TenantScope
from ._frames import frame
from .dates import end_of, start_of

__all__ = [
    "CURRENCY_COLUMNS",
    "FAILED_PAYMENT_COLUMNS",
    "MOVEMENT_COLUMNS",
    "MOVEMENT_CUSTOMER_COLUMNS",
    "PAST_DUE_COLUMNS",
    "PAYMENT_COLUMNS",
    "PLAN_MONTH_END_COLUMNS",
    "STATUS_COLUMNS",
    "TENANT_REVENUE_COLUMNS",
    "TRIAL_COLUMNS",
    "UPCOMING_COLUMNS",
    "Rates",
    "failed_payments",
    "movement_customers",
    "mrr_by_currency",
    "mrr_movements",
    "past_due_subscriptions",
    "payments_by_month",
    "plan_month_ends",
    "status_month_ends",
    "tenant_revenue",
    "trial_conversions",
    "upcoming_period_ends",
]

Rates = tuple[tuple[str, float], ...]
Col = ColumnElement[Any] | InstrumentedAttribute[Any]
MONTH: ColumnClause[Any] = literal_column("interval '1 month'")
PAYING = ("active", "past_due")
E = SubscriptionEvent

MOVEMENT_COLUMNS = {
    "month": "object",
    "opening_mrr_cents": "int64",
    "new_cents": "int64",
    "expansion_cents": "int64",
    "reactivation_cents": "int64",
    "contraction_cents": "int64",
    "churn_cents": "int64",
    "closing_mrr_cents": "int64",
    "opening_customers": "int64",
    "closing_customers": "int64",
    "new_customers": "int64",
    "reactivated_customers": "int64",
    "churned_customers": "int64",
}
MOVEMENT_CUSTOMER_COLUMNS = {
    "tenant_id": "object",
    "tenant_name": "str",
    "movement": "str",
    "mrr_before_cents": "int64",
    "mrr_after_cents": "int64",
    "change_cents": "int64",
}
STATUS_COLUMNS = {
    "month": "object",
    "active": "int64",
    "trialing": "int64",
    "past_due": "int64",
    "canceled": "int64",
    "canceled_in_month": "int64",
}
PLAN_MONTH_END_COLUMNS = {
    "month": "object",
    "plan_id": "str",
    "subscriptions": "int64",
    "paying": "int64",
    "mrr_cents": "int64",
}
CURRENCY_COLUMNS = {
    "currency": "str",
    "rate": "float64",
    "subscriptions": "int64",
    "mrr_native_cents": "int64",
    "mrr_usd_cents": "int64",
}
TRIAL_COLUMNS = {"month": "object", "started": "int64", "ended": "int64", "converted": "int64"}
PAST_DUE_COLUMNS = {
    "tenant_id": "object",
    "tenant_name": "str",
    "plan_id": "str",
    "billing_cycle": "str",
    "currency": "str",
    "past_due_since": "datetime64[us, UTC]",
    "days_overdue": "int64",
    "failed_payment_cents": "int64",
    "mrr_usd_cents": "int64",
}
UPCOMING_COLUMNS = {
    "tenant_id": "object",
    "tenant_name": "str",
    "plan_id": "str",
    "status": "str",
    "billing_cycle": "str",
    "currency": "str",
    "price_cents": "int64",
    "current_period_end": "datetime64[us, UTC]",
    "due": "str",
    "mrr_usd_cents": "int64",
}
PAYMENT_COLUMNS = {
    "month": "object",
    "payments": "int64",
    "billed_usd_cents": "int64",
    "collected_usd_cents": "int64",
    "failed_usd_cents": "int64",
    "failed_payments": "int64",
}
FAILED_PAYMENT_COLUMNS = {
    "tenant_id": "object",
    "tenant_name": "str",
    "billed_at": "datetime64[us, UTC]",
    "currency": "str",
    "amount_cents": "int64",
    "total_cents": "int64",
    "amount_usd_cents": "int64",
    "paid_later": "bool",
}
TENANT_REVENUE_COLUMNS = {
    "tenant_id": "object",
    "tenant_name": "str",
    "revenue_usd": "float64",
    "closing_mrr_usd_cents": "int64",
}


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _rates(rates: Rates) -> Values:
    """The rate table as a VALUES list (currency, rate), rates exact as numeric."""
    rows = [(code, Decimal(str(rate))) for code, rate in rates]
    return values(column("currency", Text), column("rate", Numeric), name="rates").data(rows)


def _months(scope: TenantScope, first_month: dt.date, as_of: dt.date, *, from_history: bool) -> CTE:
    """Month grid: month (date), at (the month's closing instant), coverage (share of the
    month up to `as_of`). From `first_month`, or from the ledger's first month when earlier
    and `from_history` (MRR movements need every earlier month end)."""
    begin: ColumnElement[Any] = cast(first_month, DateTime)
    if from_history:
        first_event = select(func.min(E.occurred_at)).where(scope.clause(E.tenant_id))
        history = func.date_trunc("month", func.timezone("UTC", first_event.scalar_subquery()))
        begin = func.least(begin, history)
    end = cast(end_of(as_of).replace(tzinfo=None), DateTime)
    start = func.generate_series(begin, cast(_month_start(as_of), DateTime), MONTH)
    m = start.table_valued("month_start").render_derived(name="m")
    close = func.least(m.c.month_start + MONTH, end)
    whole = func.extract("epoch", m.c.month_start + MONTH - m.c.month_start)
    covered = func.extract("epoch", close - m.c.month_start)
    return select(
        cast(m.c.month_start, Date).label("month"),
        func.timezone("UTC", close).label("at"),
        (covered / whole).label("coverage"),
    ).cte("months")


def _last_event_before(scope: TenantScope, at: Col | dt.datetime, *cols: Col) -> LateralFromClause:
    """LATERAL: the subscription's last ledger row before `at` (correlates to Subscription)."""
    return (
        select(*cols)
        .where(scope.clause(E.tenant_id), E.tenant_id == Subscription.tenant_id)
        .where(E.subscription_id == Subscription.id, E.occurred_at < at)
        .order_by(E.occurred_at.desc())
        .limit(1)
        .lateral("e")
    )


def _mrr_cents(state: LateralFromClause, rate: Col | None = None) -> ColumnElement[Any]:
    """Whole cents of monthly recurring revenue of a ledger state (`state` is the lateral)."""
    per_month = case((state.c.billing_cycle == "annual", 12), else_=1)
    amount = cast(state.c.price_cents, Numeric) * (1 if rate is None else rate)
    cents = cast(func.round(amount / per_month), BigInteger)
    return case((state.c.status.in_(PAYING), func.coalesce(cents, 0)), else_=0)


def _states(scope: TenantScope, months: CTE, rates: Rates) -> CTE:
    """One row per (subscription, month) once it exists: tenant_id, month, at, coverage,
    plan_id, status, billing_cycle, currency, occurred_at (of the state's event),
    mrr_native_cents, mrr_cents (USD)."""
    e = _last_event_before(
        scope,
        months.c.at,
        E.plan_id,
        E.status,
        E.billing_cycle,
        E.price_cents,
        E.currency,
        E.occurred_at,
    )
    r = _rates(rates)
    return (
        select(
            Subscription.tenant_id,
            months.c.month,
            months.c.at,
            months.c.coverage,
            e.c.plan_id,
            e.c.status,
            e.c.billing_cycle,
            e.c.currency,
            e.c.occurred_at,
            _mrr_cents(e).label("mrr_native_cents"),
            _mrr_cents(e, r.c.rate).label("mrr_cents"),
        )
        .select_from(months)
        .join(Subscription, true())
        .join(e, true())
        .outerjoin(r, r.c.currency == e.c.currency)
        .where(scope.clause(Subscription.tenant_id))
        .cte("states")
    )


def _tenant_months(states: CTE) -> CTE:
    """Per tenant and month end: mrr (USD cents), opening (previous month end) and whether
    the tenant had MRR at any earlier month end."""
    per_tenant = (
        select(
            states.c.tenant_id,
            states.c.month,
            states.c.coverage,
            cast(func.sum(states.c.mrr_cents), BigInteger).label("mrr"),
        )
        .group_by(states.c.tenant_id, states.c.month, states.c.coverage)
        .cte("tenant_mrr")
    )
    who, when = per_tenant.c.tenant_id, per_tenant.c.month
    return select(
        per_tenant.c.tenant_id,
        per_tenant.c.month,
        per_tenant.c.coverage,
        per_tenant.c.mrr,
        func.coalesce(func.lag(per_tenant.c.mrr).over(partition_by=who, order_by=when), 0).label(
            "opening"
        ),
        func.coalesce(
            func.bool_or(per_tenant.c.mrr > 0).over(
                partition_by=who, order_by=when, rows=(None, -1)
            ),
            false(),
        ).label("had_mrr"),
    ).cte("tenant_months")


def _sum_if(condition: ColumnElement[bool], amount: Col) -> ColumnElement[Any]:
    return cast(func.coalesce(func.sum(amount).filter(condition), 0), BigInteger)


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.count().filter(condition)


def mrr_movements(
    conn: Connection, *, scope: TenantScope, first_month: dt.date, as_of: dt.date, rates: Rates
) -> pd.DataFrame:
    """MRR movements per month from `first_month` to the month of `as_of` (partial, closing
    at the end of `as_of`), in USD cents. Columns MOVEMENT_COLUMNS. Each tenant's change
    between consecutive month ends goes to exactly one movement: 0 -> x new (first time) or
    reactivation (had MRR at an earlier month end), x -> y expansion or contraction,
    x -> 0 churn; contraction and churn are negative. So, for every month,
    opening + new + expansion + reactivation + contraction + churn = closing."""
    months = _months(scope, first_month, as_of, from_history=True)
    tm = _tenant_months(_states(scope, months, _rates_or_usd(rates)))
    change = tm.c.mrr - tm.c.opening
    starts = and_(tm.c.opening == 0, tm.c.mrr > 0)
    stays = and_(tm.c.opening > 0, tm.c.mrr > 0)
    stops = and_(tm.c.opening > 0, tm.c.mrr == 0)
    stmt = (
        select(
            months.c.month,
            _sum_if(true(), tm.c.opening).label("opening_mrr_cents"),
            _sum_if(and_(starts, ~tm.c.had_mrr), tm.c.mrr).label("new_cents"),
            _sum_if(and_(stays, tm.c.mrr > tm.c.opening), change).label("expansion_cents"),
            _sum_if(and_(starts, tm.c.had_mrr), tm.c.mrr).label("reactivation_cents"),
            _sum_if(and_(stays, tm.c.mrr < tm.c.opening), change).label("contraction_cents"),
            _sum_if(stops, -tm.c.opening).label("churn_cents"),
            _sum_if(true(), tm.c.mrr).label("closing_mrr_cents"),
            _count_if(tm.c.opening > 0).label("opening_customers"),
            _count_if(tm.c.mrr > 0).label("closing_customers"),
            _count_if(and_(starts, ~tm.c.had_mrr)).label("new_customers"),
            _count_if(and_(starts, tm.c.had_mrr)).label("reactivated_customers"),
            _count_if(stops).label("churned_customers"),
        )
        .select_from(months)
        .outerjoin(tm, tm.c.month == months.c.month)
        .where(months.c.month >= first_month)
        .group_by(months.c.month)
        .order_by(months.c.month)
    )
    return frame(conn, stmt, MOVEMENT_COLUMNS)


def _rates_or_usd(rates: Rates) -> Rates:
    return rates or (("USD", 1.0),)


def _movement_kind(tm: CTE) -> ColumnElement[Any]:
    """The movement of a tenant's month (as mrr_movements sorts it), NULL when unchanged."""
    starts = and_(tm.c.opening == 0, tm.c.mrr > 0)
    return case(
        (and_(starts, ~tm.c.had_mrr), "new"),
        (starts, "reactivation"),
        (and_(tm.c.opening > 0, tm.c.mrr > tm.c.opening), "expansion"),
        (and_(tm.c.opening > 0, tm.c.mrr > 0, tm.c.mrr < tm.c.opening), "contraction"),
        (and_(tm.c.opening > 0, tm.c.mrr == 0), "churn"),
    )


def movement_customers(
    conn: Connection,
    *,
    scope: TenantScope,
    month: dt.date,
    as_of: dt.date,
    rates: Rates,
    movement: str | None = None,
) -> pd.DataFrame:
    """The customers behind the MRR movements of `month` (its first day; the month of
    `as_of` closes at the end of `as_of`, as in mrr_movements): each tenant whose MRR
    changed between the previous month end and this one, its movement (new, expansion,
    reactivation, contraction, churn; only `movement` when given), its MRR before and
    after (USD cents) and change = after - before. Per movement the changes sum to that
    movement of mrr_movements. Columns MOVEMENT_CUSTOMER_COLUMNS, largest change first."""
    months = _months(scope, month, as_of, from_history=True)
    tm = _tenant_months(_states(scope, months, _rates_or_usd(rates)))
    moves = (
        select(tm.c.tenant_id, _movement_kind(tm).label("movement"), tm.c.opening, tm.c.mrr)
        .where(tm.c.month == month)
        .subquery("moves")
    )
    change = moves.c.mrr - moves.c.opening
    stmt = (
        select(
            moves.c.tenant_id,
            Tenant.name.label("tenant_name"),
            moves.c.movement,
            moves.c.opening.label("mrr_before_cents"),
            moves.c.mrr.label("mrr_after_cents"),
            change.label("change_cents"),
        )
        .join(Tenant, Tenant.id == moves.c.tenant_id)
        .where(moves.c.movement.is_not(None))
        .order_by(func.abs(change).desc(), Tenant.name)
    )
    if movement is not None:
        stmt = stmt.where(moves.c.movement == movement)
    return frame(conn, stmt, MOVEMENT_CUSTOMER_COLUMNS)


def status_month_ends(
    conn: Connection, *, scope: TenantScope, first_month: dt.date, as_of: dt.date
) -> pd.DataFrame:
    """Subscriptions by status at each month end from `first_month` to `as_of`'s month
    (closing at the end of `as_of`). Columns STATUS_COLUMNS; canceled counts every canceled
    subscription, canceled_in_month those whose cancellation happened in the month."""
    months = _months(scope, first_month, as_of, from_history=False)
    s = _states(scope, months, (("USD", 1.0),))
    in_month = s.c.occurred_at >= func.timezone("UTC", cast(s.c.month, DateTime))
    stmt = (
        select(
            months.c.month,
            *(_count_if(s.c.status == st).label(st) for st in list(STATUS_COLUMNS)[1:5]),
            _count_if(and_(s.c.status == "canceled", in_month)).label("canceled_in_month"),
        )
        .select_from(months)
        .outerjoin(s, s.c.month == months.c.month)
        .group_by(months.c.month)
        .order_by(months.c.month)
    )
    return frame(conn, stmt, STATUS_COLUMNS)


def plan_month_ends(
    conn: Connection, *, scope: TenantScope, first_month: dt.date, as_of: dt.date, rates: Rates
) -> pd.DataFrame:
    """Per month end and plan: live (not canceled) subscriptions, paying ones (active or
    past_due) and their MRR in USD cents. Columns PLAN_MONTH_END_COLUMNS, by month and plan."""
    months = _months(scope, first_month, as_of, from_history=False)
    s = _states(scope, months, _rates_or_usd(rates))
    stmt = (
        select(
            s.c.month,
            s.c.plan_id,
            _count_if(s.c.status != "canceled").label("subscriptions"),
            _count_if(s.c.status.in_(PAYING)).label("paying"),
            cast(func.sum(s.c.mrr_cents), BigInteger).label("mrr_cents"),
        )
        .group_by(s.c.month, s.c.plan_id)
        .having(func.count().filter(s.c.status != "canceled") > 0)
        .order_by(s.c.month, s.c.plan_id)
    )
    return frame(conn, stmt, PLAN_MONTH_END_COLUMNS)


def mrr_by_currency(
    conn: Connection, *, scope: TenantScope, as_of: dt.date, rates: Rates
) -> pd.DataFrame:
    """MRR at the end of `as_of` by the subscriptions' own currency: rate (null when the
    rate table lacks the currency), paying subscriptions, MRR in that currency and in USD
    (cents). Columns CURRENCY_COLUMNS, by currency."""
    months = _months(scope, _month_start(as_of), as_of, from_history=False)
    s = _states(scope, months, _rates_or_usd(rates))
    r = _rates(_rates_or_usd(rates))
    stmt = (
        select(
            s.c.currency,
            func.max(r.c.rate).label("rate"),
            _count_if(s.c.status.in_(PAYING)).label("subscriptions"),
            cast(func.sum(s.c.mrr_native_cents), BigInteger).label("mrr_native_cents"),
            cast(func.sum(s.c.mrr_cents), BigInteger).label("mrr_usd_cents"),
        )
        .outerjoin(r, r.c.currency == s.c.currency)
        .group_by(s.c.currency)
        .having(func.count().filter(s.c.status.in_(PAYING)) > 0)
        .order_by(s.c.currency)
    )
    return frame(conn, stmt, CURRENCY_COLUMNS).astype({"rate": "float64"})


def tenant_revenue(
    conn: Connection, *, scope: TenantScope, first_month: dt.date, as_of: dt.date, rates: Rates
) -> pd.DataFrame:
    """Subscription revenue per tenant from `first_month` to the end of `as_of`: the sum of
    its month-end MRR (USD), the current partial month pro-rated by the days elapsed.
    revenue_usd in dollars (2 decimals); closing_mrr_usd_cents at the end of `as_of`.
    Columns TENANT_REVENUE_COLUMNS, tenants with any MRR in the period, by name."""
    months = _months(scope, first_month, as_of, from_history=False)
    tm = _tenant_months(_states(scope, months, _rates_or_usd(rates)))
    revenue = func.round(cast(func.sum(tm.c.mrr * tm.c.coverage), Numeric) / 100, 2)
    closing = func.max(tm.c.mrr).filter(tm.c.month == _month_start(as_of))
    stmt = (
        select(
            tm.c.tenant_id,
            Tenant.name.label("tenant_name"),
            cast(revenue, Float).label("revenue_usd"),
            cast(func.coalesce(closing, 0), BigInteger).label("closing_mrr_usd_cents"),
        )
        .join(Tenant, Tenant.id == tm.c.tenant_id)
        .group_by(tm.c.tenant_id, Tenant.name)
        .having(func.sum(tm.c.mrr) > 0)
        .order_by(Tenant.name)
    )
    return frame(conn, stmt, TENANT_REVENUE_COLUMNS)


def trial_conversions(
    conn: Connection, *, scope: TenantScope, first_month: dt.date, as_of: dt.date
) -> pd.DataFrame:
    """Trials started from `first_month` to the end of `as_of`, by month of start: started,
    ended (the subscription left `trialing` by the end of `as_of`) and converted (it left
    by an `activated` event). Columns TRIAL_COLUMNS, by month."""
    t = aliased(E, name="t")
    end = end_of(as_of)
    left = (
        select(E.event_type)
        .where(scope.clause(E.tenant_id), E.tenant_id == t.tenant_id)
        .where(E.subscription_id == t.subscription_id, E.occurred_at > t.occurred_at)
        .where(E.occurred_at < end, E.status != "trialing")
        .order_by(E.occurred_at)
        .limit(1)
        .lateral("left_trial")
    )
    month = cast(func.date_trunc("month", func.timezone("UTC", t.occurred_at)), Date)
    stmt = (
        select(
            month.label("month"),
            func.count().label("started"),
            func.count(left.c.event_type).label("ended"),
            _count_if(left.c.event_type == "activated").label("converted"),
        )
        .select_from(t)
        .outerjoin(left, true())
        .where(scope.clause(t.tenant_id), t.event_type == "trial_started")
        .where(t.occurred_at >= start_of(first_month), t.occurred_at < end)
        .group_by(month)
        .order_by(month)
    )
    return frame(conn, stmt, TRIAL_COLUMNS)


def past_due_subscriptions(
    conn: Connection, *, scope: TenantScope, as_of: dt.date, rates: Rates
) -> pd.DataFrame:
    """Subscriptions past_due at the end of `as_of`: since the latest `past_due` event, whole
    days overdue (as_of minus that event's UTC date), the latest failed payment (total with
    tax, subscription currency, cents) and the MRR at risk (USD cents). Columns
    PAST_DUE_COLUMNS, most overdue first."""
    end = end_of(as_of)
    e = _last_event_before(
        scope, end, E.plan_id, E.status, E.billing_cycle, E.price_cents, E.currency
    )
    since = _latest_past_due(scope, end)
    failed = _latest_failed_payment(scope, end)
    r = _rates(_rates_or_usd(rates))
    overdue = as_of - cast(func.timezone("UTC", since.c.at), Date)
    stmt = (
        select(
            Subscription.tenant_id,
            Tenant.name.label("tenant_name"),
            e.c.plan_id,
            e.c.billing_cycle,
            e.c.currency,
            since.c.at.label("past_due_since"),
            overdue.label("days_overdue"),
            failed.c.total_cents.label("failed_payment_cents"),
            _mrr_cents(e, r.c.rate).label("mrr_usd_cents"),
        )
        .join(Tenant, Tenant.id == Subscription.tenant_id)
        .join(e, true())
        .outerjoin(since, true())
        .outerjoin(failed, true())
        .outerjoin(r, r.c.currency == e.c.currency)
        .where(scope.clause(Subscription.tenant_id), e.c.status == "past_due")
        .order_by(since.c.at, Tenant.name)
    )
    return frame(conn, stmt, PAST_DUE_COLUMNS)


def _latest_of_subscription(
    scope: TenantScope,
    end: dt.datetime,
    rows: type[SubscriptionEvent] | type[Payment],
    when: Col,
    kind: ColumnElement[bool],
    *,
    picked: Col,
    name: str,
) -> LateralFromClause:
    """`picked` of the outer subscription's latest row of `rows` (events or payments) of
    `kind`, by `when`, before `end`: a lateral subquery named `name`."""
    return (
        select(picked)
        .where(scope.clause(rows.tenant_id), rows.tenant_id == Subscription.tenant_id)
        .where(rows.subscription_id == Subscription.id, kind)
        .where(when < end)
        .order_by(when.desc())
        .limit(1)
        .lateral(name)
    )


def _latest_past_due(scope: TenantScope, end: dt.datetime) -> LateralFromClause:
    past_due = E.event_type == "past_due"
    at = E.occurred_at.label("at")
    return _latest_of_subscription(scope, end, E, E.occurred_at, past_due, picked=at, name="since")


def _latest_failed_payment(scope: TenantScope, end: dt.datetime) -> LateralFromClause:
    failed = Payment.status == "failed"
    return _latest_of_subscription(
        scope, end, Payment, Payment.billed_at, failed, picked=Payment.total_cents, name="failed"
    )


def upcoming_period_ends(
    conn: Connection, *, scope: TenantScope, as_of: dt.date, days: int, rates: Rates
) -> pd.DataFrame:
    """Live subscriptions whose current period ends from the start of `as_of` to the end of
    `as_of + days` (current subscription records): due = 'cancellation' when
    cancel_at_period_end, else 'renewal'. Columns UPCOMING_COLUMNS, by period end."""
    s = Subscription
    r = _rates(_rates_or_usd(rates))
    per_month = case((s.billing_cycle == "annual", 12), else_=1)
    mrr = func.round(cast(s.price_cents, Numeric) * r.c.rate / per_month)
    stmt = (
        select(
            s.tenant_id,
            Tenant.name.label("tenant_name"),
            s.plan_id,
            s.status,
            s.billing_cycle,
            s.currency,
            s.price_cents,
            s.current_period_end,
            case((s.cancel_at_period_end, "cancellation"), else_="renewal").label("due"),
            cast(case((s.status.in_(PAYING), func.coalesce(mrr, 0)), else_=0), BigInteger).label(
                "mrr_usd_cents"
            ),
        )
        .join(Tenant, Tenant.id == s.tenant_id)
        .outerjoin(r, r.c.currency == s.currency)
        .where(scope.clause(s.tenant_id), s.status != "canceled")
        .where(s.current_period_end >= start_of(as_of))
        .where(s.current_period_end < end_of(as_of + dt.timedelta(days=days)))
        .order_by(s.current_period_end, Tenant.name)
    )
    return frame(conn, stmt, UPCOMING_COLUMNS)


def _usd(amount: Col, rate: Col) -> ColumnElement[Any]:
    return func.coalesce(func.round(cast(amount, Numeric) * rate), 0)


def payments_by_month(
    conn: Connection, *, scope: TenantScope, first_month: dt.date, as_of: dt.date, rates: Rates
) -> pd.DataFrame:
    """Payments billed from `first_month` to the end of `as_of`, by month billed: count,
    billed (every payment), collected (succeeded), failed, all excluding tax, USD cents;
    failed_payments a count. Columns PAYMENT_COLUMNS; months without payments are absent."""
    p = Payment
    r = _rates(_rates_or_usd(rates))
    month = cast(func.date_trunc("month", func.timezone("UTC", p.billed_at)), Date)
    usd = _usd(p.amount_cents, r.c.rate)
    stmt = (
        select(
            month.label("month"),
            func.count().label("payments"),
            _sum_if(true(), usd).label("billed_usd_cents"),
            _sum_if(p.status == "succeeded", usd).label("collected_usd_cents"),
            _sum_if(p.status == "failed", usd).label("failed_usd_cents"),
            _count_if(p.status == "failed").label("failed_payments"),
        )
        .outerjoin(r, r.c.currency == p.currency)
        .where(scope.clause(p.tenant_id), p.billed_at >= start_of(first_month))
        .where(p.billed_at < end_of(as_of))
        .group_by(month)
        .order_by(month)
    )
    return frame(conn, stmt, PAYMENT_COLUMNS)


def failed_payments(
    conn: Connection,
    *,
    scope: TenantScope,
    first_month: dt.date,
    as_of: dt.date,
    rates: Rates,
    limit: int,
) -> pd.DataFrame:
    """The latest `limit` failed payments billed from `first_month` to the end of `as_of`:
    amount (excluding tax) and total in the payment's currency, amount in USD (cents), and
    paid_later (a later payment of the same subscription, billed by the end of `as_of`,
    succeeded). Columns FAILED_PAYMENT_COLUMNS, newest first."""
    p, later = Payment, aliased(Payment, name="later")
    r = _rates(_rates_or_usd(rates))
    paid_later = exists().where(
        scope.clause(later.tenant_id),
        later.tenant_id == p.tenant_id,
        later.subscription_id == p.subscription_id,
        later.status == "succeeded",
        later.billed_at > p.billed_at,
        later.billed_at < end_of(as_of),
    )
    stmt = (
        select(
            p.tenant_id,
            Tenant.name.label("tenant_name"),
            p.billed_at,
            p.currency,
            p.amount_cents,
            p.total_cents,
            cast(_usd(p.amount_cents, r.c.rate), BigInteger).label("amount_usd_cents"),
            paid_later.label("paid_later"),
        )
        .join(Tenant, Tenant.id == p.tenant_id)
        .outerjoin(r, r.c.currency == p.currency)
        .where(scope.clause(p.tenant_id), p.status == "failed")
        .where(p.billed_at >= start_of(first_month), p.billed_at < end_of(as_of))
        .order_by(p.billed_at.desc())
        .limit(limit)
    )
    return frame(conn, stmt, FAILED_PAYMENT_COLUMNS)
