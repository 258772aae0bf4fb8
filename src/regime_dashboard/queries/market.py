"""Assets and daily price bars. Market data is shared by every tenant; `scope` is accepted
like everywhere else so that every query has the same shape and cache key."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection, select, text

from ..db.models import Asset, PriceBar
from ..scope import TenantScope
from ._frames import frame

__all__ = ["ASSET_COLUMNS", "BAR_COLUMNS", "bars", "bars_bucketed", "list_assets"]

ASSET_COLUMNS = ["id", "name", "asset_class", "calendar", "is_active"]
BAR_COLUMNS = ["date", "open", "high", "low", "close", "adj_close", "volume"]
BUCKET_COLUMNS = [*BAR_COLUMNS, "bars_in_bucket"]

_BUCKETED = text("""
WITH numbered AS (
    SELECT date, open, high, low, close, adj_close, volume,
           (row_number() OVER (ORDER BY date) - 1) * :max_points / count(*) OVER () AS bucket
    FROM price_bars
    WHERE asset_id = :asset_id AND date BETWEEN :start AND :end
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
""")


def list_assets(conn: Connection, *, scope: TenantScope) -> pd.DataFrame:
    """Columns ASSET_COLUMNS, by id."""
    return frame(
        conn, select(*(getattr(Asset, c) for c in ASSET_COLUMNS)).order_by(Asset.id), ASSET_COLUMNS
    )


def bars(
    conn: Connection, *, scope: TenantScope, asset_id: str, start: dt.date, end: dt.date
) -> pd.DataFrame:
    """Every bar of `asset_id` from `start` to `end`, by date. Columns BAR_COLUMNS."""
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
) -> pd.DataFrame:
    """Bars from `start` to `end` merged in SQL into at most `max_points` candles (first open,
    highest high, lowest low, last close, summed volume). Columns BAR_COLUMNS +
    bars_in_bucket (1 everywhere when nothing was merged)."""
    params = {"asset_id": asset_id, "start": start, "end": end, "max_points": max_points}
    return frame(conn, _BUCKETED, BUCKET_COLUMNS, params)
