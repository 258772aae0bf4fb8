"""Performance metrics of an equity curve, in QuantStats' vocabulary.

Pure functions over pandas; nothing here touches the database or Streamlit.

Conventions shared by every function (they match QuantStats 0.0.86, ``rf=0``):

* ``equity`` is a ``pd.Series`` of positive account values indexed by a sorted
  ``DatetimeIndex`` (one row per bar). NaN rows are dropped.
* ``returns`` is a ``pd.Series`` of *simple* per-bar returns (0.01 == +1 %)
  indexed by date, as produced by :func:`returns_from_equity`. It has one row
  fewer than the equity it came from: the first equity value is the baseline.
  NaN and ±inf returns are ignored (not treated as flat days), except by
  :func:`rolling_sharpe`, whose windows follow the rows as given.
* ``periods`` is the number of bars per year used to annualise (252 for
  business days).
* Every function returns ``float('nan')`` (never ``inf``, never raises) when the
  metric is undefined: empty input, a single return, zero volatility, zero
  drawdown for Calmar, no non-zero day for the win rate.
* Ratios and drawdowns are fractions, not percent: ``-0.1`` is a 10 % drawdown.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "DRAWDOWN_COLUMNS",
    "METRIC_KEYS",
    "TRADING_DAYS",
    "annual_volatility",
    "buy_and_hold",
    "cagr",
    "cagr_calendar",
    "calmar",
    "common_start_growth",
    "compare_with_stored",
    "drawdown_series",
    "exposure",
    "max_drawdown",
    "monthly_returns_table",
    "return_histogram",
    "returns_from_equity",
    "rolling_sharpe",
    "sharpe",
    "sortino",
    "summary_metrics",
    "total_return",
    "win_rate",
    "worst_drawdowns",
    "yearly_returns",
]

TRADING_DAYS: int = 252
"""Bars per year used to annualise daily data (QuantStats' default ``periods``)."""

METRIC_KEYS: tuple[str, ...] = (
    "total_return",
    "cagr",
    "annual_volatility",
    "sharpe",
    "sortino",
    "max_drawdown",
    "calmar",
    "win_rate",
    "trades",
    "exposure",
)
"""Keys of :func:`summary_metrics`, in display order."""

_ZERO_VOL: float = 1e-12
"""A per-bar standard deviation at or below this is treated as zero volatility.

A constant return stream (flat or steadily compounding equity) has a standard
deviation of ~1e-17 from rounding alone; dividing by it would give a
meaningless ratio of ~1e15 instead of "undefined".
"""

_NAN: float = float("nan")


# ---------------------------------------------------------------- helpers


def _clean_returns(returns: pd.Series) -> pd.Series:
    """Return ``returns`` as float64 with NaN and ±inf rows removed (index kept)."""
    values = returns.astype("float64").replace([np.inf, -np.inf], np.nan)
    return values.dropna()


def _clean_equity(equity: pd.Series) -> pd.Series:
    """Return ``equity`` as float64, NaN rows dropped, sorted by its index."""
    return equity.astype("float64").dropna().sort_index()


def _underwater(wealth: np.ndarray) -> np.ndarray:
    """Drawdown of each point of ``wealth`` from its running peak (values <= 0)."""
    if wealth.size == 0:
        return wealth.astype("float64")
    peak = np.maximum.accumulate(wealth)
    return wealth / peak - 1.0 + 0.0  # "+ 0.0" turns -0.0 into 0.0


def _is_zero_vol(std: float) -> bool:
    """Whether a per-bar standard deviation is NaN or (numerically) zero."""
    return not math.isfinite(std) or std <= _ZERO_VOL


def _to_float(value: Any) -> float:
    """``float(value)``, or NaN for None and values that are not numbers."""
    if value is None:
        return _NAN
    try:
        return float(value)
    except (TypeError, ValueError):
        return _NAN


# ---------------------------------------------------------------- series


def returns_from_equity(equity: pd.Series) -> pd.Series:
    """Simple per-bar returns of an equity curve.

    Args:
        equity: account value indexed by date (``DatetimeIndex``). NaN rows are
            dropped first, so a gap yields one return spanning it.

    Returns:
        ``equity[t] / equity[t-1] - 1`` indexed by ``t``: the same index as the
        cleaned ``equity`` minus its first row, float64, same name. A return
        that would be ±inf (previous equity 0) becomes NaN. Empty when the
        equity has fewer than two points.
    """
    clean = _clean_equity(equity)
    returns = (clean / clean.shift(1) - 1.0).iloc[1:]
    return returns.replace([np.inf, -np.inf], np.nan).rename(equity.name)


def drawdown_series(equity: pd.Series) -> pd.Series:
    """Underwater curve: relative distance of equity below its running peak.

    Args:
        equity: account value indexed by date; NaN rows are dropped.

    Returns:
        Float64 Series on the cleaned equity's index, every value ``<= 0``
        (``-0.1`` = 10 % below the highest value seen so far, 0 at new highs;
        the first point is always 0). Equal to QuantStats'
        ``to_drawdown_series(returns_from_equity(equity))`` on the shared dates.
    """
    clean = _clean_equity(equity)
    return pd.Series(_underwater(clean.to_numpy()), index=clean.index, name=equity.name)


def rolling_sharpe(returns: pd.Series, window: int = 63, periods: int = TRADING_DAYS) -> pd.Series:
    """Annualised Sharpe ratio over a trailing window of ``window`` bars.

    Same formula as QuantStats' ``rolling_sharpe(returns, rolling_period=window)``:
    rolling mean / rolling sample std (ddof=1) * sqrt(periods).

    Returns:
        Float64 Series on ``returns``' index; NaN for the first ``window - 1``
        rows, for windows containing a NaN and for windows with zero volatility.
    """
    values = returns.astype("float64").replace([np.inf, -np.inf], np.nan)
    mean = values.rolling(window).mean()
    std = values.rolling(window).std()
    std = std.where(std > _ZERO_VOL)
    return (mean / std * math.sqrt(periods)).rename(returns.name)


def monthly_returns_table(returns: pd.Series) -> pd.DataFrame:
    """Compounded return of every calendar month, one row per year.

    Args:
        returns: simple returns indexed by a ``DatetimeIndex``.

    Returns:
        DataFrame with index ``year`` (int, ascending) and columns ``1..12``
        (int month numbers, column axis named ``month``); each cell is
        ``prod(1 + r) - 1`` over that month's bars. A month without any bar is
        NaN (QuantStats' ``monthly_returns`` shows 0 there; ``.fillna(0)``
        gives its values). Empty input gives an empty frame with the 12 columns.
    """
    clean = _clean_returns(returns)
    months = pd.Index(range(1, 13), name="month")
    if clean.empty:
        return pd.DataFrame(index=pd.Index([], dtype="int64", name="year"), columns=months)
    index = pd.DatetimeIndex(clean.index)
    grouped = clean.add(1.0).groupby([index.year, index.month]).prod() - 1.0
    table = grouped.unstack().reindex(columns=months)
    table.index = table.index.astype("int64").rename("year")
    return table.astype("float64")


# ---------------------------------------------------------------- scalars


def total_return(returns: pd.Series) -> float:
    """Compounded return over the whole series: ``prod(1 + r) - 1``.

    Equals ``equity[-1] / equity[0] - 1``; QuantStats ``comp``. NaN when empty.
    """
    clean = _clean_returns(returns)
    if clean.empty:
        return _NAN
    return float(clean.add(1.0).prod() - 1.0)


def cagr(returns: pd.Series, periods: int = TRADING_DAYS) -> float:
    """Compound annual growth rate, with years counted in *bars*.

    Convention (identical to QuantStats 0.0.86 ``stats.cagr``, which no longer
    uses calendar days): ``years = number_of_returns / periods``, so 252
    business-day returns are exactly one year whatever the dates are, and
    ``cagr = (1 + total_return) ** (1 / years) - 1``. For the calendar-day
    convention ``(end - start).days / 365.25`` use :func:`cagr_calendar`.

    NaN when empty or when the total loss exceeds 100 %.
    """
    clean = _clean_returns(returns)
    if clean.empty:
        return _NAN
    wealth = 1.0 + total_return(clean)
    if wealth < 0:
        return _NAN
    return float(wealth ** (periods / len(clean)) - 1.0)


def cagr_calendar(equity: pd.Series) -> float:
    """Compound annual growth rate, with years counted in calendar days.

    ``years = (last_date - first_date).days / 365.25`` measured on the equity
    curve (the first equity date is the start, unlike a returns series that
    begins one bar later), ``cagr = (equity[-1] / equity[0]) ** (1 / years) - 1``.
    This is *not* what QuantStats reports (see :func:`cagr`); it is kept for
    pages that want the calendar convention. NaN when the span is under a day.
    """
    clean = _clean_equity(equity)
    if len(clean) < 2:
        return _NAN
    index = pd.DatetimeIndex(clean.index)
    years = (index[-1] - index[0]).days / 365.25
    ratio = clean.iloc[-1] / clean.iloc[0]
    if years <= 0 or not ratio >= 0:
        return _NAN
    return float(ratio ** (1.0 / years) - 1.0)


def annual_volatility(returns: pd.Series, periods: int = TRADING_DAYS) -> float:
    """Annualised volatility: sample std (ddof=1) of returns * sqrt(periods).

    QuantStats ``volatility``. 0.0 for constant returns, NaN for fewer than two.
    """
    clean = _clean_returns(returns)
    if len(clean) < 2:
        return _NAN
    return float(clean.std(ddof=1) * math.sqrt(periods))


def sharpe(returns: pd.Series, periods: int = TRADING_DAYS) -> float:
    """Annualised Sharpe ratio with ``rf = 0``: mean / std(ddof=1) * sqrt(periods).

    QuantStats ``sharpe``. NaN with fewer than two returns or zero volatility.
    """
    clean = _clean_returns(returns)
    if len(clean) < 2:
        return _NAN
    std = float(clean.std(ddof=1))
    if _is_zero_vol(std):
        return _NAN
    return float(clean.mean() / std * math.sqrt(periods))


def sortino(returns: pd.Series, periods: int = TRADING_DAYS) -> float:
    """Annualised Sortino ratio with ``rf = 0`` (QuantStats / Red Rock definition).

    ``downside = sqrt(sum(r[r < 0] ** 2) / N)`` where N counts *all* returns
    (not only the negative ones, and no ddof), then
    ``sortino = mean(r) / downside * sqrt(periods)``.
    NaN when empty or when there is no negative return (downside 0).
    """
    clean = _clean_returns(returns)
    if clean.empty:
        return _NAN
    downside = math.sqrt(float((clean[clean < 0] ** 2).sum()) / len(clean))
    if _is_zero_vol(downside):
        return _NAN
    return float(clean.mean() / downside * math.sqrt(periods))


def max_drawdown(returns: pd.Series) -> float:
    """Deepest peak-to-trough fall, as a fraction ``<= 0`` (``-0.1`` = -10 %).

    Takes *returns* like QuantStats' ``max_drawdown``: the curve is rebuilt
    from a baseline of 1 before the first return, so a loss on the first bar
    counts. For an equity series use ``drawdown_series(equity).min()`` (same
    value). NaN when empty.
    """
    clean = _clean_returns(returns)
    if clean.empty:
        return _NAN
    wealth = np.concatenate(([1.0], np.cumprod(1.0 + clean.to_numpy())))
    return float(_underwater(wealth).min())


def calmar(returns: pd.Series, periods: int = TRADING_DAYS) -> float:
    """Calmar ratio: :func:`cagr` (bar-counted years) / ``abs(max_drawdown)``.

    QuantStats ``calmar``. NaN when empty or when there was no drawdown.
    """
    growth, drawdown = cagr(returns, periods), max_drawdown(returns)
    if not math.isfinite(growth) or not drawdown < 0:
        return _NAN
    return float(growth / abs(drawdown))


def win_rate(returns: pd.Series) -> float:
    """Share of the non-zero return bars that are positive (0..1).

    QuantStats ``win_rate`` (period-based, not trade-based): flat bars are
    left out of the denominator. NaN when no bar moved (QuantStats warns and
    returns 0.0 there).
    """
    clean = _clean_returns(returns)
    moved = clean[clean != 0]
    if moved.empty:
        return _NAN
    return float((moved > 0).sum() / len(moved))


def exposure(returns: pd.Series, round_up: bool = True) -> float:
    """Share of bars with a non-zero return (time in the market, 0..1).

    With ``round_up=True`` (default) the share is rounded *up* to the next
    whole percent, ``ceil(share * 100) / 100``, exactly as QuantStats
    ``exposure`` does (0.731 -> 0.74). Pass ``round_up=False`` for the raw
    share. NaN when empty (QuantStats returns 0.0).
    """
    clean = _clean_returns(returns)
    if clean.empty:
        return _NAN
    share = float((clean != 0).sum() / len(clean))
    return math.ceil(share * 100) / 100 if round_up else share


# ---------------------------------------------------------------- reports


def summary_metrics(equity: pd.Series, trades: int | None = None) -> dict[str, float]:
    """Headline metrics of an equity curve, keyed by :data:`METRIC_KEYS`.

    Args:
        equity: account value indexed by date; returns are derived with
            :func:`returns_from_equity` and annualised with 252 bars a year.
        trades: number of trades, copied through as a float (NaN when None);
            it cannot be derived from the equity curve.

    Returns:
        ``{total_return, cagr, annual_volatility, sharpe, sortino, max_drawdown,
        calmar, win_rate, trades, exposure}`` as floats (fractions, not percent;
        NaN where undefined, e.g. every value for fewer than two equity points).
    """
    returns = returns_from_equity(equity)
    return {
        "total_return": total_return(returns),
        "cagr": cagr(returns),
        "annual_volatility": annual_volatility(returns),
        "sharpe": sharpe(returns),
        "sortino": sortino(returns),
        "max_drawdown": max_drawdown(returns),
        "calmar": calmar(returns),
        "win_rate": win_rate(returns),
        "trades": _NAN if trades is None else float(trades),
        "exposure": exposure(returns),
    }


def _agrees(computed: float, stored: float, rtol: float, atol: float) -> bool | None:
    """Tri-state agreement: None when nothing is stored, else ``isclose``."""
    if math.isnan(stored):
        return None
    if math.isnan(computed):
        return False
    return math.isclose(computed, stored, rel_tol=rtol, abs_tol=atol)


def compare_with_stored(
    computed: Mapping[str, Any],
    stored: Mapping[str, Any],
    rtol: float = 1e-6,
    atol: float = 1e-12,
) -> pd.DataFrame:
    """Side-by-side check of recomputed metrics against the stored ones.

    Args:
        computed: e.g. :func:`summary_metrics` output.
        stored: metrics as persisted by the backend (same keys).
        rtol, atol: tolerance of ``math.isclose`` (``atol`` keeps 0 vs 1e-17
            from disagreeing).

    Returns:
        DataFrame with a RangeIndex and columns ``metric`` (str), ``computed``
        and ``stored`` (float64, NaN when missing/None/not a number) and
        ``agrees`` (pandas nullable ``"boolean"``). Rows: the keys of
        ``computed`` in order, then keys only in ``stored``.
        ``agrees`` is ``<NA>`` ("nothing to compare") when the stored value is
        missing, None or NaN; ``False`` when a value is stored but the computed
        one is NaN/missing or differs beyond tolerance; ``True`` otherwise.
    """
    metrics = list(computed) + [key for key in stored if key not in computed]
    rows = []
    for metric in metrics:
        mine, theirs = _to_float(computed.get(metric)), _to_float(stored.get(metric))
        rows.append((metric, mine, theirs, _agrees(mine, theirs, rtol, atol)))
    frame = pd.DataFrame(rows, columns=["metric", "computed", "stored", "agrees"])
    frame["computed"] = frame["computed"].astype("float64")
    frame["stored"] = frame["stored"].astype("float64")
    frame["agrees"] = frame["agrees"].astype("boolean")
    return frame


# ---------------------------------------------------------------- tearsheet tables


def yearly_returns(returns: pd.Series) -> pd.Series:
    """Compounded return of every calendar year: ``prod(1 + r) - 1`` over its bars.

    QuantStats ``utils.aggregate_returns(returns, "year")`` (the ``EOY`` column of
    ``monthly_returns``). Index ``year`` (int, ascending), float64; empty for no return.
    """
    clean = _clean_returns(returns)
    years = pd.DatetimeIndex(clean.index).year
    grouped = clean.add(1.0).groupby(years).prod() - 1.0
    return grouped.rename_axis("year").astype("float64").rename(returns.name)


DRAWDOWN_COLUMNS: tuple[str, ...] = ("start", "valley", "end", "recovered", "days", "depth")


def worst_drawdowns(equity: pd.Series, top: int = 5) -> pd.DataFrame:
    """The ``top`` deepest drawdown periods of an equity curve, deepest first.

    Same periods and values as QuantStats ``drawdown_details(to_drawdown_series(r))``
    on the equity's returns: a period starts on the first bar below the running peak
    (``start``), ``valley`` is its lowest bar, ``end`` its last bar below the peak
    (the bar before the recovery, or the last bar when it has not recovered),
    ``days`` calendar days from start to end plus one, ``depth`` the lowest drawdown
    as a fraction (``-0.1`` = -10 %; QuantStats reports percent).

    Returns:
        Columns DRAWDOWN_COLUMNS: start, valley, end (Timestamps), recovered (bool:
        the equity regained its peak after ``end``), days (int64), depth (float64).
        Ties in depth keep date order. Empty (same columns) without a drawdown.
    """
    drawdown = drawdown_series(equity)
    under = drawdown.lt(0).to_numpy()
    if not under.any():
        return pd.DataFrame({c: pd.Series(dtype="object") for c in DRAWDOWN_COLUMNS})
    period = np.cumsum(np.concatenate(([under[0]], under[1:] & ~under[:-1])))
    rows = []
    for number in np.unique(period[under]):
        part = drawdown[under & (period == number)]
        last = part.index[-1]
        rows.append((part.index[0], part.idxmin(), last, last != drawdown.index[-1], part.min()))
    table = pd.DataFrame(rows, columns=["start", "valley", "end", "recovered", "depth"])
    table.insert(4, "days", (table["end"] - table["start"]).dt.days.astype("int64") + 1)
    table = table.sort_values("depth", kind="stable").head(top).reset_index(drop=True)
    return table.astype({"recovered": "bool", "depth": "float64"})


def return_histogram(series: Mapping[str, pd.Series], bins: int = 50) -> pd.DataFrame:
    """Counts of daily returns in ``bins`` equal-width bins shared by every series.

    Args:
        series: {name: simple returns}; the bins span the smallest to the largest
            return among all of them (``numpy.histogram``: the largest value falls
            in the last bin).

    Returns:
        Columns series (name), bin_start, bin_end (fractions), count (int64): one
        row per series and bin. Empty when no series has a finite return.
    """
    clean = {name: _clean_returns(values).to_numpy() for name, values in series.items()}
    pooled = np.concatenate([np.empty(0), *clean.values()])
    if pooled.size == 0:
        return pd.DataFrame(columns=["series", "bin_start", "bin_end", "count"])
    edges = np.histogram_bin_edges(pooled, bins=bins)
    parts = [
        pd.DataFrame(
            {
                "series": name,
                "bin_start": edges[:-1],
                "bin_end": edges[1:],
                "count": np.histogram(values, bins=edges)[0].astype("int64"),
            }
        )
        for name, values in clean.items()
    ]
    return pd.concat(parts, ignore_index=True)


def buy_and_hold(closes: pd.Series, dates: pd.DatetimeIndex) -> pd.Series:
    """The value of holding an asset, on the dates of another series (e.g. a run's
    equity): on each date the asset's last close on or before it, from the first date
    with such a close on; rebased to 1.0 there. Float64 on (part of) ``dates``; empty
    when no close precedes the last date."""
    prices = _clean_equity(closes)
    on_dates = prices.reindex(prices.index.union(dates)).ffill().reindex(dates).dropna()
    if on_dates.empty:
        return on_dates.astype("float64")
    return (on_dates / on_dates.iloc[0]).astype("float64")


def common_start_growth(curves: Mapping[str, pd.Series]) -> tuple[pd.DataFrame, Any]:
    """Curves rebased to 1.0 on their common first date: the latest first date among
    them. Points before it are cut; a curve without a point on that date is rebased on
    its last point before it (its value when the others start).

    Returns:
        (frame with columns date, run, growth (value / value at the common start) for
        every point from the common start on, in the order of ``curves``; the common
        start (a Timestamp, None when there is no curve)).
    """
    clean = {name: _clean_equity(curve) for name, curve in curves.items()}
    firsts = [curve.index[0] for curve in clean.values() if len(curve)]
    if not firsts:
        return pd.DataFrame(columns=["date", "run", "growth"]), None
    start = max(firsts)
    parts = []
    for name, curve in clean.items():
        if not len(curve) or curve.index[-1] < start:
            continue  # no point from the common start on: nothing to compare
        base = float(curve[curve.index <= start].iloc[-1])
        later = curve[curve.index > start]
        dates = pd.DatetimeIndex([start]).append(pd.DatetimeIndex(later.index))
        growth = np.concatenate(([1.0], later.to_numpy() / base))
        parts.append(pd.DataFrame({"date": dates, "run": name, "growth": growth}))
    return pd.concat(parts, ignore_index=True), start
