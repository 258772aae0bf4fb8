"""The Backtests page's data: runs, a run's tearsheet (metrics re-derived from its stored
equity and set beside the stored metrics JSON), runs compared, and paper-trade runs."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from ..cache import derived, run_query
from ..charts.palette import regime_order
from ..metrics import performance as perf
from ..metrics.regime_split import split_by_regime
from ..queries import backtests, market
from ..scope import TenantScope
from ..thinning import thin_line
from ..viewer import Viewer
from .release_choices import TenantReleases, find_release, release_choices, release_outputs

__all__ = [
    "HISTOGRAM_BINS",
    "MAX_COMPARED",
    "METRIC_LABELS",
    "PAPER_TABLE",
    "ROLLING_WINDOW",
    "RUN_TABLE",
    "STRATEGY",
    "BacktestsView",
    "RegimeSplit",
    "RunAssets",
    "RunComparison",
    "RunFilterOptions",
    "RunFilters",
    "Tearsheet",
    "load_backtests_view",
    "metrics_table",
    "run_assets",
    "run_filter_options",
    "run_labels",
    "runs_with_equity",
]

MAX_COMPARED = 4
ROLLING_WINDOW = 63  # bars: about one quarter
HISTOGRAM_BINS = 50
STRATEGY = "Strategy"  # the strategy's name beside its benchmark in growth, yearly, histogram
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
    growth: pd.DataFrame  # date, series (STRATEGY or the benchmark), cumulative (fraction)
    drawdown: pd.DataFrame  # date, drawdown (fraction <= 0; at most LINE_POINTS rows)
    rolling_sharpe: pd.DataFrame  # date, rolling_sharpe (at most LINE_POINTS rows)
    monthly: pd.DataFrame  # year x month 1..12 compounded returns (NaN: no bar)
    metrics: pd.DataFrame  # metric, label, computed, benchmark, stored, agrees
    disagreements: pd.DataFrame  # the rows of `metrics` whose stored value disagrees
    yearly: pd.DataFrame  # year, strategy, benchmark (compounded returns; NaN: no bar)
    drawdowns: pd.DataFrame  # start, valley, end (dates), recovered, days, depth: worst 5
    distribution: pd.DataFrame  # series, bin_start, bin_end, count (daily returns)
    benchmark: str | None  # the benchmark asset's name (None: no benchmark)
    points: int  # equity points stored
    downsampled: bool


@dataclass(frozen=True)
class RegimeSplit:
    """A run's daily returns split by the regime of a release (metrics/regime_split.py)."""

    release: str  # "tenant · asset · version"
    table: pd.DataFrame  # regime_split.SPLIT_COLUMNS, one row per regime then "All days"
    unattributed: int  # returns before the release's first output (left out)
    first_output: pd.Timestamp | None  # the release's first output date in the run's span


@dataclass(frozen=True)
class RunAssets:
    """What the tearsheet's pickers offer for one run: the asset it trades (None for a
    universe), the priced assets ({id: name}), its tenant's releases."""

    traded: str | None
    priced: dict[str, str]
    releases: TenantReleases


@dataclass(frozen=True)
class RunComparison:
    metrics: pd.DataFrame  # metric, label, then one column of computed values per run label
    growth: pd.DataFrame  # date, run, growth (equity / equity on `start`; thinned per run)
    downsampled: bool
    start: pd.Timestamp | None  # the common start: the latest first date of the runs
    left_out: tuple[str, ...] = ()  # runs that end before `start` (not drawn)


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
    by_regime: RegimeSplit | None = None


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


def run_assets(viewer: Viewer, run_id: str) -> RunAssets:
    """The benchmark and release pickers' options for run `run_id` (one of _runs)."""
    viewer.require("analyst")
    run = _runs(viewer.scope, filters=RunFilters()).loc[run_id]
    assets = _priced(viewer.scope)
    traded = run["asset_id"]
    return RunAssets(
        traded=str(traded) if isinstance(traded, str) and traded in assets else None,
        priced=assets,
        releases=release_choices(viewer, str(run["tenant_id"])),
    )


