"""Pure rules of a plan change's impact: which price a billing cycle pays, and which tenants
a new set of limits would put over quota (overrides win over plan limits)."""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

__all__ = [
    "OVER_COLUMNS",
    "QUOTA_COLUMNS",
    "cycle_price",
    "effective_limit",
    "over_quota_after",
    "plan_change_event",
    "quota_status",
]

QUOTA_COLUMNS = [
    "metric",
    "used",
    "plan_limit",
    "has_override",
    "override_limit",
    "limit",
    "used_share",
    "over",
]
OVER_COLUMNS = [
    "tenant_id",
    "tenant_name",
    "metric",
    "used",
    "limit_now",
    "limit_after",
    "has_override",
    "already_over",
]


def cycle_price(monthly_cents: int, annual_cents: int | None, cycle: str) -> int:
    """What a subscription of `cycle` pays per cycle: the annual price when the plan has one,
    else twelve monthly prices; the monthly price for monthly subscriptions."""
    if cycle == "annual":
        return annual_cents if annual_cents is not None else monthly_cents * 12
    return monthly_cents


def plan_change_event(old_monthly_cents: int, new_monthly_cents: int) -> str:
    """The subscription event of a move between plans, by their monthly list prices."""
    if new_monthly_cents > old_monthly_cents:
        return "upgraded"
    return "downgraded" if new_monthly_cents < old_monthly_cents else "price_changed"


def _limit(value: object) -> float | None:
    """A limit from a frame cell: None/NaN = unlimited."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)  # type: ignore[arg-type]


def effective_limit(plan_limit: object, has_override: bool, override_limit: object) -> float | None:
    """The limit a tenant is held to: its active override when it has one, else the plan's
    (None = unlimited)."""
    return _limit(override_limit) if has_override else _limit(plan_limit)


def _over(used: float, limit: float | None) -> bool:
    return limit is not None and used > limit


def over_quota_after(usage: pd.DataFrame, new_limits: Mapping[str, int | None]) -> pd.DataFrame:
    """Tenants over quota under `new_limits` (usage strictly above the limit), from a
    admin_reads.quota_usage frame. Columns OVER_COLUMNS; already_over says whether the
    tenant is over its current limit too (so not caused by this change). Newly over first."""
    rows = []
    for r in usage.itertuples(index=False):
        now = effective_limit(r.plan_limit, bool(r.has_override), r.override_limit)
        after = effective_limit(new_limits.get(r.metric), bool(r.has_override), r.override_limit)
        if _over(float(r.used), after):
            over_now = _over(float(r.used), now)
            rows.append(
                (
                    r.tenant_id,
                    r.tenant_name,
                    r.metric,
                    float(r.used),
                    now,
                    after,
                    bool(r.has_override),
                    over_now,
                )
            )
    found = pd.DataFrame(rows, columns=OVER_COLUMNS).astype(
        {"used": float, "has_override": bool, "already_over": bool}
    )
    return found.sort_values(["already_over", "tenant_name", "metric"], ignore_index=True)


def quota_status(usage: pd.DataFrame) -> pd.DataFrame:
    """One tenant's usage against its limits, from a admin_reads.quota_usage frame.
    Columns QUOTA_COLUMNS: limit = the effective limit (override first; NaN = unlimited),
    used_share = used / limit (NaN when unlimited or the limit is 0), over = used > limit."""
    rows = []
    for r in usage.itertuples(index=False):
        limit = effective_limit(r.plan_limit, bool(r.has_override), r.override_limit)
        used = float(r.used)
        share = used / limit if limit else math.nan
        rows.append(
            (
                r.metric,
                used,
                _limit(r.plan_limit),
                bool(r.has_override),
                _limit(r.override_limit),
                limit,
                share,
                _over(used, limit),
            )
        )
    return pd.DataFrame(rows, columns=QUOTA_COLUMNS)
