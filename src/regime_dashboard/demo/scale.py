"""How much data each `--scale` writes."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SCALES", "Scale"]


@dataclass(frozen=True)
class Scale:
    name: str
    assets: int
    bar_years: int
    tenants: int
    history_months: int
    assets_per_tenant: int
    output_years: int
    usage_events: int
    orders: int
    runs: int
    strategies_per_tenant: int


SCALES = {
    "small": Scale("small", 10, 3, 12, 18, 4, 2, 40_000, 3_000, 3_000, 2),
    "medium": Scale("medium", 40, 10, 100, 30, 4, 3, 500_000, 100_000, 40_000, 2),
    "large": Scale("large", 100, 20, 500, 36, 3, 5, 5_000_000, 1_000_000, 300_000, 2),
}