def load_backtests_view(
    viewer: Viewer,
    filters: RunFilters,
    *,
    run_id: str | None = None,
    benchmark: str | None = None,
    split_release: str | None = None,
    compared: tuple[str, ...] = (),
    paper: bool = False,
) -> BacktestsView:
    """The runs matching `filters` and, each only when asked: run `run_id`'s tearsheet
    beside the buy and hold of asset `benchmark` (None: no benchmark), or, with
    `split_release`, that run split by the regimes of that release instead; the runs
    `compared` side by side (at most MAX_COMPARED); the paper-trade runs of the filtered
    tenants."""
    viewer.require("analyst")
    scope = viewer.scope
    everything = _runs(scope, filters=RunFilters())
    runs = _runs(scope, filters=filters)
    tearsheet = by_regime = None
    if run_id is not None:
        run = everything.loc[run_id]
        where = {"tenant_id": str(run["tenant_id"]), "run_id": run_id}
        if split_release is not None:
            by_regime = _regime_split(scope, **where, release_id=split_release)
        else:
            tearsheet = _tearsheet(scope, **where, stored=run["metrics"], benchmark=benchmark)
    comparison = None
    if compared:
        comparison = _side_by_side(scope, runs=_equity_refs(everything.loc[list(compared)]))
    return BacktestsView(
        runs=runs[list(RUN_TABLE)],
        total=len(everything),
        tearsheet=tearsheet,
        comparison=comparison,
        paper=_paper_runs(scope, filters.tenants)[list(PAPER_TABLE)] if paper else None,
        by_regime=by_regime,
    )


def _priced(scope: TenantScope) -> dict[str, str]:
    """{asset id: name} of the assets with bars (market data is shared by all tenants)."""
    assets = run_query(market.list_assets, scope=scope).dropna(subset=["first_date"])
    return dict(zip(assets["id"].astype(str), assets["name"].astype(str), strict=True))


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


def _benchmark(scope: TenantScope, asset_id: str, dates: pd.DatetimeIndex) -> pd.Series:
    """Buy and hold of `asset_id` on `dates` (performance.buy_and_hold: the last close on or
    before each date, rebased to 1.0); empty without `dates` or closes."""
    if dates.empty:
        return pd.Series(dtype="float64")
    rows = run_query(
        market.closes,
        scope=scope,
        asset_ids=(asset_id,),
        start=(dates[0] - pd.Timedelta(days=10)).date(),  # the close before a holiday start
        end=dates[-1].date(),
    )
    closes = pd.Series(
        rows["close"].astype("float64").to_numpy(),
        index=pd.DatetimeIndex(pd.to_datetime(rows["date"])),
    )
    return perf.buy_and_hold(closes, dates)


def _cumulative(curves: dict[str, pd.Series]) -> tuple[pd.DataFrame, bool]:
    """Cumulative return (value / first value - 1) of each curve: date, series,
    cumulative, thinned per curve; and whether any was thinned."""
    parts, thinned_any = [], False
    for name, curve in curves.items():
        line, thinned = _thin(curve / curve.iloc[0] - 1.0, "cumulative")
        parts.append(line.assign(series=name))
        thinned_any |= thinned
    return pd.concat(parts, ignore_index=True)[["date", "series", "cumulative"]], thinned_any


def _drawdown_dates(table: pd.DataFrame) -> pd.DataFrame:
    """performance.worst_drawdowns with its dates as dates (no time of day)."""
    dates = {c: pd.to_datetime(table[c]).dt.date for c in ("start", "valley", "end")}
    return table.assign(**dates)


