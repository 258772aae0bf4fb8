"""The job ledger (`runs`): volumes, failures, queue and run times, errors, cost per tenant;
and the span of the platform's activity, which sets the leadership pages' "as of" day.

Runs are placed in time by `queued_at` (index `ix_runs_queued`); a range is whole UTC days
from `start` to `end`, inclusive. Queue time is started_at - queued_at, run time
finished_at - started_at, in seconds; percentiles are percentile_cont (linear
interpolation). The failure rate is failed / finished (succeeded, failed or canceled).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Float,
    cast,
    func,
    literal_column,
    select,
    tuple_,
)
from sqlalchemy.orm import InstrumentedAttribute

from ..db.models import Payment, Run, SubscriptionEvent, Tenant, UsageDaily
from ..scope import TenantScope
from ._frames import frame
from .dates import utc_day

__all__ = [
    "BOUNDS_COLUMNS",
    "COST_COLUMNS",
    "ERROR_COLUMNS",
    "RUNS_PER_DAY_COLUMNS",
    "TIMING_COLUMNS",
    "activity_bounds",
    "frequent_errors",
    "run_costs_by_tenant",
    "run_timings",
    "runs_per_day",
]

Col = ColumnElement[Any] | InstrumentedAttribute[Any]
FINISHED = ("succeeded", "failed", "canceled")
BOUNDS_COLUMNS = {"first_day": "object", "last_day": "object"}
RUNS_PER_DAY_COLUMNS = {
    "day": "object",
    "kind": "str",
    "status": "str",
    "runs": "int64",
    "finished": "int64",
    "failed": "int64",
}
TIMING_COLUMNS = {
    "kind": "str",
    "runs": "int64",
    "finished": "int64",
    "failed": "int64",
    "failure_rate": "float64",
    "queue_p50_s": "float64",
    "queue_p95_s": "float64",
    "run_p50_s": "float64",
    "run_p95_s": "float64",
}
ERROR_COLUMNS = {
    "error": "str",
    "failures": "int64",
    "tenants": "int64",
    "kinds": "str",
    "last_seen": "datetime64[us, UTC]",
}
COST_COLUMNS = {
    "tenant_id": "object",
    "tenant_name": "str",
    "runs": "int64",
    "tokens_input": "int64",
    "tokens_output": "int64",
    "compute_seconds": "float64",
    "cost_usd": "float64",
}


def _day_range(start: dt.date, end: dt.date) -> ColumnElement[bool]:
    """`queued_at` within whole UTC days `start`..`end`."""
    low = dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC)
    high = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    return (Run.queued_at >= low) & (Run.queued_at < high)


def activity_bounds(conn: Connection, *, scope: TenantScope) -> pd.DataFrame:
    """One row: the first and last UTC day with any subscription event, payment, usage or
    run (null, null on an empty database). Each bound is one index probe. Columns
    BOUNDS_COLUMNS."""
    probes = [
        (
            func.min(SubscriptionEvent.occurred_at),
            func.max(SubscriptionEvent.occurred_at),
            SubscriptionEvent.tenant_id,
        ),
        (func.min(Payment.billed_at), func.max(Payment.billed_at), Payment.tenant_id),
        (func.min(Run.queued_at), func.max(Run.queued_at), Run.tenant_id),
    ]
    firsts = [select(utc_day(lo)).where(scope.clause(t)).scalar_subquery() for lo, _, t in probes]
    lasts = [select(utc_day(hi)).where(scope.clause(t)).scalar_subquery() for _, hi, t in probes]
    usage = UsageDaily
    firsts.append(
        select(func.min(usage.day)).where(scope.clause(usage.tenant_id)).scalar_subquery()
    )
    lasts.append(select(func.max(usage.day)).where(scope.clause(usage.tenant_id)).scalar_subquery())
    stmt = select(func.least(*firsts).label("first_day"), func.greatest(*lasts).label("last_day"))
    return frame(conn, stmt, BOUNDS_COLUMNS)


def runs_per_day(
    conn: Connection, *, scope: TenantScope, start: dt.date, end: dt.date
) -> pd.DataFrame:
    """Runs queued per UTC day in three groupings: per (day, kind) rows have status null,
    per (day, status) rows have kind null, the per-day total has both null. runs, finished
    (succeeded, failed or canceled) and failed counts. Columns RUNS_PER_DAY_COLUMNS, by day; days
    and combinations without runs are absent."""
    day = utc_day(Run.queued_at)
    sets = func.grouping_sets(tuple_(day, Run.kind), tuple_(day, Run.status), tuple_(day))
    stmt = (
        select(
            day.label("day"),
            Run.kind,
            Run.status,
            func.count().label("runs"),
            func.count().filter(Run.status.in_(FINISHED)).label("finished"),
            func.count().filter(Run.status == "failed").label("failed"),
        )
        .where(scope.clause(Run.tenant_id), _day_range(start, end))
        .group_by(sets)
        .order_by(day, Run.kind, Run.status)
    )
    return frame(conn, stmt, RUNS_PER_DAY_COLUMNS)


def _seconds(later: Col, earlier: Col) -> ColumnElement[Any]:
    return func.extract("epoch", later - earlier)


def _percentile(fraction: float, seconds: ColumnElement[Any]) -> ColumnElement[Any]:
    return cast(func.percentile_cont(fraction).within_group(seconds), Float)


def run_timings(
    conn: Connection, *, scope: TenantScope, start: dt.date, end: dt.date
) -> pd.DataFrame:
    """Per kind, and over all kinds (kind 'all', last): runs, finished, failed,
    failure_rate (failed / finished, null when none finished) and p50/p95 of queue time
    (runs that started) and run time (runs that finished), in seconds. Columns
    TIMING_COLUMNS."""
    queue = _seconds(Run.started_at, Run.queued_at)
    running = _seconds(Run.finished_at, Run.started_at)
    finished = func.count().filter(Run.status.in_(FINISHED))
    failed = func.count().filter(Run.status == "failed")
    is_total = func.grouping(Run.kind)
    stmt = (
        select(
            func.coalesce(Run.kind, "all").label("kind"),
            func.count().label("runs"),
            finished.label("finished"),
            failed.label("failed"),
            (cast(failed, Float) / func.nullif(finished, 0)).label("failure_rate"),
            _percentile(0.5, queue).label("queue_p50_s"),
            _percentile(0.95, queue).label("queue_p95_s"),
            _percentile(0.5, running).label("run_p50_s"),
            _percentile(0.95, running).label("run_p95_s"),
        )
        .where(scope.clause(Run.tenant_id), _day_range(start, end))
        .group_by(func.rollup(Run.kind))
        .order_by(is_total, Run.kind)
    )
    return frame(conn, stmt, TIMING_COLUMNS)


def frequent_errors(
    conn: Connection, *, scope: TenantScope, start: dt.date, end: dt.date, limit: int
) -> pd.DataFrame:
    """The `limit` most frequent error messages of failed runs: failures, distinct tenants,
    the kinds that hit it (comma-separated), last_seen (latest queued_at). Columns
    ERROR_COLUMNS, most frequent first."""
    kinds = func.string_agg(Run.kind.distinct(), literal_column("', '"))
    stmt = (
        select(
            func.coalesce(Run.error, "(no message)").label("error"),
            func.count().label("failures"),
            func.count(Run.tenant_id.distinct()).label("tenants"),
            kinds.label("kinds"),
            func.max(Run.queued_at).label("last_seen"),
        )
        .where(scope.clause(Run.tenant_id), _day_range(start, end), Run.status == "failed")
        .group_by(Run.error)
        .order_by(func.count().desc(), Run.error)
        .limit(limit)
    )
    return frame(conn, stmt, ERROR_COLUMNS)


def run_costs_by_tenant(
    conn: Connection, *, scope: TenantScope, start: dt.date, end: dt.date
) -> pd.DataFrame:
    """Per tenant with runs queued in the range: runs, tokens in and out, compute seconds
    and cost in USD. Columns COST_COLUMNS, by tenant name."""
    per_tenant = (
        select(
            Run.tenant_id,
            func.count().label("runs"),
            cast(func.sum(Run.tokens_input), BigInteger).label("tokens_input"),
            cast(func.sum(Run.tokens_output), BigInteger).label("tokens_output"),
            cast(func.sum(Run.compute_seconds), Float).label("compute_seconds"),
            cast(func.sum(Run.cost_usd), Float).label("cost_usd"),
        )
        .where(scope.clause(Run.tenant_id), _day_range(start, end))
        .group_by(Run.tenant_id)
        .subquery("per_tenant")
    )
    stmt = (
        select(
            per_tenant.c.tenant_id,
            Tenant.name.label("tenant_name"),
            *(per_tenant.c[c] for c in list(COST_COLUMNS)[2:]),
        )
        .join(Tenant, Tenant.id == per_tenant.c.tenant_id)
        .order_by(Tenant.name)
    )
    return frame(conn, stmt, COST_COLUMNS)
