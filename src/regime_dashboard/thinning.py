"""Thinning: long series reduced to a plottable number of points before they reach Plotly
(a presentation step, not a metric: services thin what charts draw; metrics use every point).

* :func:`thin_line` is what services call: one line of a frame, NaN dropped, sorted, at
  most :data:`LINE_POINTS` points, and whether it was thinned.
* :func:`downsample_xy` / :func:`downsample_frame` pick a subset of the rows of
  a line series with tsdownsample's MinMaxLTTB (shape-preserving), always
  keeping the first and last points and the global minimum and maximum of y.
* :func:`downsample_ohlc` merges consecutive candles into wider candles, so no
  high, low or volume is lost.

Rule of thumb for pages: downsample a trace when it has more than
:data:`MAX_POINTS_PER_TRACE` points, to :data:`DEFAULT_N_OUT` points, and say
so on the chart when the returned flag is True.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from tsdownsample import MinMaxLTTBDownsampler

__all__ = [
    "DEFAULT_N_OUT",
    "LINE_POINTS",
    "MAX_POINTS_PER_TRACE",
    "MIN_N_OUT",
    "OHLC_COLUMNS",
    "downsample_frame",
    "downsample_ohlc",
    "downsample_xy",
    "thin_line",
]

MAX_POINTS_PER_TRACE: int = 5000
"""Traces longer than this should be downsampled before plotting."""

DEFAULT_N_OUT: int = 4000
"""Default number of points (or candles) to keep."""

LINE_POINTS: int = 4_000
"""Points each line of a page's charts keeps at most (services say so when they thin)."""

MIN_N_OUT: int = 5
"""Smallest accepted ``n_out``: LTTB needs 3 points, plus room for min and max."""

OHLC_COLUMNS: tuple[str, ...] = ("date", "open", "high", "low", "close", "volume")
"""Columns understood by :func:`downsample_ohlc` (``volume`` is optional)."""


def _check_n_out(n_out: int) -> None:
    """Raise ValueError for an ``n_out`` the downsampler cannot honour."""
    if n_out < MIN_N_OUT:
        raise ValueError(f"n_out must be at least {MIN_N_OUT}, got {n_out}")


def _x_as_numbers(x: np.ndarray | pd.Series | pd.Index) -> np.ndarray:
    """x as a contiguous int64 (dates: epoch ticks) or float64 array, checked sorted."""
    arr = np.asarray(x)
    if arr.dtype.kind in "mM":
        numbers = arr.view(np.int64)  # datetime64 / timedelta64 -> int64 epoch
    elif arr.dtype.kind == "O":
        numbers = pd.DatetimeIndex(arr).asi8  # Timestamps, incl. tz-aware
    elif arr.dtype.kind in "iub":
        numbers = arr.astype(np.int64)
    else:
        numbers = arr.astype(np.float64)
    if numbers.size > 1 and np.any(np.diff(numbers) < 0):
        raise ValueError("x must be sorted in ascending order")
    return np.ascontiguousarray(numbers)


def _extrema(y: np.ndarray) -> np.ndarray:
    """Indices of the global minimum and maximum of y (NaN ignored; none if all NaN)."""
    if np.isnan(y).all():
        return np.empty(0, dtype=np.int64)
    return np.array([np.nanargmin(y), np.nanargmax(y)], dtype=np.int64)


def downsample_xy(
    x: np.ndarray | pd.Series | pd.Index,
    y: np.ndarray | pd.Series,
    n_out: int = DEFAULT_N_OUT,
) -> np.ndarray:
    """Indices of the points to keep so that (x, y) still looks the same.

    Args:
        x: ascending positions (numbers, ``datetime64`` of any unit, or
            Timestamps; dates are converted to int64 epoch ticks).
        y: values, same length as x; NaN is ignored when choosing points.
        n_out: maximum number of points to return (>= :data:`MIN_N_OUT`).

    Returns:
        Sorted, unique int64 positions (use with ``.iloc`` / ``arr[idx]``), at
        most ``n_out`` of them, always containing the first and last positions
        and the positions of the global min and max of y. When
        ``len(y) <= n_out`` this is simply ``arange(len(y))``.
    """
    _check_n_out(n_out)
    values = np.ascontiguousarray(np.asarray(y, dtype=np.float64))
    if len(x) != len(values):
        raise ValueError(f"x and y differ in length: {len(x)} != {len(values)}")
    if len(values) <= n_out:
        return np.arange(len(values), dtype=np.int64)
    picked = MinMaxLTTBDownsampler().downsample(_x_as_numbers(x), values, n_out=n_out - 2)
    return np.union1d(picked.astype(np.int64), _extrema(values))