@derived
def _tearsheet(
    scope: TenantScope,
    *,
    tenant_id: str,
    run_id: str,
    stored: dict | None,
    benchmark: str | None,
) -> Tearsheet:
    """Everything drawn for one run, from its stored daily equity, beside the buy and hold
    of asset `benchmark` over the same dates (None: the strategy alone)."""
    equity = _equity(scope, tenant_id, run_id)
    returns = perf.returns_from_equity(equity)
    table = metrics_table(equity, stored)
    held = pd.Series(dtype="float64")
    name = None
    if benchmark is not None:
        held = _benchmark(scope, benchmark, pd.DatetimeIndex(equity.index))
        name = _priced(scope).get(benchmark, benchmark) if len(held) > 1 else None
    curves = {STRATEGY: equity, **({name: held} if name else {})}
    held_returns = perf.returns_from_equity(held)
    bought_once = 1 if name else None  # buy and hold: one trade, the purchase
    table.insert(3, "benchmark", table["metric"].map(perf.summary_metrics(held, bought_once)))
    growth, thinned_growth = _cumulative(curves)
    lines = {
        "drawdown": _thin(perf.drawdown_series(equity), "drawdown"),
        "rolling_sharpe": _thin(perf.rolling_sharpe(returns, ROLLING_WINDOW), "rolling_sharpe"),
    }
    yearly = pd.DataFrame(
        {"strategy": perf.yearly_returns(returns), "benchmark": perf.yearly_returns(held_returns)}
    )
    by_series = {STRATEGY: returns, **({name: held_returns} if name else {})}
    return Tearsheet(
        growth=growth,
        **{key: line for key, (line, _) in lines.items()},
        monthly=perf.monthly_returns_table(returns),
        metrics=table,
        disagreements=table[table["agrees"].eq(False).fillna(False)],
        yearly=yearly.rename_axis("year").reset_index(),
        drawdowns=_drawdown_dates(perf.worst_drawdowns(equity)),
        distribution=perf.return_histogram(by_series, HISTOGRAM_BINS),
        benchmark=name,
        points=len(equity),
        downsampled=thinned_growth or any(thinned for _, thinned in lines.values()),
    )


@derived
def _regime_split(
    scope: TenantScope, *, tenant_id: str, run_id: str, release_id: str
) -> RegimeSplit:
    """Run `run_id`'s daily returns split by the regimes of release `release_id`: its
    outputs from before the run's first equity date (the regime known then) to its last."""
    equity = _equity(scope, tenant_id, run_id)
    release = find_release(scope, release_id)
    title = f"{release.tenant_name} · {release.asset_name} · {release.version}"
    if equity.empty or not release.has_outputs:
        return RegimeSplit(title, pd.DataFrame(), 0, None)
    first, last = pd.DatetimeIndex(equity.index)[[0, -1]]
    outputs = release_outputs(scope, release, (first - pd.Timedelta(days=10)).date(), last.date())
    regimes = pd.Series(outputs["regime"].to_numpy(), index=pd.DatetimeIndex(outputs["date"]))
    table, unattributed = split_by_regime(
        perf.returns_from_equity(equity), regimes, regime_order(regimes.unique())
    )
    first_output = regimes.index.min() if len(regimes) else None
    return RegimeSplit(title, table, unattributed, first_output)


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
    """Runs side by side: computed metrics over each run's whole series (trades from its
    stored metrics) and growth of 1 invested on the common start, the latest first date
    among them (performance.common_start_growth: earlier points cut)."""
    table = pd.DataFrame({"metric": list(METRIC_LABELS), "label": list(METRIC_LABELS.values())})
    curves = {}
    for run in runs:
        equity = _equity(scope, run.tenant_id, run.run_id)
        metrics = perf.summary_metrics(equity, trades=run.trades)
        table[run.label] = table["metric"].map(metrics)
        curves[run.label] = equity
    rebased, start = perf.common_start_growth(curves)
    lines, thinned_any = [], False
    for _, line in rebased.groupby("run", sort=False):
        thin, thinned = thin_line(line, "date", "growth")
        lines.append(thin)
        thinned_any |= thinned
    growth = (
        pd.concat(lines, ignore_index=True)
        if lines
        else pd.DataFrame(columns=["date", "run", "growth"])
    )
    left_out = tuple(label for label in curves if label not in set(growth["run"]))
    return RunComparison(
        metrics=table, growth=growth, downsampled=thinned_any, start=start, left_out=left_out
    )
