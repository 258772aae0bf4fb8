"""The Regimes page's data: a release's outputs over a range, with the bars beneath them,
the engine's panels, regime statistics and the viewer's watchlist cards.

Outputs dated outside the range pandas holds (queries/dates.py) are left out by the
queries; `release_spans` counts them per release and the view's notice says so."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from ..cache import derived, run_query
from ..labels import regime_label
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
from ..thinning import thin_line
from ..viewer import Viewer
from .notices import skipped_notice
from .release_choices import ReleaseSpan, find_release, release_outputs, tenant_releases

__all__ = [
    "CANDLE_POINTS",
    "COMPONENT_FIELDS",
    "HORIZONS",
    "RISK_FIELDS",
    "WATCHLIST_CARD_COLUMNS",
    "RegimeSeries",
    "RegimesView",
    "describe_labels",
    "load_regimes_view",
]

CANDLE_POINTS = 2_000  # candles drawn; longer ranges are merged in SQL
RISK_FIELDS = ("risk_level", "escalation_v2", "realized_vol")
COMPONENT_FIELDS = ("vrs", "iix", "dsr", "ss", "mb", "lq")
HORIZONS = (1, 5, 20)
WATCHLIST_CARD_COLUMNS = [
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
class RegimeSeries:
    """A release's outputs over the chosen range, and what is drawn from them."""

    bars: pd.DataFrame  # market.BUCKET_COLUMNS, dates as datetime64
    regimes: pd.DataFrame  # regimes.SERIES_COLUMNS, dates as datetime64
    spells: pd.DataFrame  # regime, start, end, days
    summary: pd.DataFrame  # regime, days, share, avg_spell_days, longest_spell_days
    transitions: pd.DataFrame  # from x to probabilities (metrics.regimes.transition_matrix)
    forward: pd.DataFrame  # regime, horizon, count, mean, median, hit_rate
    confidence: pd.DataFrame  # date, confidence (at most thinning.LINE_POINTS rows)
    panels: dict[str, pd.DataFrame]  # field -> date, <field> (at most LINE_POINTS rows each)
    labels: pd.DataFrame  # regimes.LABEL_COLUMNS: the labels of the whole release
    candles_merged: bool
    line_downsampled: bool


@dataclass(frozen=True)
class RegimesView:
    """Everything the Regimes page draws for one release."""

    release: ReleaseSpan
    cards: pd.DataFrame  # WATCHLIST_CARD_COLUMNS: the viewer's watchlist in the tenant
    notice: str | None  # outputs left out (of the release and those behind the cards)
    series: RegimeSeries | None  # None: no range asked (the release has no outputs)


def load_regimes_view(
    viewer: Viewer,
    release_id: str,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> RegimesView:
    """The release `release_id`, the viewer's watchlist cards in its tenant, the notice of
    outputs left out, and (given `start` and `end`) its outputs over that range."""
    viewer.require("analyst")
    release = find_release(viewer.scope, release_id)
    cards = _watchlist_cards(viewer.scope, tenant_id=release.tenant_id, user_id=viewer.user_id)
    series = None
    if start is not None and end is not None:
        series = _regime_series(viewer.scope, release=release, start=start, end=end)
    notice = _notice(tenant_releases(viewer.scope, release.tenant_id), release_id, cards)
    return RegimesView(release=release, cards=cards, notice=notice, series=series)


def _notice(releases: pd.DataFrame, release_id: str, cards: pd.DataFrame) -> str | None:
    """Outputs left out of the release shown and of the releases behind the watchlist
    `cards` (matched by asset and version), among the tenant's `releases`."""
    behind = releases.merge(cards[["asset_id", "version"]], on=["asset_id", "version"])
    ids = {str(release_id), *behind["release_id"].astype(str)}
    chosen = releases["release_id"].astype(str).isin(ids)
    return skipped_notice(int(releases.loc[chosen, "skipped"].sum()))


def _statistics(outputs: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Spells, summary, transition matrix and forward returns of a series (date, regime,
    close; an empty one gives empty tables)."""
    series = outputs[["date", "regime", "close"]]
    if series.empty:
        series = pd.DataFrame(columns=["date", "regime", "close"])
    return {
        "spells": regime_spells(series),
        "summary": regime_summary(series),
        "transitions": transition_matrix(series),
        "forward": forward_returns_by_regime(series.dropna(subset=["close"]), HORIZONS),
    }


@derived
def _regime_series(
    scope: TenantScope, *, release: ReleaseSpan, start: dt.date, end: dt.date
) -> RegimeSeries:
    outputs = release_outputs(scope, release, start, end)
    window = {"asset_id": release.asset_id, "start": start, "end": end}
    bars = run_query(market.bars_bucketed, scope=scope, **window, max_points=CANDLE_POINTS)
    labels = run_query(
        regimes.release_labels,
        scope=scope,
        tenant_id=release.tenant_id,
        release_id=release.release_id,
    )
    bars = bars.assign(date=pd.to_datetime(bars["date"]))
    fields = ("confidence", *RISK_FIELDS, *COMPONENT_FIELDS)
    lines = {f: thin_line(outputs[["date", f]], "date", f) for f in fields}
    stats = _statistics(outputs)
    return RegimeSeries(
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
def _watchlist_cards(scope: TenantScope, *, tenant_id: str, user_id: str | None) -> pd.DataFrame:
    """One card per asset on the viewer's watchlist in `tenant_id`, from the asset's latest
    release: current regime, days in it (output days of the last spell), since, the last
    output date and confidence, and the confidence trend (least-squares slope of the last
    CONFIDENCE_WINDOW confidences, per calendar day). Columns WATCHLIST_CARD_COLUMNS, by asset."""
    if user_id is None:
        return pd.DataFrame(columns=WATCHLIST_CARD_COLUMNS)
    tails = run_query(
        regimes.watchlist_tails,
        scope=scope,
        tenant_id=tenant_id,
        user_id=user_id,
        window=CONFIDENCE_WINDOW,
    )
    cards = [_card(tail) for _, tail in tails.groupby("asset_id", sort=True)]
    return pd.DataFrame(cards, columns=WATCHLIST_CARD_COLUMNS)


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