def downsample_frame(
    df: pd.DataFrame, x_col: str, y_col: str, n_out: int = DEFAULT_N_OUT
) -> tuple[pd.DataFrame, bool]:
    """Keep the rows of ``df`` that :func:`downsample_xy` picks for (x_col, y_col).

    Args:
        df: any frame sorted by ``x_col`` (e.g. columns ``date``, ``equity``).
        x_col: ascending x column (dates, tz-aware or not, or numbers).
        y_col: numeric y column.
        n_out: maximum rows to keep.

    Returns:
        ``(frame, downsampled)``: the selected rows with all columns and their
        original index, in order; ``downsampled`` is False (and the frame is
        ``df`` itself) when ``len(df) <= n_out``.
    """
    _check_n_out(n_out)
    if len(df) <= n_out:
        return df, False
    idx = downsample_xy(df[x_col].to_numpy(), df[y_col].to_numpy(), n_out)
    return df.iloc[idx], True


def _ohlc_aggregation(df: pd.DataFrame) -> dict[str, str]:
    """Column -> aggregation for :func:`downsample_ohlc`; raise on missing columns."""
    missing = [col for col in OHLC_COLUMNS[:5] if col not in df.columns]
    if missing:
        raise ValueError(f"OHLC frame lacks columns {missing}")
    agg = {"date": "first", "open": "first", "high": "max", "low": "min", "close": "last"}
    if "volume" in df.columns:
        agg["volume"] = "sum"
    return agg


def downsample_ohlc(df: pd.DataFrame, n_out: int = DEFAULT_N_OUT) -> tuple[pd.DataFrame, bool]:
    """Merge consecutive candles into ``n_out`` wider candles.

    Args:
        df: one row per bar, sorted by date, with columns ``date`` (bar start),
            ``open``, ``high``, ``low``, ``close`` and optionally ``volume``;
            other columns are dropped from the result.
        n_out: number of candles wanted (>= :data:`MIN_N_OUT`).

    Returns:
        ``(candles, downsampled)``. Rows are split into ``n_out`` consecutive
        buckets of (almost) equal row counts; each bucket becomes one candle
        with ``date`` = first bar's date, ``open`` = first open, ``high`` = max,
        ``low`` = min, ``close`` = last close, ``volume`` = sum. RangeIndex,
        columns in the order above. When ``len(df) <= n_out`` the input is
        returned unchanged with ``downsampled=False``.
    """
    _check_n_out(n_out)
    agg = _ohlc_aggregation(df)
    if len(df) <= n_out:
        return df, False
    bucket = np.arange(len(df)) * n_out // len(df)
    candles = df[list(agg)].groupby(bucket, sort=True).agg(agg)
    return candles.reset_index(drop=True), True


def thin_line(frame: pd.DataFrame, x: str, y: str) -> tuple[pd.DataFrame, bool]:
    """(`frame`'s rows with `x` and `y` present, sorted by `x`, thinned to at most
    LINE_POINTS rows by (x, y) with MinMax-LTTB, every column kept, a fresh RangeIndex;
    whether rows were dropped by the thinning)."""
    line = frame.dropna(subset=[x, y]).sort_values(x, kind="stable")
    thinned, was_thinned = downsample_frame(line, x, y, LINE_POINTS)
    assert len(thinned) <= MAX_POINTS_PER_TRACE
    return thinned.reset_index(drop=True), was_thinned
