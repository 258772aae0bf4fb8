"""The Usage page's data: each tenant's metered usage in a calendar month against its
effective limit, with the month-end projection; and one tenant's daily usage."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from ..cache import run_query
from ..metered import METERED_METRICS
from ..metrics.saas import usage_projection
from ..queries import usage
from ..viewer import Viewer
from .periods import add_months, month_as_of

__all__ = [
    "USAGE_TABLE",
    "TenantUsage",
    "UsageView",
    "load_tenant_usage",
    "load_usage_view",
]

USAGE_TABLE = (
    "tenant_name", "plan_id", "metric", "used", "limit_value", "limit_source", "pct_used",
    "projected", "projected_pct", "crosses_on", "state",
)  # fmt: skip


@dataclass(frozen=True)
class UsageView:
    month_start: dt.date
    as_of: dt.date
    rows: pd.DataFrame  # usage.LIMIT_COLUMNS + usage_projection's columns, worst first
    previous: UsageView | None = None  # the month before, at its end (the cards compare)

    @property
    def elapsed_days(self) -> int:
        return (self.as_of - self.month_start).days + 1

    @property
    def days_in_month(self) -> int:
        return (add_months(self.month_start, 1) - self.month_start).days

    @property
    def over(self) -> int:
        """Tenant-metric pairs at or over their limit."""
        return int((self.rows["state"] == "over").sum())

    @property
    def near(self) -> int:
        """Tenant-metric pairs at 80 % or more but under the limit."""
        return int((self.rows["state"] == "near").sum())

    @property
    def blocked(self) -> int:
        """Tenant-metric pairs whose limit is 0 (any use is over)."""
        return int((self.rows["limit_value"] == 0).sum())

    @property
    def projected_over(self) -> int:
        """Tenant-metric pairs under their limit today (below 100 %) that reach it by the
        month end if they keep this month's daily average (projected ≥ 100 %)."""
        under = self.rows["state"].isin(["ok", "near"])
        return int((under & (self.rows["projected_pct"] >= 1)).sum())

    @property
    def tenants(self) -> pd.DataFrame:
        """tenant_id, tenant_name of the tenants in `rows`, worst first."""
        return self.rows.drop_duplicates("tenant_id")[["tenant_id", "tenant_name"]]


@dataclass(frozen=True)
class TenantUsage:
    daily: pd.DataFrame  # day (datetime64), metric, quantity, cumulative
    limits: pd.DataFrame  # this tenant's rows of UsageView.rows
    projection: pd.DataFrame  # metric, day (datetime64), projected: from as_of to month end


def load_usage_view(viewer: Viewer, as_of: dt.date) -> UsageView:
    """Usage against limits in the calendar month of `as_of`, up to `as_of`, with the
    month before (at its end) as `previous`."""
    viewer.require("leadership")
    before = month_as_of(add_months(as_of, -1), as_of)
    return UsageView(
        as_of.replace(day=1),
        as_of,
        _rows(viewer, as_of),
        UsageView(before.replace(day=1), before, _rows(viewer, before)),
    )


def _rows(viewer: Viewer, as_of: dt.date) -> pd.DataFrame:
    raw = run_query(
        usage.usage_against_limits, scope=viewer.scope, as_of=as_of, metrics=METERED_METRICS
    )
    return usage_projection(raw)


def _projection_lines(limits: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Two points per metric: (as_of, used) and (month end, projected)."""
    month_end = add_months(as_of, 1) - dt.timedelta(days=1)
    points = [
        (row.metric, day, value)
        for row in limits.itertuples()
        for day, value in ((as_of, row.used), (month_end, row.projected))
    ]
    frame = pd.DataFrame(points, columns=["metric", "day", "projected"])
    return frame.assign(day=pd.to_datetime(frame["day"]))


def load_tenant_usage(viewer: Viewer, view: UsageView, tenant_id: str) -> TenantUsage:
    """One tenant's daily usage and running totals in `view`'s month, with its limits and
    the straight-line projection to the month end."""
    viewer.require("leadership")
    daily = run_query(
        usage.tenant_daily_usage, scope=viewer.scope, tenant_id=tenant_id, as_of=view.as_of
    )
    limits = view.rows[view.rows["tenant_id"].astype(str) == tenant_id]
    return TenantUsage(
        daily=daily.assign(day=pd.to_datetime(daily["day"])),
        limits=limits.reset_index(drop=True),
        projection=_projection_lines(limits, view.as_of),
    )
