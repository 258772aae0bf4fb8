"""The one-line notice a page shows when it left stored rows out (services/prices.py,
services/regimes.py and services/releases.py count them; queries/dates.py says why)."""

from __future__ import annotations

__all__ = ["skipped_notice"]


def _plural(count: int, one: str, many: str) -> str:
    return one.format(n=f"{count:,}") if count == 1 else many.format(n=f"{count:,}")


def skipped_notice(out_of_range: int, not_finite: int = 0) -> str | None:
    """E.g. "1 row outside the supported date range was skipped"; None when nothing was.
    `out_of_range`: rows dated outside queries.dates.FIRST..LAST; `not_finite`: price bars
    whose open, high, low or close is NaN or infinite."""
    parts = []
    if out_of_range > 0:
        parts.append(
            _plural(
                out_of_range,
                "{n} row outside the supported date range was skipped",
                "{n} rows outside the supported date range were skipped",
            )
        )
    if not_finite > 0:
        parts.append(
            _plural(
                not_finite,
                "{n} bar with prices that are not finite numbers was skipped",
                "{n} bars with prices that are not finite numbers were skipped",
            )
        )
    return "; ".join(parts) + "." if parts else None
