"""The Cost and margin page's data: per tenant, the cost of its runs (tokens and compute)
against its subscription revenue over the period, and the gross margin.

Revenue is MRR in USD, not payments collected: each month of the period counts the tenant's
month-end MRR (annual plans 1/12), the current month pro-rated by the days elapsed, so
annual prepayments do not make one month look rich and the rest loss-making."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..cache import run_query
from ..metrics.saas import ratio, tenant_margins
from ..queries import billing, ops
from ..viewer import Viewer
from .periods import Period, previous_period
from .revenue import read_billing

__all__ = ["MARGIN_TABLE", "CostView", "load_cost_view"]

MARGIN_TABLE = (
    "tenant_name", "revenue_usd", "cost_usd", "margin_usd", "gross_margin", "runs",
    "tokens_input", "tokens_output", "compute_seconds",
)  # fmt: skip


@dataclass(frozen=True)
class CostView:
    tenants: pd.DataFrame  # tenant_margins columns, biggest loss first
    losses: pd.DataFrame  # the tenants whose cost exceeds their revenue, biggest loss first
    revenue_usd: float
    cost_usd: float
    gross_margin: float | None  # (revenue - cost) / revenue over all tenants
    previous: CostView | None = None  # the same over periods.previous_period


def load_cost_view(viewer: Viewer, period: Period) -> CostView:
    """Cost against revenue per tenant from the first day of the period to the end of its
    "as of" day (leadership only), with the previous period's view as `previous`."""
    viewer.require("leadership")
    return _cost_view(viewer, period, _cost_view(viewer, previous_period(period)))


def _cost_view(viewer: Viewer, period: Period, previous: CostView | None = None) -> CostView:
    revenue = read_billing(viewer, billing.tenant_revenue, period)
    costs = run_query(
        ops.run_costs_by_tenant, scope=viewer.scope, start=period.first_month, end=period.as_of
    )
    tenants = tenant_margins(revenue, costs)
    total_revenue, total_cost = (
        float(tenants["revenue_usd"].sum()),
        float(tenants["cost_usd"].sum()),
    )
    return CostView(
        tenants=tenants,
        losses=tenants[tenants["margin_usd"] < 0].reset_index(drop=True),
        revenue_usd=total_revenue,
        cost_usd=total_cost,
        gross_margin=ratio(total_revenue - total_cost, total_revenue),
        previous=previous,
    )
