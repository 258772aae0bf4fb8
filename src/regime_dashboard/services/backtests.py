"""The Backtests page's data: runs, a run's tearsheet (metrics re-derived from its stored
equity and set beside the stored metrics JSON), runs compared, and paper-trade runs."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from ..cache import derived, run_query
from ..metrics import performance as perf
from ..queries import backtests
from ..scope import TenantScope
from ..thinning import thin_line
from ..viewer import Viewer

__all__ = [
    "MAX_COMPARED",
    "METRIC_LABELS",
    "PAPER_TABLE",
    "ROLLING_WINDOW",
    "RUN_TABLE",
    "BacktestsView",
    "RunComparison",
    "RunFilterOptions",
    "RunFilters",
    "Tearsheet",
    "load_backtests_view",
    "metrics_table",
    "run_filter_options",
    "run_labels",
    "runs_with_equity",
]

MAX_COMPARED = 4
ROLLING_WINDOW = 63  # bars: about one quarter
METRIC_LABELS = {
    "total_return": "Total return",
    "cagr": "CAGR",
    "annual_volatility": "Annualised volatility",
    "sharpe": "Sharpe",
    "sortino": "Sortino",
    "max_drawdown": "Max drawdown",
    "calmar": "Calmar",
    "win_rate": "Win rate",
    "trades": "Trades",
    "exposure": "Exposure",
}

RUN_TABLE = {  # column -> heading of the runs table
    "tenant_name": "Tenant",
    "strategy": "Strategy",
    "version": "Version",
    "status": "Status",
    "requested_by": "Requested by",
    "created_at": "Created",
    "duration_s": "Duration (s)",
    "equity_days": "Equity days",
}
PAPER_TABLE = {  # column -> heading of the paper-trade runs table
    "tenant_name": "Tenant",
    "strategy": "Strategy",
    "version": "Version",
    "status": "Status",
    "schedule": "Schedule (cron)",
    "last_execution_at": "Last run",
    "snapshot_as_of": "Snapshot as of",
    "snapshot_equity": "Equity ($)",
    "snapshot_return_pct": "Return (%)",
    "open_positions": "Open positions",
}


@dataclass(frozen=True)
class Tearsheet:
    equity: pd.DataFrame  # date, equity (at most thinning.LINE_POINTS rows)
    drawdown: pd.DataFrame  # date, drawdown (fraction <= 0; at most LINE_POINTS rows)
    rolling_sharpe: pd.DataFrame  # date, rolling_sharpe (at most LINE_POINTS rows)
    monthly: pd.DataFrame  # year x month 1..12 compounded returns (NaN: no bar)
    metrics: pd.DataFrame  # metric, label, computed, stored, agrees
    disagreements: pd.DataFrame  # the rows of `metrics` whose stored value disagrees
    points: int  # equity points stored
    downsampled: bool


@dataclass(frozen=True)
class RunComparison:
    metrics: pd.DataFrame  # metric, label, then one column of computed values per run label
    growth: pd.DataFrame  # date, run, growth (equity / first equity; thinned per run)
    downsampled: bool


def run_labels(runs: pd.DataFrame) -> pd.Series:
    """One label per run, e.g. 'Crisis hedge overlay v2 · 2026-10-03 · 1a2b3c4d'."""
    created = pd.to_datetime(runs["created_at"], utc=True).dt.strftime("%Y-%m-%d")
    return (
        runs["strategy"].astype(str)
        + " v"
        + runs["version"].astype(str)
        + " · "
        + created
        + " · "
        + runs["run_id"].astype(str).str[:8]
    )


@dataclass(frozen=True)
class RunFilters:
    """The runs table's filters: tenant names, strategy titles, statuses (empty: any)."""

    tenants: tuple[str, ...] = ()
    strategies: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()


@dataclass(frozen=True)
class RunFilterOptions:
    """What each filter offers (every value among the runs in scope) and the runs in all."""

    tenants: tuple[str, ...]
    strategies: tuple[str, ...]
    statuses: tuple[str, ...]
    total: int


@dataclass(frozen=True)
class BacktestsView:
    """Everything the Backtests page draws: the runs matching the filters, and the part
    asked for (a tearsheet, runs compared, or paper-trade runs)."""

    runs: pd.DataFrame  # RUN_TABLE's columns of the matching runs, newest first
    total: int  # runs in scope, unfiltered
    tearsheet: Tearsheet | None
    comparison: RunComparison | None
    paper: pd.DataFrame | None  # PAPER_TABLE's columns, of the filtered tenants


@derived
def _runs(scope: TenantScope, *, filters: RunFilters) -> pd.DataFrame:
    """Backtest runs in scope with the filters applied: backtests.RUN_COLUMNS + label,
    indexed by the run id as text."""
    runs = run_query(
        backtests.list_runs,
        scope=scope,
        tenants=filters.tenants,
        statuses=filters.statuses,
        strategies=filters.strategies,
    )
    labelled = runs.assign(label=run_labels(runs))
    return labelled.set_axis(pd.Index(runs["run_id"].astype(str), name="key"), axis=0)


def run_filter_options(viewer: Viewer) -> RunFilterOptions:
    """The filters' options: the tenants, strategies and statuses of the runs in scope."""
    viewer.require("analyst")
    runs = _runs(viewer.scope, filters=RunFilters())
    return RunFilterOptions(
        tenants=tuple(sorted(runs["tenant_name"].unique())),
        strategies=tuple(sorted(runs["strategy"].unique())),
        statuses=tuple(sorted(runs["status"].unique())),
        total=len(runs),
    )


