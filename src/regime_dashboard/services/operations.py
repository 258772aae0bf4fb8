"""The Run operations page's data: runs per day by kind and by status, the daily failure
rate, queue and run time percentiles per kind, and the most frequent errors."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..cache import run_query
from ..queries import ops
from ..viewer import Viewer
from .periods import Period, previous_period

__all__ = ["TOP_ERRORS", "OperationsView", "load_operations_view"]

TOP_ERRORS = 10


@dataclass(frozen=True)
class OperationsView:
    by_kind: pd.DataFrame  # day (datetime64), kind, runs
    by_status: pd.DataFrame  # day, status, runs
    daily: pd.DataFrame  # day, runs, finished, failed, failure_rate (NaN without finished)
    timings: pd.DataFrame  # ops.TIMING_COLUMNS, per kind then 'all'
    errors: pd.DataFrame  # ops.ERROR_COLUMNS, most frequent first
    previous_period: Period  # what the cards compare with
    previous_totals: pd.Series  # the 'all' row of ops.run_timings over previous_period


def _split(per_day: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The three groupings of ops.runs_per_day: by kind, by status, per-day totals."""
    rows = per_day.assign(day=pd.to_datetime(per_day["day"]))
    kind, status = rows["kind"].notna(), rows["status"].notna()
    daily = rows.loc[~kind & ~status, ["day", "runs", "finished", "failed"]]
    finished = daily["finished"].where(daily["finished"] > 0)
    return (
        rows.loc[kind, ["day", "kind", "runs"]].reset_index(drop=True),
        rows.loc[status, ["day", "status", "runs"]].reset_index(drop=True),
        daily.assign(failure_rate=daily["failed"] / finished).reset_index(drop=True),
    )


def _totals(timings: pd.DataFrame) -> pd.Series:
    """The 'all' row of run_timings (the last); empty without runs."""
    return timings.iloc[-1] if len(timings) else pd.Series(dtype=object)


def load_operations_view(viewer: Viewer, period: Period) -> OperationsView:
    """Runs queued from the first day of the period to its "as of" day (leadership only)."""
    viewer.require("leadership")
    span = {"start": period.first_month, "end": period.as_of}
    before = previous_period(period)
    earlier = {"start": before.first_month, "end": before.as_of}
    by_kind, by_status, daily = _split(run_query(ops.runs_per_day, scope=viewer.scope, **span))
    return OperationsView(
        by_kind=by_kind,
        by_status=by_status,
        daily=daily,
        timings=run_query(ops.run_timings, scope=viewer.scope, **span),
        errors=run_query(ops.frequent_errors, scope=viewer.scope, limit=TOP_ERRORS, **span),
        previous_period=before,
        previous_totals=_totals(run_query(ops.run_timings, scope=viewer.scope, **earlier)),
    )
