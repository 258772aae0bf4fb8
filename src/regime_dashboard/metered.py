"""The metrics a plan limits, named once for every layer.

`usage_daily` counts METERED_METRICS per tenant and day; a plan's `limits_json` and a
tenant's quota overrides may also cap `seats` (members now), so LIMITED_METRICS adds it.
METRIC_LABELS names each metric on pages, METRIC_UNITS the unit its limit counts."""

from __future__ import annotations

__all__ = [
    "LIMITED_METRICS",
    "METERED_METRICS",
    "METRIC_LABELS",
    "METRIC_UNITS",
    "metric_label",
    "quantity_text",
]

METERED_METRICS: tuple[str, ...] = ("api_calls", "backtests", "tokens")
LIMITED_METRICS: tuple[str, ...] = (*METERED_METRICS, "seats")
METRIC_LABELS = {"api_calls": "API calls", "backtests": "Backtests", "tokens": "Tokens",
                 "seats": "Seats"}  # fmt: skip
METRIC_UNITS = {  # metric -> the unit its limit counts
    "api_calls": "calls/month",
    "backtests": "backtests/month",
    "tokens": "tokens/month",
    "seats": "seats",
}


def metric_label(metric: object) -> str:
    """A metric by its label (`api_calls` -> "API calls"); an unknown one keeps its name."""
    return METRIC_LABELS.get(str(metric), str(metric))


def quantity_text(metric: object, value: object) -> str:
    """A limit of `metric` with its unit: "1,000 calls/month"; None -> "unlimited"."""
    if value is None:
        return "unlimited"
    unit = METRIC_UNITS.get(str(metric), "")
    number = (
        f"{value:,}"
        if isinstance(value, int | float) and not isinstance(value, bool)
        else str(value)
    )
    return f"{number} {unit}".strip()
