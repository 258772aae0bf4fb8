"""The metrics a plan limits, named once for every layer.

`usage_daily` counts METERED_METRICS per tenant and day; a plan's `limits_json` and a
tenant's quota overrides may also cap `seats` (members now), so LIMITED_METRICS adds it."""

from __future__ import annotations

__all__ = ["LIMITED_METRICS", "METERED_METRICS"]

METERED_METRICS: tuple[str, ...] = ("api_calls", "backtests", "tokens")
LIMITED_METRICS: tuple[str, ...] = (*METERED_METRICS, "seats")
