"""The Prices page's data: one asset's bars (merged into candles for long ranges), the
histogram of its daily returns, and the data-quality checks of its bars.

Bars the page cannot use are left out and counted: those dated outside the range pandas
holds (queries/dates.py; `market.list_assets` counts them) and those whose open, high, low
or close is NaN or infinite (counted here; the candle and histogram SQL leaves them out)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..cache import run_query
from ..metrics.data_quality import (
    GAP_KINDS,
    GapKind,
    high_below_low,
    missing_sessions,
    non_positive_prices,
    price_gaps,
    stale_runs,
    zero_volume,
)
from ..queries import market
from ..scope import TenantScope
from ..viewer import Viewer
from .notices import skipped_notice

__all__ = [
    "CANDLE_POINTS",
    "GAP_KINDS",
    "HISTOGRAM_BINS",
    "PricedAsset",
    "PricesView",
    "QualityChecks",
    "QualitySettings",
    "finite_bars",
    "load_prices_view",
    "priced_assets",
    "quality_checks",
]

CANDLE_POINTS = 2_000
HISTOGRAM_BINS = 60


@dataclass(frozen=True)
class QualitySettings:
    """How strict the checks are: runs of at least `stale_min` identical closes are stale;
    a gap is a move of more than `gap_threshold` (a fraction) measured as `gap_kind`."""

    stale_min: int
    gap_threshold: float
    gap_kind: GapKind


@dataclass(frozen=True)
class QualityChecks:
    missing: pd.DataFrame  # date, weekday
    non_positive: pd.DataFrame  # date, field, value
    high_below_low: pd.DataFrame  # date, high, low
    stale: pd.DataFrame  # start, end, bars, close
    gaps: pd.DataFrame  # date, previous_close, price, gap
    zero_volume: pd.DataFrame  # date, close
    summary: pd.DataFrame  # check, issues (one row per check, in the order above)

    @property
    def total(self) -> int:
        """Issues found by every check together."""
        return int(self.summary["issues"].sum())


@dataclass(frozen=True)
class PricedAsset:
    """An asset with usable bars, as the asset picker offers it."""

    asset_id: str
    name: str
    calendar: str
    first_date: dt.date
    last_date: dt.date


@dataclass(frozen=True)
class PricesView:
    """Everything the Prices page draws for one asset over a range."""

    asset: PricedAsset
    candles: pd.DataFrame  # market.BUCKET_COLUMNS, dates as datetime64
    candles_merged: bool
    bars: int  # usable bars in the range
    histogram: pd.DataFrame  # bin_start, bin_end, count
    quality: QualityChecks
    notice: str | None  # rows left out (services.notices.skipped_notice), None for none


def _assets(scope: TenantScope) -> pd.DataFrame:
    """Every asset (market.ASSET_COLUMNS): market data is shared by all tenants."""
    return run_query(market.list_assets, scope=scope)


def priced_assets(viewer: Viewer) -> dict[str, PricedAsset]:
    """{asset id: asset} of the assets with usable bars, the asset picker's options."""
    viewer.require("analyst")
    assets = _assets(viewer.scope).dropna(subset=["first_date"])
    return {
        str(a.id): PricedAsset(str(a.id), str(a.name), str(a.calendar), a.first_date, a.last_date)
        for a in assets.itertuples()
    }


def finite_bars(bars: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """(`bars` (market.BAR_COLUMNS) without the rows whose open, high, low or close is NaN
    or infinite, with a non-finite adj_close or volume made missing; how many rows were
    dropped)."""
    prices = bars[["open", "high", "low", "close"]].astype("float64").to_numpy()
    keep = np.isfinite(prices).all(axis=1)
    usable = bars[keep].reset_index(drop=True)
    for column in ("adj_close", "volume"):
        values = usable[column].astype("float64")
        usable[column] = values.where(np.isfinite(values))
    return usable, int((~keep).sum())


def _skipped_bars(scope: TenantScope, asset_id: str) -> int:
    """The asset's bars dated outside the supported range (market.list_assets)."""
    assets = _assets(scope)
    counts = assets.loc[assets["id"] == asset_id, "skipped_bars"]
    return int(counts.iloc[0]) if len(counts) else 0


def quality_checks(
    bars: pd.DataFrame, calendar: str, start: dt.date, end: dt.date, settings: QualitySettings
) -> QualityChecks:
    """Every data-quality check of `bars` (market.BAR_COLUMNS) over [start, end]."""
    stale_min, gap_threshold, gap_kind = (
        settings.stale_min,
        settings.gap_threshold,
        settings.gap_kind,
    )
    checks = QualityChecks(
        missing=missing_sessions(bars["date"], calendar, start, end),
        non_positive=non_positive_prices(bars),
        high_below_low=high_below_low(bars),
        stale=stale_runs(bars, stale_min),
        gaps=price_gaps(bars, gap_threshold, gap_kind),
        zero_volume=zero_volume(bars),
        summary=pd.DataFrame(),
    )
    names = [
        "Missing sessions",
        "Non-positive prices",
        "High below low",
        f"Stale closes (≥ {stale_min} identical)",
        f"Gaps over {gap_threshold:.1%} ({gap_kind.replace('_', '-')})",
        "Zero volume",
    ]
    found = [
        checks.missing,
        checks.non_positive,
        checks.high_below_low,
        checks.stale,
        checks.gaps,
        checks.zero_volume,
    ]
    summary = pd.DataFrame({"check": names, "issues": [len(f) for f in found]})
    return dataclasses.replace(checks, summary=summary)


def load_prices_view(
    viewer: Viewer,
    asset_id: str,
    start: dt.date,
    end: dt.date,
    *,
    adjusted: bool,
    quality: QualitySettings,
) -> PricesView:
    """Candles (adjusted or raw), return histogram and quality checks of asset `asset_id`'s
    usable bars from `start` to `end`, and the notice of the bars left out. Quality checks
    always look at the raw prices."""
    viewer.require("analyst")
    scope, asset = viewer.scope, priced_assets(viewer)[asset_id]
    window = {"asset_id": asset_id, "start": start, "end": end}
    candles = run_query(
        market.bars_bucketed, scope=scope, **window, max_points=CANDLE_POINTS, adjusted=adjusted
    )
    bars, not_finite = finite_bars(run_query(market.bars, scope=scope, **window))
    histogram = run_query(
        market.return_histogram, scope=scope, **window, adjusted=adjusted, bins=HISTOGRAM_BINS
    )
    return PricesView(
        asset=asset,
        candles=candles.assign(date=pd.to_datetime(candles["date"])),
        candles_merged=bool((candles["bars_in_bucket"] > 1).any()),
        bars=len(bars),
        histogram=histogram,
        quality=quality_checks(bars, asset.calendar, start, end, quality),
        notice=skipped_notice(_skipped_bars(scope, asset_id), not_finite),
    )
