"""A strategy's daily returns split by the regime of a release: each metric per regime.

Pure functions over pandas (no database, no Streamlit). Conventions of
metrics/performance.py: simple returns indexed by date, 252 bars a year, ``rf = 0``.

Attribution (no look-ahead): the return of day ``t`` (close ``t-1`` to close ``t``)
counts in the regime of the latest release output dated *before* ``t`` — the regime
known at the previous close — never in day ``t``'s own output, which is only known at
``t``'s close. Days before the first output belong to no regime and are left out (and
counted).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from . import performance as perf

__all__ = ["ALL_DAYS", "SPLIT_COLUMNS", "attribute_regimes", "split_by_regime"]

ALL_DAYS = "All days"
SPLIT_COLUMNS = (
    "regime",
    "days",
    "share_of_time",
    "total_return",
    "annualised_return",
    "sharpe",
    "hit_rate",
    "max_drawdown",
)


def attribute_regimes(returns: pd.Series, regimes: pd.Series) -> pd.Series:
    """The regime each return is attributed to: the label of the latest date of
    ``regimes`` strictly before the return's date (NaN when there is none).

    Args:
        returns: simple returns indexed by a sorted DatetimeIndex.
        regimes: regime label per date (a release's outputs), any order.

    Returns:
        Object Series of labels on ``returns``' index.
    """
    known = regimes.dropna().sort_index()
    left = pd.DataFrame({"date": pd.DatetimeIndex(returns.index)})
    right = pd.DataFrame({"date": pd.DatetimeIndex(known.index), "regime": known.to_numpy()})
    merged = pd.merge_asof(
        left.astype({"date": "datetime64[ns]"}),
        right.astype({"date": "datetime64[ns]"}),
        on="date",
        allow_exact_matches=False,
    )
    return pd.Series(merged["regime"].to_numpy(dtype=object), index=returns.index, name="regime")


def _row(name: str, part: pd.Series, total_days: int) -> dict[str, object]:
    """The metrics of the returns `part` (concatenated in date order)."""
    compounded = perf.total_return(part)
    return {
        "regime": name,
        "days": len(part),
        "share_of_time": len(part) / total_days if total_days else math.nan,
        "total_return": compounded,
        "annualised_return": perf.cagr(part),
        "sharpe": perf.sharpe(part),
        "hit_rate": float((part > 0).mean()) if len(part) else math.nan,
        "max_drawdown": perf.max_drawdown(part),
    }


def split_by_regime(
    returns: pd.Series, regimes: pd.Series, order: list[str] | None = None
) -> tuple[pd.DataFrame, int]:
    """Each metric per regime, over the returns attributed to it (attribute_regimes).

    Per regime, its returns are taken together in date order as if the strategy were
    invested on those days only: ``total_return`` prod(1 + r) - 1; ``annualised_return``
    (1 + total_return) ** (252 / days) - 1 (performance.cagr); ``sharpe`` mean / sample
    std * sqrt(252); ``hit_rate`` positive days / days (flat days count as misses);
    ``max_drawdown`` the deepest fall of that compounded curve (performance.max_drawdown);
    ``share_of_time`` days / days attributed to any regime. A last row ALL_DAYS gives the
    same over every attributed day.

    Args:
        order: regimes to list first, in this order (e.g. the release's label order);
            others follow alphabetically.

    Returns:
        (DataFrame with columns SPLIT_COLUMNS, one row per regime with days then
        ALL_DAYS; the number of returns left out for want of an earlier output).
    """
    clean = returns.astype("float64").replace([np.inf, -np.inf], np.nan).dropna()
    labels = attribute_regimes(clean, regimes)
    attributed = clean[labels.notna()]
    by_label = labels[labels.notna()]
    seen = set(by_label)
    names = [r for r in (order or []) if r in seen] + sorted(seen - set(order or []))
    total = len(attributed)
    rows = [_row(name, attributed[by_label == name], total) for name in names]
    rows.append(_row(ALL_DAYS, attributed, total))
    table = pd.DataFrame(rows, columns=list(SPLIT_COLUMNS)).astype({"days": "int64"})
    return table, len(clean) - total
