"""Assets and daily price bars. Market data is shared by every tenant; `scope` is accepted
like everywhere else so that every query has the same shape and cache key.

Rows dated outside `dates.FIRST`..`dates.LAST` are never returned (`list_assets` counts
them); the merged candles and the histogram also leave out bars whose open, high, low or
close is not a finite number (NaN or infinite; `bars` returns them for the page to count),
and read a non-finite adj_close or volume as missing."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection, and_, func, select, text
from sqlalchemy.dialects.postgresql import distinct_on

from ..db.models import Asset, PriceBar
from ..scope import TenantScope
from ._frames import frame
from .dates import clamp, supported, unsupported

__all__ = [
    "ASSET_COLUMNS",
    "BAR_COLUMNS",
    "BUCKET_COLUMNS",
    "CLOSE_COLUMNS",
    "HISTOGRAM_COLUMNS",
    "bars",
    "bars_bucketed",
    "closes",
    "last_closes",
    "list_assets",
    "return_histogram",
]

ASSET_COLUMNS = {
    "id": "str",
    "name": "str",
    "asset_class": "str",
    "calendar": "str",
    "is_active": "bool",
    "first_date": "object",
    "last_date": "object",
    "skipped_bars": "int64",
}
BAR_COLUMNS = {
    "date": "object",
    "open": "float64",
    "high": "float64",
    "low": "float64",
    "close": "float64",
    "adj_close": "float64",
    "volume": "float64",
}
BUCKET_COLUMNS = {**BAR_COLUMNS, "bars_in_bucket": "int64"}
CLOSE_COLUMNS = {"date": "object", "asset_id": "str", "close": "float64"}
HISTOGRAM_COLUMNS = {"bin_start": "float64", "bin_end": "float64", "count": "int64"}

# Both statements below read `usable`: the bars in range whose prices are all finite
# (Postgres orders NaN above 'Infinity'), a non-finite adj_close or volume read as missing.
# With :adjusted, open/high/low/close are scaled by adj_close / close (bars without an
# adjusted close keep their raw prices) before candles are merged.
_USABLE_BARS = """WITH usable AS (
    SELECT date, open, high, low, close,
           CASE WHEN abs(adj_close) < 'Infinity' THEN adj_close END AS adj_close,
           CASE WHEN abs(volume) < 'Infinity' THEN volume END AS volume
    FROM price_bars
    WHERE asset_id = :asset_id AND date BETWEEN :start AND :end
      AND abs(open) < 'Infinity' AND abs(high) < 'Infinity' AND abs(low) < 'Infinity'
      AND abs(close) < 'Infinity'
),"""
_BUCKETED = text(
    _USABLE_BARS  # noqa: S608 - two constant texts, no value of anyone's
    + """
scaled AS (
    SELECT date, adj_close, volume,
           CASE WHEN :adjusted AND adj_close IS NOT NULL THEN adj_close / close ELSE 1.0 END
               AS factor,
           open, high, low, close
    FROM usable
),
numbered AS (
    SELECT date, open * factor AS open, high * factor AS high, low * factor AS low,
           close * factor AS close, adj_close, volume,
           (row_number() OVER (ORDER BY date) - 1) * :max_points / count(*) OVER () AS bucket
    FROM scaled
)
SELECT min(date) AS date,
       (array_agg(open ORDER BY date))[1] AS open,
       max(high) AS high,
       min(low) AS low,
       (array_agg(close ORDER BY date DESC))[1] AS close,
       (array_agg(adj_close ORDER BY date DESC))[1] AS adj_close,
       sum(volume) AS volume,
       count(*) AS bars_in_bucket
FROM numbered
GROUP BY bucket
ORDER BY 1
"""
)

# Close-to-close returns (of adj_close where present when :adjusted) binned into :bins
# equal-width bins from the smallest to the largest return; the largest falls in the last.
_HISTOGRAM = text(
    _USABLE_BARS  # noqa: S608 - two constant texts, no value of anyone's
    + """
prices AS (
    SELECT date, CASE WHEN :adjusted THEN coalesce(adj_close, close) ELSE close END AS px
    FROM usable
),
returns AS (
    SELECT px / lag(px) OVER (ORDER BY date) - 1 AS ret FROM prices
),
bounds AS (
    SELECT min(ret) AS lo, max(ret) AS hi FROM returns
),
counted AS (
    SELECT least(width_bucket(ret, lo, hi, :bins), :bins) AS bin, count(*) AS n
    FROM returns CROSS JOIN bounds
    WHERE ret IS NOT NULL AND hi > lo
    GROUP BY 1
)
SELECT lo + (g - 1) * (hi - lo) / :bins AS bin_start,
       lo + g * (hi - lo) / :bins AS bin_end,
       coalesce(counted.n, 0) AS count
