"""Backtest runs with their daily equity, and paper-trade runs, scoped to the viewer's
tenants. Users are read for a display name only (never a password hash)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import (
    Connection,
    Double,
    Select,
    and_,
    cast,
    extract,
    func,
    select,
)
from sqlalchemy.sql._typing import _ColumnExpressionArgument

from ..db.models import (
    BacktestEquityDaily,
    BacktestRun,
    PaperTradeRun,
    Strategy,
    StrategyVersion,
    Tenant,
    User,
)
from ..scope import TenantScope
from ._frames import frame

__all__ = ["EQUITY_COLUMNS", "PAPER_COLUMNS", "RUN_COLUMNS", "equity", "list_runs", "paper_runs"]

RUN_COLUMNS = {
    "run_id": "object",
    "tenant_id": "object",
    "tenant_name": "str",
    "strategy": "str",
    "version": "int64",
    "status": "str",
    "requested_by": "str",
    "created_at": "datetime64[us, UTC]",
    "started_at": "datetime64[us, UTC]",
    "completed_at": "datetime64[us, UTC]",
    "duration_s": "float64",
    "equity_days": "int64",
    "metrics": "object",
    "asset_id": "object",
}
EQUITY_COLUMNS = {"date": "object", "equity": "float64"}
PAPER_COLUMNS = {
    "run_id": "object",
    "tenant_name": "str",
    "strategy": "str",
    "version": "int64",
    "status": "str",
    "schedule": "str",
    "last_execution_at": "datetime64[us, UTC]",
    "snapshot_as_of": "str",
    "snapshot_equity": "float64",
    "snapshot_return_pct": "float64",
    "open_positions": "int64",
}


def _with_strategy(
    stmt: Select,
    version_id_column: _ColumnExpressionArgument,
    tenant_column: _ColumnExpressionArgument,
) -> Select:
    """Join strategy_versions, strategies and tenants to a statement over a run table."""
    sv, st = StrategyVersion, Strategy
    return (
        stmt.join(sv, and_(sv.tenant_id == tenant_column, sv.id == version_id_column))
        .join(st, and_(st.tenant_id == sv.tenant_id, st.id == sv.strategy_id))
        .join(Tenant, Tenant.id == tenant_column)
    )


def list_runs(
    conn: Connection,
    *,
    scope: TenantScope,
    tenants: tuple[str, ...] = (),
    statuses: tuple[str, ...] = (),
    strategies: tuple[str, ...] = (),
    created_from: dt.date | None = None,
    created_to: dt.date | None = None,
) -> pd.DataFrame:
    """Backtest runs, newest first, optionally only those of a tenant named in `tenants`,
    with a status in `statuses` and a strategy title in `strategies` (empty tuple: any),
    created within [created_from, created_to] (UTC dates). Columns RUN_COLUMNS: version is
    the strategy version number, requested_by the requester's display name (else e-mail),
    duration_s completed_at - started_at in seconds (None until both exist), equity_days the
    number of stored equity points, metrics the stored metrics JSON (a dict, or None),
    asset_id the one asset the run trades when its parameters name one (`asset_id`; None
    for a run over a universe such as a watchlist)."""
    run, eq, sv, st = BacktestRun, BacktestEquityDaily, StrategyVersion, Strategy
    days = (
        select(func.count())
        .where(scope.clause(eq.tenant_id), eq.tenant_id == run.tenant_id)
        .where(eq.backtest_run_id == run.id)
        .scalar_subquery()
    )
    stmt: Select = select(
        run.id.label("run_id"),
        run.tenant_id,
        Tenant.name.label("tenant_name"),
        st.title.label("strategy"),
        sv.version,
        run.status,
        func.coalesce(User.display_name, User.email).label("requested_by"),
        run.created_at,
        run.started_at,
        run.completed_at,
        cast(extract("epoch", run.completed_at - run.started_at), Double).label("duration_s"),
        days.label("equity_days"),
        run.metrics,
        run.parameters["asset_id"].astext.label("asset_id"),
    )
    stmt = _with_strategy(stmt, run.strategy_version_id, run.tenant_id)
    stmt = stmt.outerjoin(User, User.id == run.requested_by)
    stmt = stmt.where(scope.clause(run.tenant_id), scope.clause(sv.tenant_id))
    stmt = stmt.where(scope.clause(st.tenant_id))
    stmt = _filtered(stmt, tenants, statuses, strategies)
    stmt = _created_within(stmt, created_from, created_to)
    return frame(conn, stmt.order_by(run.created_at.desc(), run.id), RUN_COLUMNS)


def _filtered(
    stmt: Select, tenants: tuple[str, ...], statuses: tuple[str, ...], strategies: tuple[str, ...]
) -> Select:
    """Keep runs whose tenant, status and strategy are listed (an empty tuple keeps all)."""
    for column, allowed in (
        (Tenant.name, tenants),
        (BacktestRun.status, statuses),
        (Strategy.title, strategies),
    ):
        if allowed:
            stmt = stmt.where(column.in_(allowed))
    return stmt


def _created_within(
    stmt: Select, created_from: dt.date | None, created_to: dt.date | None
) -> Select:
    """Keep runs created (UTC date) within the bounds given."""
    day = func.date(func.timezone("UTC", BacktestRun.created_at))
    if created_from is not None:
        stmt = stmt.where(day >= created_from)
    if created_to is not None:
        stmt = stmt.where(day <= created_to)
    return stmt


def equity(conn: Connection, *, scope: TenantScope, tenant_id: str, run_id: str) -> pd.DataFrame:
    """One run's end-of-day equity, by date. Columns EQUITY_COLUMNS."""
    eq = BacktestEquityDaily
    stmt = (
        select(eq.date, eq.equity)
        .where(scope.clause(eq.tenant_id), eq.tenant_id == tenant_id, eq.backtest_run_id == run_id)
        .order_by(eq.date)
    )
    return frame(conn, stmt, EQUITY_COLUMNS)


def paper_runs(conn: Connection, *, scope: TenantScope) -> pd.DataFrame:
    """Paper-trade runs with their latest performance snapshot, by tenant then strategy.
    Columns PAPER_COLUMNS: schedule is the cron expression, snapshot_* the snapshot's
    as_of (text), equity and return_pct (percent), open_positions its open positions."""
    paper, sv = PaperTradeRun, StrategyVersion
    snap = paper.performance_snapshot
    stmt: Select = select(
        paper.id.label("run_id"),
        Tenant.name.label("tenant_name"),
        Strategy.title.label("strategy"),
        sv.version,
        paper.status,
        paper.schedule["cron"].astext.label("schedule"),
        paper.last_execution_at,
        snap["as_of"].astext.label("snapshot_as_of"),
        snap["equity"].as_float().label("snapshot_equity"),
        snap["return_pct"].as_float().label("snapshot_return_pct"),
        snap["open_positions"].as_integer().label("open_positions"),
    )
    stmt = _with_strategy(stmt, paper.strategy_version_id, paper.tenant_id)
    stmt = stmt.where(scope.clause(paper.tenant_id), scope.clause(sv.tenant_id))
    stmt = stmt.where(scope.clause(Strategy.tenant_id))
    return frame(conn, stmt.order_by(Tenant.name, Strategy.title, sv.version), PAPER_COLUMNS)
