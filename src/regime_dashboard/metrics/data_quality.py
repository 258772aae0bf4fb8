"""Data-quality checks of one asset's daily price bars.

Every function takes ``bars``: a DataFrame with columns ``date`` (``datetime.date`` or
datetime64, unique), ``open``, ``high``, ``low``, ``close`` (float) and optionally
``adj_close`` and ``volume`` (float, missing where the source has none); rows in any
order (they are sorted by date). Each check returns one row per problem found, with the
documented columns, and an empty frame with those columns when there is none. Inputs are
never modified.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import pandas as pd

from ..calendars import sessions

__all__ = [
    "GAP_COLUMNS",
    "GAP_KINDS",
    "HIGH_LOW_COLUMNS",
    "MISSING_COLUMNS",
    "NON_POSITIVE_COLUMNS",
    "STALE_COLUMNS",
    "ZERO_VOLUME_COLUMNS",
    "high_below_low",
    "missing_sessions",
    "non_positive_prices",
    "price_gaps",
    "stale_runs",
    "zero_volume",
]

GapKind = Literal["close_to_open", "close_to_close"]
GAP_KINDS: tuple[GapKind, ...] = ("close_to_open", "close_to_close")
MISSING_COLUMNS = {"date": "datetime64[ns]", "weekday": "str"}
NON_POSITIVE_COLUMNS = {"date": "datetime64[ns]", "field": "str", "value": "float64"}
HIGH_LOW_COLUMNS = {"date": "datetime64[ns]", "high": "float64", "low": "float64"}
STALE_COLUMNS = {
    "start": "datetime64[ns]",
    "end": "datetime64[ns]",
    "bars": "int64",
    "close": "float64",
}
GAP_COLUMNS = {
    "date": "datetime64[ns]",
    "previous_close": "float64",
    "price": "float64",
    "gap": "float64",
}
ZERO_VOLUME_COLUMNS = {"date": "datetime64[ns]", "close": "float64"}
_PRICE_FIELDS = ("open", "high", "low", "close", "adj_close")


def _empty(schema: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in schema.items()})


def _sorted(bars: pd.DataFrame) -> pd.DataFrame:
    """A copy sorted by date, dates as datetime64[ns], fresh index."""
    out = bars.assign(date=pd.to_datetime(bars["date"]).dt.as_unit("ns"))
    return out.sort_values("date", kind="stable").reset_index(drop=True)


def missing_sessions(dates: pd.Series, calendar: str, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Sessions of `calendar` (``calendars.sessions``) from `start` to `end` without a bar.

    Returns columns ``date`` (datetime64) and ``weekday`` (e.g. ``"Tuesday"``), by date.
    """
    expected = sessions(calendar, start, end).as_unit("ns")
    have = pd.DatetimeIndex(pd.to_datetime(pd.Series(dates))).as_unit("ns")
    missing = expected.difference(have)
    if missing.empty:
        return _empty(MISSING_COLUMNS)
    frame = pd.DataFrame({"date": missing.as_unit("ns"), "weekday": missing.day_name()})
    return frame.astype(MISSING_COLUMNS)


def non_positive_prices(bars: pd.DataFrame) -> pd.DataFrame:
    """Prices at or below zero (a missing adj_close is not a problem).

    Returns columns ``date``, ``field`` (open, high, low, close or adj_close) and ``value``,
    by date then field in that order.
    """
    data = _sorted(bars)
    fields = [f for f in _PRICE_FIELDS if f in data.columns]
    long = data.melt(id_vars="date", value_vars=fields, var_name="field", value_name="value")
    bad = long[long["value"].astype("float64") <= 0]
    if bad.empty:
        return _empty(NON_POSITIVE_COLUMNS)
    order = bad["field"].map({f: i for i, f in enumerate(_PRICE_FIELDS)})
    bad = bad.assign(_order=order).sort_values(["date", "_order"], kind="stable")
    return bad.drop(columns="_order").reset_index(drop=True).astype(NON_POSITIVE_COLUMNS)


def high_below_low(bars: pd.DataFrame) -> pd.DataFrame:
    """Bars whose high is below their low. Returns columns ``date``, ``high``, ``low``."""
    data = _sorted(bars)
    bad = data.loc[data["high"] < data["low"], ["date", "high", "low"]]
    return (
        bad.reset_index(drop=True).astype(HIGH_LOW_COLUMNS)
        if len(bad)
        else _empty(HIGH_LOW_COLUMNS)
    )


def zero_volume(bars: pd.DataFrame) -> pd.DataFrame:
    """Bars that traded nothing: volume exactly 0 (a missing volume, as FX quotes have, is
    not a problem; neither are bars without a volume column). Returns columns ``date`` and
    ``close``, by date."""
    if "volume" not in bars.columns:
        return _empty(ZERO_VOLUME_COLUMNS)
    data = _sorted(bars)
    bad = data.loc[data["volume"].astype("float64") == 0, ["date", "close"]]
    if bad.empty:
        return _empty(ZERO_VOLUME_COLUMNS)
    return bad.reset_index(drop=True).astype(ZERO_VOLUME_COLUMNS)


def stale_runs(bars: pd.DataFrame, min_run: int) -> pd.DataFrame:
    """Runs of at least `min_run` consecutive bars with an identical close.

    Returns columns ``start`` and ``end`` (first and last date of the run), ``bars`` (its
    length) and ``close`` (the repeated close), by start. E.g. closes 1, 2, 2, 2, 3 with
    ``min_run=3`` give one run of 3 bars at close 2.
    """
    if min_run < 2:
        raise ValueError(f"min_run must be at least 2, got {min_run}")
    data = _sorted(bars)
    run_id = data["close"].ne(data["close"].shift()).cumsum()
    runs = data.groupby(run_id, sort=True).agg(
        start=("date", "first"),
        end=("date", "last"),
        bars=("date", "size"),
        close=("close", "first"),
    )
    runs = runs[runs["bars"] >= min_run]
    return runs.reset_index(drop=True).astype(STALE_COLUMNS) if len(runs) else _empty(STALE_COLUMNS)


def price_gaps(
    bars: pd.DataFrame, threshold: float, kind: GapKind = "close_to_open"
) -> pd.DataFrame:
    """Bars that moved more than `threshold` (a fraction: 0.1 = 10 %) from the previous
    bar's close: ``close_to_open`` compares the open (``open / previous close - 1``),
    ``close_to_close`` the close. The first bar has no previous close and is never flagged.

    Returns columns ``date``, ``previous_close``, ``price`` (the open or close compared) and
    ``gap`` (signed fraction), by date, for rows with ``abs(gap) > threshold``.
    """
    if kind not in GAP_KINDS:
        raise ValueError(f"kind must be one of {GAP_KINDS}, got {kind!r}")
    data = _sorted(bars)
    price = data["open" if kind == "close_to_open" else "close"].astype("float64")
    previous = data["close"].astype("float64").shift()
    gap = price / previous - 1
    frame = pd.DataFrame(
        {"date": data["date"], "previous_close": previous, "price": price, "gap": gap}
    )
    flagged = frame[gap.abs() > threshold]
    return (
        flagged.reset_index(drop=True).astype(GAP_COLUMNS) if len(flagged) else _empty(GAP_COLUMNS)
    )
