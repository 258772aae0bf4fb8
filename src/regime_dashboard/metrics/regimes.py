"""Statistics over a daily market-regime series.

Every function takes one asset's regime series: a DataFrame with columns

* ``date`` – datetime64 or ``datetime.date``; one row per day, unique,
  any order (rows are sorted by date internally),
* ``regime`` – str, no missing values,
* ``close`` – float, optional; the asset's close that day (needed by
  :func:`forward_returns_by_regime`),
* ``confidence`` – float, optional; the model's confidence that day (used by
  :func:`current_regime_card`).

Dates are returned as ``datetime64`` (``pd.Timestamp``).  "Days" always
counts rows, i.e. the days present in the series (trading days for
equities), never calendar days — except the confidence trend, which is a
slope per calendar day.  An empty input (no rows) returns an empty frame
with the documented columns.  Inputs are never modified.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict

import numpy as np
import pandas as pd

__all__ = [
    "CONFIDENCE_WINDOW",
    "FORWARD_RETURN_COLUMNS",
    "SPELL_COLUMNS",
    "SUMMARY_COLUMNS",
    "RegimeCard",
    "current_regime_card",
    "forward_returns_by_regime",
    "regime_spells",
    "regime_summary",
    "transition_matrix",
]

SPELL_COLUMNS: dict[str, str] = {
    "regime": "str",
    "start": "datetime64[ns]",
    "end": "datetime64[ns]",
    "days": "int64",
}
SUMMARY_COLUMNS: dict[str, str] = {
    "regime": "str",
    "days": "int64",
    "share": "float64",
    "avg_spell_days": "float64",
    "longest_spell_days": "int64",
}
FORWARD_RETURN_COLUMNS: dict[str, str] = {
    "regime": "str",
    "horizon": "int64",
    "count": "int64",
    "mean": "float64",
    "median": "float64",
    "hit_rate": "float64",
}
#: Number of most recent non-missing ``confidence`` values used for the trend.
CONFIDENCE_WINDOW = 20


class RegimeCard(TypedDict):
    """Headline numbers for the current regime (see :func:`current_regime_card`)."""

    regime: str | None
    days_in_regime: int
    since: pd.Timestamp | None
    confidence_trend: float | None


def _empty(schema: dict[str, str]) -> pd.DataFrame:
    """Return a zero-row frame with the columns and dtypes of ``schema``."""
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in schema.items()})


def _prepare(df: pd.DataFrame, required: Sequence[str] = ("date", "regime")) -> pd.DataFrame:
    """Validate a regime series and return a copy sorted by date with a fresh index."""
    missing = [column for column in required if column not in df.columns]
    if missing:
        raise ValueError(f"regime series is missing column(s): {', '.join(missing)}")
    if df["regime"].isna().any():
        raise ValueError("regime series has missing values in column 'regime'")
    out = df.assign(date=pd.to_datetime(df["date"]).dt.as_unit("ns"))
    duplicated = out["date"].duplicated()
    if duplicated.any():
        raise ValueError(f"regime series has duplicate date {out.loc[duplicated, 'date'].iloc[0]}")
    return out.sort_values("date", kind="stable").reset_index(drop=True)


def regime_spells(df: pd.DataFrame) -> pd.DataFrame:
    """Consecutive runs ("spells") of the same regime, in date order.

    Returns columns ``regime`` (str), ``start`` and ``end`` (datetime64, the
    first and last date of the run, inclusive) and ``days`` (int, rows in the
    run).  E.g. ``[bull, bull, bear, bull]`` gives spells of 2, 1 and 1 days.
    """
    if df.empty:
        return _empty(SPELL_COLUMNS)
    series = _prepare(df)
    spell_id = series["regime"].ne(series["regime"].shift()).cumsum()
    grouped = series.groupby(spell_id, sort=False)
    spells = pd.DataFrame(
        {
            "regime": grouped["regime"].first(),
            "start": grouped["date"].first(),
            "end": grouped["date"].last(),
            "days": grouped.size().astype("int64"),
        }
    )
    return spells.reset_index(drop=True)


def regime_summary(df: pd.DataFrame) -> pd.DataFrame:
    """One row per regime: how much time the series spent in it.

    Returns columns ``regime`` (str), ``days`` (int, rows in the regime),
    ``share`` (float, ``days`` / total rows), ``avg_spell_days`` (float, mean
    spell length) and ``longest_spell_days`` (int), sorted by ``days``
    descending, ties by regime name.
    """
    spells = regime_spells(df)
    if spells.empty:
        return _empty(SUMMARY_COLUMNS)
    days = spells.groupby("regime")["days"]
    summary = pd.DataFrame(
        {"days": days.sum(), "avg_spell_days": days.mean(), "longest_spell_days": days.max()}
    ).reset_index()
    summary.insert(2, "share", summary["days"] / summary["days"].sum())
    summary = summary.sort_values(["days", "regime"], ascending=[False, True], kind="stable")
    return summary.reset_index(drop=True).astype(SUMMARY_COLUMNS)


def transition_matrix(df: pd.DataFrame, normalize: bool = True) -> pd.DataFrame:
    """Day-to-day regime transitions, self transitions included.

    Returns a square frame whose index (named ``from``) and columns (named
    ``to``) are all regimes of the series, sorted by name.  Cell
    ``[a, b]`` counts the days in regime ``a`` followed by a day in regime
    ``b`` (int) or, with ``normalize=True``, the probability of that (float,
    each row sums to 1).  A regime seen only on the last day has no observed
    next day: its row is all 0 as counts and all NaN as probabilities.
    """
    if df.empty:
        return _empty_matrix([], normalize)
    regimes = _prepare(df)["regime"].astype(str)
    labels = sorted(regimes.unique())
    pairs = pd.DataFrame({"from": regimes.iloc[:-1].to_numpy(), "to": regimes.iloc[1:].to_numpy()})
    counts = pd.crosstab(pairs["from"], pairs["to"]) if len(pairs) else _empty_matrix(labels, False)
    counts = counts.reindex(index=labels, columns=labels, fill_value=0).astype("int64")
    counts = counts.rename_axis(index="from", columns="to")
    if not normalize:
        return counts
    return counts.div(counts.sum(axis=1).replace(0, np.nan), axis=0)


def _empty_matrix(labels: list[str], normalize: bool) -> pd.DataFrame:
    """A ``labels`` x ``labels`` matrix of zero counts (NaN when normalized)."""
    dtype = "float64" if normalize else "int64"
    fill = np.nan if normalize else 0
    matrix = pd.DataFrame(fill, index=pd.Index(labels, dtype="str"), columns=labels, dtype=dtype)
    return matrix.rename_axis(index="from", columns="to")


def forward_returns_by_regime(
    df: pd.DataFrame, horizons: Sequence[int] = (1, 5, 20)
) -> pd.DataFrame:
    """Distribution of forward close-to-close returns, by the regime on the start day.

    The forward return at row ``t`` for horizon ``h`` is
    ``close[t + h] / close[t] - 1`` where ``t + h`` counts rows (the days
    present in the series), not calendar days; rows with no row ``t + h``
    (or a missing close) are excluded.  Needs a ``close`` column.

    Returns columns ``regime`` (str), ``horizon`` (int), ``count`` (int,
    returns used), ``mean``, ``median`` and ``hit_rate`` (float, share of
    returns strictly > 0), sorted by regime then horizon.  A (regime, horizon)
    pair without any return has no row.
    """
    if any(isinstance(h, bool) or not isinstance(h, int | np.integer) or h < 1 for h in horizons):
        raise ValueError(f"horizons must be positive integers, got {tuple(horizons)!r}")
    if df.empty:
        return _empty(FORWARD_RETURN_COLUMNS)
    long = _forward_returns_long(_prepare(df, ("date", "regime", "close")), horizons)
    if long.empty:
        return _empty(FORWARD_RETURN_COLUMNS)
    stats = long.groupby(["regime", "horizon"]).agg(
        count=("ret", "count"),
        mean=("ret", "mean"),
        median=("ret", "median"),
        hit_rate=("hit", "mean"),
    )
    return stats.reset_index().astype(FORWARD_RETURN_COLUMNS)


def _forward_returns_long(series: pd.DataFrame, horizons: Sequence[int]) -> pd.DataFrame:
    """Stack the forward returns of every horizon: columns regime, horizon, ret, hit."""
    close = series["close"].astype("float64")
    frames = [
        pd.DataFrame(
            {"regime": series["regime"], "horizon": int(h), "ret": close.shift(-h) / close - 1}
        )
        for h in dict.fromkeys(horizons)
    ]
    long = pd.concat(frames, ignore_index=True).dropna(subset=["ret"])
    return long.assign(hit=long["ret"] > 0)


def current_regime_card(df: pd.DataFrame) -> RegimeCard:
    """Headline numbers for the most recent regime.

    Returns a dict with ``regime`` (str, regime on the last date),
    ``days_in_regime`` (int, rows in the last spell), ``since``
    (``pd.Timestamp``, first date of the last spell) and ``confidence_trend``
    (float: least-squares slope of the last :data:`CONFIDENCE_WINDOW`
    non-missing ``confidence`` values against their date, per calendar day;
    ``None`` without a ``confidence`` column or with fewer than two distinct
    dates to fit).  An empty series gives ``regime=None``, ``days_in_regime=0``,
    ``since=None``, ``confidence_trend=None``.
    """
    if df.empty:
        return RegimeCard(regime=None, days_in_regime=0, since=None, confidence_trend=None)
    last = regime_spells(df).iloc[-1]
    return RegimeCard(
        regime=str(last["regime"]),
        days_in_regime=int(last["days"]),
        since=pd.Timestamp(last["start"]),
        confidence_trend=_confidence_trend(_prepare(df)),
    )


def _confidence_trend(series: pd.DataFrame) -> float | None:
    """Least-squares slope per calendar day of the last confidence values, or None."""
    if "confidence" not in series.columns:
        return None
    tail = series.dropna(subset=["confidence"]).tail(CONFIDENCE_WINDOW)
    x = ((tail["date"] - tail["date"].min()) / pd.Timedelta(days=1)).to_numpy(dtype="float64")
    y = tail["confidence"].to_numpy(dtype="float64")
    x_centered = x - x.mean() if len(x) else x
    denominator = float(np.dot(x_centered, x_centered))
    if len(x) < 2 or denominator == 0.0:
        return None
    return float(np.dot(x_centered, y - y.mean()) / denominator)
