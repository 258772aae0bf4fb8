"""The Regimes page's data: a release's outputs over a range, with the bars beneath them,
the engine's panels, regime statistics and the viewer's watchlist cards.

Outputs dated outside the range pandas holds (queries/dates.py) are left out by the
queries; `release_spans` counts them per release and `regimes_notice` tells the page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from ..cache import derived, run_query
from ..labels import regime_label
from ..metrics.downsample import MAX_POINTS_PER_TRACE, downsample_frame
from ..metrics.regimes import (
    CONFIDENCE_WINDOW,
    current_regime_card,
    forward_returns_by_regime,
    regime_spells,
    regime_summary,
    transition_matrix,
)
from ..queries import market, regimes
from ..scope import TenantScope
from .notices import skipped_notice

__all__ = [
    "CANDLE_POINTS",
    "CARD_COLUMNS",
    "COMPONENT_FIELDS",
    "HORIZONS",
    "LINE_POINTS",
    "RISK_FIELDS",
    "RegimeView",
    "assets_watchlist_first",
    "describe_labels",
    "load_regime_view",
    "regimes_notice",
    "skipped_outputs",
    "tenant_releases",
    "visible_releases",
    "watchlist_cards",
]

CANDLE_POINTS = 2_000  # candles drawn; longer ranges are merged in SQL
LINE_POINTS = 4_000
RISK_FIELDS = ("risk_level", "escalation_v2", "realized_vol")
COMPONENT_FIELDS = ("vrs", "iix", "dsr", "ss", "mb", "lq")
HORIZONS = (1, 5, 20)
CARD_COLUMNS = [
    "asset_id",
    "asset_name",
    "version",
    "regime",
    "days_in_regime",
    "since",
    "last_date",
    "confidence",
    "confidence_trend",
]


@dataclass(frozen=True)
class RegimeView:
    bars: pd.DataFrame  # market.BUCKET_COLUMNS, dates as datetime64
    regimes: pd.DataFrame  # regimes.SERIES_COLUMNS, dates as datetime64
    spells: pd.DataFrame  # regime, start, end, days
    summary: pd.DataFrame  # regime, days, share, avg_spell_days, longest_spell_days
    transitions: pd.DataFrame  # from x to probabilities (metrics.regimes.transition_matrix)
    forward: pd.DataFrame  # regime, horizon, count, mean, median, hit_rate
    confidence: pd.DataFrame  # date, confidence (at most LINE_POINTS rows)
    panels: dict[str, pd.DataFrame]  # field -> date, <field> (at most LINE_POINTS rows each)
    labels: pd.DataFrame  # regimes.LABEL_COLUMNS: the labels of the whole release
    candles_merged: bool
    line_downsampled: bool


def visible_releases(scope: TenantScope) -> pd.DataFrame:
    """Releases in the viewer's scope, for the tenant and asset pickers
    (regimes.RELEASE_COLUMNS, without output dates)."""
    return run_query(regimes.list_releases, scope=scope)


def tenant_releases(scope: TenantScope, *, tenant_id: str) -> pd.DataFrame:
    """`tenant_id`'s releases (regimes.RELEASE_COLUMNS) with first_date and last_date, the
    first and last usable output dates (None for a release without outputs), and skipped
    (int), its outputs dated outside the supported range."""
    releases = visible_releases(scope)
    of_tenant = releases[releases["tenant_id"] == tenant_id]
    spans = run_query(regimes.release_spans, scope=scope, tenant_id=tenant_id)
    merged = of_tenant.merge(spans, on="release_id", how="left", validate="one_to_one")
    return merged.assign(skipped=merged["skipped"].fillna(0).astype("int64"))


def skipped_outputs(releases: pd.DataFrame, release_ids: set[str]) -> int:
    """Outputs dated outside the supported range of the `release_ids` among `releases`
    (tenant_releases' frame)."""
    chosen = releases["release_id"].astype(str).isin(release_ids)
    return int(releases.loc[chosen, "skipped"].sum())


def regimes_notice(releases: pd.DataFrame, release_id: str, cards: pd.DataFrame) -> str | None:
    """The page's notice of outputs left out: those of the release shown and of the
    releases behind the watchlist `cards` (CARD_COLUMNS, matched by asset and version)."""
    behind = releases.merge(cards[["asset_id", "version"]], on=["asset_id", "version"])
    ids = {str(release_id), *behind["release_id"].astype(str)}
    return skipped_notice(skipped_outputs(releases, ids))


def assets_watchlist_first(
    scope: TenantScope, *, tenant_id: str, user_id: str | None, assets: list[str]
) -> tuple[list[str], list[str]]:
    """(`assets` reordered: the viewer's watchlist assets in `tenant_id` first, each group
    alphabetical; the watchlist assets among them)."""
    watched = _watchlist(scope, tenant_id, user_id)
    first = sorted(a for a in assets if a in watched)
    return first + sorted(a for a in assets if a not in watched), first


def _watchlist(scope: TenantScope, tenant_id: str, user_id: str | None) -> set[str]:
    if user_id is None:
        return set()
    rows = run_query(regimes.watchlist, scope=scope, tenant_id=tenant_id, user_id=user_id)
    return set(rows["asset_id"])


def _thin(outputs: pd.DataFrame, field: str) -> tuple[pd.DataFrame, bool]:
    """One output field as a line of at most LINE_POINTS points (MinMax-LTTB)."""
    line = outputs[["date", field]].dropna()
    thinned, was_thinned = downsample_frame(line, "date", field, LINE_POINTS)
    assert len(thinned) <= MAX_POINTS_PER_TRACE
    return thinned, was_thinned


def _statistics(outputs: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Spells, summary, transition matrix and forward returns of a non-empty series."""
    with_close = outputs.dropna(subset=["close"])[["date", "regime", "close"]]
    return {
        "spells": regime_spells(outputs),
        "summary": regime_summary(outputs),
        "transitions": transition_matrix(outputs),
        "forward": forward_returns_by_regime(with_close, HORIZONS),
    }


def _empty_statistics() -> dict[str, pd.DataFrame]:
    empty = pd.DataFrame(columns=["date", "regime", "close"])
    return {
        "spells": regime_spells(empty),
        "summary": regime_summary(empty),
        "transitions": transition_matrix(empty),
        "forward": forward_returns_by_regime(empty),
    }


@derived
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
    labels = run_query(
        regimes.release_labels, scope=scope, tenant_id=tenant_id, release_id=release_id
    )
    bars = bars.assign(date=pd.to_datetime(bars["date"]))
    outputs = outputs.assign(date=pd.to_datetime(outputs["date"]))
    lines = {f: _thin(outputs, f) for f in ("confidence", *RISK_FIELDS, *COMPONENT_FIELDS)}
    stats = _statistics(outputs) if not outputs.empty else _empty_statistics()
    return RegimeView(
        bars=bars,
        regimes=outputs,
        **stats,
        confidence=lines["confidence"][0],
        panels={f: lines[f][0] for f in (*RISK_FIELDS, *COMPONENT_FIELDS)},
        labels=labels,
        candles_merged=bool((bars["bars_in_bucket"] > 1).any()) if not bars.empty else False,
        line_downsampled=any(thinned for _, thinned in lines.values()),
    )


def _confidence_span(row: pd.Series) -> str:
    low, high = float(row["min_confidence"]), float(row["max_confidence"])
    return f"{low:.0%}" if f"{low:.0%}" == f"{high:.0%}" else f"{low:.0%}–{high:.0%}"


def describe_labels(
    labels: pd.DataFrame, escape: Callable[[str], str] = lambda text: text
) -> list[str]:
    """Markdown bullets that explain the labels a release stored (`labels`:
    regimes.LABEL_COLUMNS): its regimes with their days, and its conviction labels with the
    confidence each covered, highest first (the release's own buckets, not fixed
    thresholds). Each label is shown as `escape(regime_label(label))` (pages pass
    `ui.plain`: labels are text written by the engine)."""
    regime_rows = labels[labels["field"] == "regime"]
    regimes = ", ".join(
        f"**{escape(regime_label(r.label))}** ({int(r.days):,} d)" for r in regime_rows.itertuples()
    )
    conviction = labels[(labels["field"] == "conviction") & labels["label"].notna()]
    conviction = conviction.sort_values(["min_confidence", "max_confidence"], ascending=False)
    unlabelled = int(labels.loc[(labels["field"] == "conviction"), "days"].sum()) - int(
        conviction["days"].sum()
    )
    buckets = "; ".join(
        f"**{escape(regime_label(row['label']))}** on days with confidence {_confidence_span(row)}"
        for _, row in conviction.iterrows()
    )
    lines = [
        "- **Regime**: the engine's daily classification. This release's labels (output "
        f"days over the whole release): {regimes or 'none'}.",
        "- **Confidence**: the engine's certainty in [0, 1]. **Conviction** is the "
        "release's own label for it: "
        + (buckets or "this release stores none")
        + (f"; none on {unlabelled:,} d" if unlabelled and buckets else "")
        + ".",
    ]
    return lines


@derived
def watchlist_cards(scope: TenantScope, *, tenant_id: str, user_id: str | None) -> pd.DataFrame:
    """One card per asset on the viewer's watchlist in `tenant_id`, from the asset's latest
    release: current regime, days in it (output days of the last spell), since, the last
    output date and confidence, and the confidence trend (least-squares slope of the last
    CONFIDENCE_WINDOW confidences, per calendar day). Columns CARD_COLUMNS, by asset."""
    if user_id is None:
        return pd.DataFrame(columns=CARD_COLUMNS)
    tails = run_query(
        regimes.watchlist_tails,
        scope=scope,
        tenant_id=tenant_id,
        user_id=user_id,
        window=CONFIDENCE_WINDOW,
    )
    cards = [_card(tail) for _, tail in tails.groupby("asset_id", sort=True)]
    return pd.DataFrame(cards, columns=CARD_COLUMNS)


def _card(tail: pd.DataFrame) -> dict[str, object]:
    card = current_regime_card(tail)
    last = tail.iloc[-1]
    return {
        "asset_id": last["asset_id"],
        "asset_name": last["asset_name"],
        "version": last["version"],
        "regime": card["regime"],
        "days_in_regime": card["days_in_regime"],
        "since": card["since"],
        "last_date": pd.Timestamp(last["date"]),
        "confidence": float(last["confidence"]),
        "confidence_trend": card["confidence_trend"],
    }