FROM bounds
CROSS JOIN generate_series(1, :bins) AS g
LEFT JOIN counted ON counted.bin = g
WHERE hi > lo
ORDER BY g
"""
)


def list_assets(conn: Connection, *, scope: TenantScope) -> pd.DataFrame:
    """Columns ASSET_COLUMNS, by id; first_date/last_date are the asset's first and last
    bar dates in dates.FIRST..LAST (None without such bars), skipped_bars counts its bars
    dated outside (index probes on the (asset_id, date) key)."""
    same_asset = PriceBar.asset_id == Asset.id
    in_range = and_(same_asset, supported(PriceBar.date))
    first = select(func.min(PriceBar.date)).where(in_range).scalar_subquery()
    last = select(func.max(PriceBar.date)).where(in_range).scalar_subquery()
    outside = (
        select(func.count())
        .select_from(PriceBar)
        .where(same_asset, unsupported(PriceBar.date))
        .scalar_subquery()
    )
    stmt = select(
        *(getattr(Asset, c) for c in list(ASSET_COLUMNS)[:5]),
        first.label("first_date"),
        last.label("last_date"),
        outside.label("skipped_bars"),
    ).order_by(Asset.id)
    return frame(conn, stmt, ASSET_COLUMNS)


def bars(
    conn: Connection, *, scope: TenantScope, asset_id: str, start: dt.date, end: dt.date
) -> pd.DataFrame:
    """Every bar of `asset_id` from `start` to `end` (within dates.FIRST..LAST), by date,
    as stored (non-finite prices included). Columns BAR_COLUMNS."""
    start, end = clamp(start, end)
    stmt = (
        select(*(getattr(PriceBar, c) for c in BAR_COLUMNS))
        .where(PriceBar.asset_id == asset_id, PriceBar.date.between(start, end))
        .order_by(PriceBar.date)
    )
    return frame(conn, stmt, BAR_COLUMNS)


def bars_bucketed(
    conn: Connection,
    *,
    scope: TenantScope,
    asset_id: str,
    start: dt.date,
    end: dt.date,
    max_points: int,
    adjusted: bool = False,
) -> pd.DataFrame:
    """Bars from `start` to `end` merged in SQL into at most `max_points` candles (first open,
    highest high, lowest low, last close, summed volume). With `adjusted`, each bar's prices
    are first scaled by adj_close / close. Columns BAR_COLUMNS + bars_in_bucket (1
    everywhere when nothing was merged)."""
    start, end = clamp(start, end)
    params = {
        "asset_id": asset_id,
        "start": start,
        "end": end,
        "max_points": max_points,
        "adjusted": adjusted,
    }
    return frame(conn, _BUCKETED, BUCKET_COLUMNS, params)


def return_histogram(
    conn: Connection,
    *,
    scope: TenantScope,
    asset_id: str,
    start: dt.date,
    end: dt.date,
    adjusted: bool,
    bins: int,
) -> pd.DataFrame:
    """Histogram of the close-to-close daily returns of the bars from `start` to `end`
    (adjusted closes where present when `adjusted`): `bins` equal-width bins from the
    smallest to the largest return, the largest counted in the last bin; no rows with fewer
    than two distinct returns. Columns HISTOGRAM_COLUMNS (returns as fractions)."""
    start, end = clamp(start, end)
    params = {"asset_id": asset_id, "start": start, "end": end, "adjusted": adjusted}
    return frame(conn, _HISTOGRAM, HISTOGRAM_COLUMNS, {**params, "bins": bins})


def closes(
    conn: Connection,
    *,
    scope: TenantScope,
    asset_ids: tuple[str, ...],
    start: dt.date,
    end: dt.date,
) -> pd.DataFrame:
    """Closes of `asset_ids` from `start` to `end`, by date then asset. Columns
    CLOSE_COLUMNS."""
    start, end = clamp(start, end)
    stmt = (
        select(PriceBar.date, PriceBar.asset_id, PriceBar.close)
        .where(PriceBar.asset_id.in_(asset_ids), PriceBar.date.between(start, end))
        .order_by(PriceBar.date, PriceBar.asset_id)
    )
    return frame(conn, stmt, CLOSE_COLUMNS)


def last_closes(
    conn: Connection, *, scope: TenantScope, asset_ids: tuple[str, ...], on_or_before: dt.date
) -> pd.DataFrame:
    """Each asset's last close on or before `on_or_before` (assets without one are left
    out), by asset. Columns CLOSE_COLUMNS."""
    stmt = (
        select(PriceBar.date, PriceBar.asset_id, PriceBar.close)
        .where(PriceBar.asset_id.in_(asset_ids), supported(PriceBar.date))
        .where(PriceBar.date <= on_or_before)
        .ext(distinct_on(PriceBar.asset_id))
        .order_by(PriceBar.asset_id, PriceBar.date.desc())
    )
    return frame(conn, stmt, CLOSE_COLUMNS)
