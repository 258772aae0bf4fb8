"""The Regimes page's data: a release's outputs over a range, with the bars beneath them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from ..cache import run_query
from ..metrics.downsample import MAX_POINTS_PER_TRACE, downsample_frame
from ..metrics.regimes import regime_spells, regime_summary
from ..queries import market, regimes
from ..scope import TenantScope

__all__ = ["CANDLE_POINTS", "RegimeView", "load_regime_view", "visible_releases"]

CANDLE_POINTS = 2_000  # candles drawn; longer ranges are merged in SQL
LINE_POINTS = 4_000


@dataclass(frozen=True)
class RegimeView:
    bars: pd.DataFrame  # market.BUCKET_COLUMNS
    regimes: pd.DataFrame  # regimes.OUTPUT_COLUMNS, dates as datetime64
    spells: pd.DataFrame  # regime, start, end, days
    summary: pd.DataFrame  # regime, days, share, avg_spell_days, longest_spell_days
    confidence: pd.DataFrame  # date, confidence (at most LINE_POINTS rows)
    candles_merged: bool
    line_downsampled: bool


def visible_releases(scope: TenantScope) -> pd.DataFrame:
    """Releases in the viewer's scope (regimes.RELEASE_COLUMNS)."""
    return run_query(regimes.list_releases, scope=scope)


def load_regime_view(
    scope: TenantScope,
    *,
    tenant_id: str,
    release_id: str,
    asset_id: str,
    start: dt.date,
    end: dt.date,
) -> RegimeView:
    outputs = run_query(
        regimes.regime_series,
        scope=scope,
        tenant_id=tenant_id,
        release_id=release_id,
        start=start,
        end=end,
    )
    bars = run_query(
        market.bars_bucketed,
        scope=scope,
        asset_id=asset_id,
        start=start,
        end=end,
        max_points=CANDLE_POINTS,
    )
    bars = bars.assign(date=pd.to_datetime(bars["date"]))
    outputs = outputs.assign(date=pd.to_datetime(outputs["date"]))
    confidence, thinned = downsample_frame(
        outputs[["date", "confidence"]], "date", "confidence", LINE_POINTS
    )
    assert len(confidence) <= MAX_POINTS_PER_TRACE
    has_rows = not outputs.empty
    return RegimeView(
        bars=bars,
        regimes=outputs,
        spells=regime_spells(outputs)
        if has_rows
        else pd.DataFrame(columns=["regime", "start", "end", "days"]),
        summary=regime_summary(outputs) if has_rows else pd.DataFrame(),
        confidence=confidence,
        candles_merged=bool((bars["bars_in_bucket"] > 1).any()) if not bars.empty else False,
        line_downsampled=thinned,
    )
