"""The Backtests page's data: runs, a run's tearsheet (metrics re-derived from its stored
equity and set beside the stored metrics JSON), runs compared, and paper-trade runs."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import pandas as pd

from ..cache import derived, run_query
from ..metrics import performance as perf
from ..metrics.downsample import MAX_POINTS_PER_TRACE, downsample_frame
from ..queries import backtests
from ..scope import TenantScope

__all__ = [
    "LINE_POINTS",
    "MAX_COMPARED",
    "METRIC_LABELS",
    "PAPER_TABLE",
    "ROLLING_WINDOW",
    "RUN_TABLE",
    "ComparedRun",
    "RunComparison",
    "Tearsheet",
    "compare_runs",
    "compared_runs",
    "list_runs",
    "load_tearsheet",
    "metrics_table",
    "paper_runs",
    "run_labels",
]

LINE_POINTS = 4_000
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
    equity: pd.DataFrame  # date, equity (at most LINE_POINTS rows)
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


@derived
def list_runs(
    scope: TenantScope,
    *,
    tenants: tuple[str, ...] = (),
    statuses: tuple[str, ...] = (),
    strategies: tuple[str, ...] = (),
    created_from: dt.date | None = None,
    created_to: dt.date | None = None,
) -> pd.DataFrame:
    """Backtest runs in scope with the filters applied: backtests.RUN_COLUMNS + label,
    indexed by the run id as text."""
    runs = run_query(
        backtests.list_runs,
        scope=scope,
        tenants=tenants,
        statuses=statuses,
        strategies=strategies,
        created_from=created_from,
        created_to=created_to,
    )
    labelled = runs.assign(label=run_labels(runs))
    return labelled.set_axis(pd.Index(runs["run_id"].astype(str), name="key"), axis=0)


def paper_runs(scope: TenantScope) -> pd.DataFrame:
    """Paper-trade runs in scope with their latest snapshot (backtests.PAPER_COLUMNS)."""
    return run_query(backtests.paper_runs, scope=scope)


def _equity(scope: TenantScope, tenant_id: str, run_id: str) -> pd.Series:
    rows = run_query(backtests.equity, scope=scope, tenant_id=tenant_id, run_id=run_id)
    return pd.Series(
        rows["equity"].astype("float64").to_numpy(),
        index=pd.DatetimeIndex(pd.to_datetime(rows["date"]), name="date"),
        name="equity",
    )


def _thin(series: pd.Series, name: str) -> tuple[pd.DataFrame, bool]:
    """A series as a (date, name) line of at most LINE_POINTS points, NaN dropped."""
    line = series.rename(name).dropna().rename_axis("date").reset_index()
    thinned, was_thinned = downsample_frame(line, "date", name, LINE_POINTS)
    assert len(thinned) <= MAX_POINTS_PER_TRACE
    return thinned.reset_index(drop=True), was_thinned


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
def load_tearsheet(
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
class ComparedRun:
    """What comparing needs of a run (a row of list_runs): where its equity is, its label
    and its stored trade count."""

    tenant_id: str
    run_id: str
    label: str
    trades: int | None


def compared_runs(runs: pd.DataFrame) -> tuple[ComparedRun, ...]:
    """The first MAX_COMPARED rows of list_runs, as compare_runs takes them."""
    return tuple(
        ComparedRun(str(r.tenant_id), str(r.run_id), str(r.label), _stored_trades(r.metrics))
        for r in runs.head(MAX_COMPARED).itertuples()
    )


@derived
def compare_runs(scope: TenantScope, *, runs: tuple[ComparedRun, ...]) -> RunComparison:
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