def runs_with_equity(viewer: Viewer, filters: RunFilters) -> dict[str, str]:
    """{run id: label} of the runs matching `filters` that have an equity series (those a
    tearsheet or a comparison can show), newest first."""
    viewer.require("analyst")
    runs = _runs(viewer.scope, filters=filters)
    with_equity = runs[runs["equity_days"] > 0]
    return dict(zip(with_equity.index, with_equity["label"], strict=True))


def load_backtests_view(
    viewer: Viewer,
    filters: RunFilters,
    *,
    run_id: str | None = None,
    compared: tuple[str, ...] = (),
    paper: bool = False,
) -> BacktestsView:
    """The runs matching `filters`; the tearsheet of run `run_id`, the runs `compared`
    side by side (at most MAX_COMPARED), and the paper-trade runs of the filtered
    tenants, each only when asked."""
    viewer.require("analyst")
    scope = viewer.scope
    everything = _runs(scope, filters=RunFilters())
    runs = _runs(scope, filters=filters)
    tearsheet = None
    if run_id is not None:
        run = everything.loc[run_id]
        tearsheet = _tearsheet(
            scope, tenant_id=str(run["tenant_id"]), run_id=run_id, stored=run["metrics"]
        )
    comparison = None
    if compared:
        comparison = _side_by_side(scope, runs=_equity_refs(everything.loc[list(compared)]))
    return BacktestsView(
        runs=runs[list(RUN_TABLE)],
        total=len(everything),
        tearsheet=tearsheet,
        comparison=comparison,
        paper=_paper_runs(scope, filters.tenants)[list(PAPER_TABLE)] if paper else None,
    )


def _paper_runs(scope: TenantScope, tenants: tuple[str, ...]) -> pd.DataFrame:
    """Paper-trade runs in scope with their latest snapshot (backtests.PAPER_COLUMNS), of
    the tenants named in `tenants` (empty: every tenant)."""
    paper = run_query(backtests.paper_runs, scope=scope)
    return paper[paper["tenant_name"].isin(tenants)] if tenants else paper


def _equity(scope: TenantScope, tenant_id: str, run_id: str) -> pd.Series:
    rows = run_query(backtests.equity, scope=scope, tenant_id=tenant_id, run_id=run_id)
    return pd.Series(
        rows["equity"].astype("float64").to_numpy(),
        index=pd.DatetimeIndex(pd.to_datetime(rows["date"]), name="date"),
        name="equity",
    )


def _thin(series: pd.Series, name: str) -> tuple[pd.DataFrame, bool]:
    """A date-indexed series as a thinned (date, name) line (thinning.thin_line)."""
    return thin_line(series.rename(name).rename_axis("date").reset_index(), "date", name)


def _stored_trades(stored: dict | None) -> int | None:
    value = (stored or {}).get("trades")
    return None if value is None or not math.isfinite(float(value)) else int(value)


def metrics_table(equity: pd.Series, stored: dict | None) -> pd.DataFrame:
    """summary_metrics of `equity` beside the stored metrics JSON (compare_with_stored),
    with a label column; trades cannot be derived from equity and are the stored count."""
    computed = perf.summary_metrics(equity, trades=_stored_trades(stored))
    table = perf.compare_with_stored(computed, stored or {})
    table.insert(1, "label", table["metric"].map(METRIC_LABELS).fillna(table["metric"]))
    return table


@derived
def _tearsheet(
    scope: TenantScope, *, tenant_id: str, run_id: str, stored: dict | None
) -> Tearsheet:
    """Everything drawn for one run, from its stored daily equity."""
    equity = _equity(scope, tenant_id, run_id)
    returns = perf.returns_from_equity(equity)
    table = metrics_table(equity, stored)
    lines = {
        "equity": _thin(equity, "equity"),
        "drawdown": _thin(perf.drawdown_series(equity), "drawdown"),
        "rolling_sharpe": _thin(perf.rolling_sharpe(returns, ROLLING_WINDOW), "rolling_sharpe"),
    }
    return Tearsheet(
        **{name: line for name, (line, _) in lines.items()},
        monthly=perf.monthly_returns_table(returns),
        metrics=table,
        disagreements=table[table["agrees"].eq(False).fillna(False)],
        points=len(equity),
        downsampled=any(thinned for _, thinned in lines.values()),
    )


@dataclass(frozen=True)
class RunEquityRef:
    """What comparing needs of a run (a row of _runs): where its equity is, its label and
    its stored trade count."""

    tenant_id: str
    run_id: str
    label: str
    trades: int | None


def _equity_refs(runs: pd.DataFrame) -> tuple[RunEquityRef, ...]:
    """The first MAX_COMPARED rows of _runs, as _side_by_side takes them."""
    return tuple(
        RunEquityRef(str(r.tenant_id), str(r.run_id), str(r.label), _stored_trades(r.metrics))
        for r in runs.head(MAX_COMPARED).itertuples()
    )


@derived
def _side_by_side(scope: TenantScope, *, runs: tuple[RunEquityRef, ...]) -> RunComparison:
    """Runs side by side: computed metrics (trades from each run's stored metrics) and
    growth of 1 invested."""
    table = pd.DataFrame({"metric": list(METRIC_LABELS), "label": list(METRIC_LABELS.values())})
    curves, thinned_any = [], False
    for run in runs:
        equity = _equity(scope, run.tenant_id, run.run_id)
        metrics = perf.summary_metrics(equity, trades=run.trades)
        table[run.label] = table["metric"].map(metrics)
        growth, thinned = _thin(equity / equity.iloc[0] if len(equity) else equity, "growth")
        curves.append(growth.assign(run=run.label))
        thinned_any |= thinned
    growth = (
        pd.concat(curves, ignore_index=True)
        if curves
        else pd.DataFrame(columns=["date", "growth", "run"])
    )
    return RunComparison(metrics=table, growth=growth, downsampled=thinned_any)
