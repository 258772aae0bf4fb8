"""Home's pieces (services/home.py gives what they show): the month's business cards with
their change against the month before, the lists of what needs attention and the
watchlist, each item a link to the page and filters that explain it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, cast

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from ..labels import regime_label
from ..metered import metric_label
from ..navigation import PAGES
from ..services.home import (
    SPIKE_DAYS,
    AdminHome,
    AnalystHome,
    Kpi,
    LeadershipHome,
    Link,
    RegimeSwitch,
    WatchedRegime,
)
from .cards import Kind, card_row, kpi
from .formats import MINUS, compact_number, compact_usd
from .tables import format_share
from .text import plain

__all__ = [
    "admin_section",
    "analyst_section",
    "leadership_section",
    "link_item",
]

SWITCHES_SHOWN = 8  # the newest; the rest in an expander
WATCH_CARD_WIDTH = 170


def link_item(where: Any, link: Link, label: str, icon: str = ":material/arrow_forward:") -> None:
    """`label` (markdown, already escaped) as a link to `link`'s page with its filters."""
    path = next(spec.path for spec in PAGES if spec.slug == link.page)
    try:
        where.page_link(path, label=label, icon=icon, query_params=list(link.params))
    except StreamlitPageNotFoundError:  # the page runs without the app's navigation (tests)
        where.markdown(f"{icon} [{label}]({link.url})")


def _cards(kpis: list[Kpi], month: dt.date) -> None:
    """One row of metric cards (ui/cards.py; wrapping, two to a row on a phone) and, under
    it, a link to the page the cards come from."""
    for where, item in zip(card_row(len(kpis)), kpis, strict=True):
        kpi(
            where,
            item.label,
            item.value,
            cast(Kind, item.unit),
            previous=item.previous,
            since=f"{_previous(month):%b}",
            series=item.history if len(item.history) > 1 else None,
            lower_is_better=not item.higher_is_better,
            help=f"{item.label} in {month:%B %Y}.",
        )
    page = next(spec.title for spec in PAGES if spec.slug == kpis[0].link.page)
    link_item(st, kpis[0].link, f"{page} in {month:%B %Y}")


def _previous(month: dt.date) -> dt.date:
    return (month - dt.timedelta(days=1)).replace(day=1)


def _items(
    title: str, frame: pd.DataFrame, label: Callable[[Any], str], empty: str, icon: str
) -> None:
    """A list of links, one per row of `frame` (its `link` column), or `empty` said."""
    st.markdown(f"**{title}**")
    if frame.empty:
        st.caption(empty)
        return
    for row in frame.itertuples():
        link_item(st, row.link, label(row), icon)


def leadership_section(part: LeadershipHome) -> None:
    """The last full month's cards, then what needs attention."""
    if part.as_of is None or part.month is None:
        st.info("No subscriptions, payments, usage or runs yet: run `regime-dashboard seed`.")
        return
    st.subheader(f"{part.month:%B %Y} at a glance")
    for page in dict.fromkeys(item.link.page for item in part.kpis):
        _cards([item for item in part.kpis if item.link.page == page], part.month)
    st.subheader(f"Needs attention · as of {part.as_of:%d %b %Y}")
    _attention(part)


def _attention(part: LeadershipHome) -> None:
    left, middle, right = st.columns(3)
    with left:
        _items(
            f"Tenants over or near a quota in {part.quota_month:%B}",
            part.quota,
            lambda r: (
                f"{plain(r.tenant_name)} · {metric_label(r.metric)} at "
                f"{_share(r.pct_used)} of {compact_number(r.limit_value)}"
            ),
            "No tenant is at 80 % of a limit this month.",
            ":material/speed:",
        )
    with middle:
        _items(
            "Past-due subscriptions",
            part.past_due,
            lambda r: (
                f"{plain(r.tenant_name)} · {plain(r.plan_id)} · {r.days_overdue} d overdue"
                f" · {compact_usd(r.mrr_usd)} MRR"
            ),
            "No subscription is past due.",
            ":material/credit_card_off:",
        )
    with right:
        baseline = format_share(part.baseline_failure_rate)
        _items(
            "Failure-rate spikes",
            part.spikes,
            lambda r: (
                f"{r.day:%d %b}: {format_share(r.failure_rate)} failed ({r.failed} of {r.finished})"
            ),
            f"No day in the last {SPIKE_DAYS} days failed at twice the usual rate ({baseline}).",
            ":material/error:",
        )


def _share(share: float) -> str:
    return "blocked" if share == float("inf") else format_share(share)


def admin_section(part: AdminHome) -> None:
    """The latest audit entries."""
    _items(
        "Latest admin changes",
        part.audit,
        lambda r: (
            f"{r.occurred_at:%d %b %H:%M} · {plain(r.actor_email)} · {r.action} "
            f"{r.table_name.replace('_', ' ')} {plain(r.row)}"
        ),
        "No admin changes yet: edits on the Plans and Tenants pages appear here.",
        ":material/history:",
    )


def mismatches_section(mismatches: pd.DataFrame) -> None:
    """Releases whose inputs changed since they were hashed."""
    _items(
        "Releases whose input bars no longer match their stored data hash",
        mismatches,
        lambda r: f"{plain(r.tenant_name)} · {plain(r.asset_id)} {plain(r.version)}",
        "Every release's input bars still match its stored data hash.",
        ":material/fingerprint:",
    )


def _watch_card(row: Any, card: WatchedRegime) -> None:
    """A card: the asset's regime and days in it, the confidence trend, a link to Regimes."""
    box = row.container(border=True, width=WATCH_CARD_WIDTH)
    slope = card.confidence_trend
    box.metric(
        plain(card.asset_id),
        regime_label(card.regime),
        None if slope is None else f"{slope * 100:+.1f} pp/d".replace("-", MINUS),
        delta_arrow="off" if slope is None else "up" if slope > 0 else "down",
        delta_color="gray",
        delta_description=f"{card.days_in_regime} d",
        help=f"{plain(card.asset_name)}, release {plain(card.version)}: "
        f"{plain(regime_label(card.regime))} since {card.since:%d %b %Y} as of "
        f"{card.last_date:%d %b %Y} ({card.days_in_regime} output days), confidence "
        f"{card.confidence:.0%}; the change is the confidence trend per day.",
    )
    link_item(box, card.link, f"Regimes · {plain(card.version)}")


def _shown_card(card: WatchedRegime) -> tuple[Any, ...]:
    """What a watchlist card shows (not its tenant or link): cards alike in this are one."""
    return (card.asset_id, card.version, card.regime, card.days_in_regime, card.since,
            card.last_date, round(card.confidence, 4), card.confidence_trend)  # fmt: skip


def _same_cards(
    watched: tuple[WatchedRegime, ...],
) -> list[tuple[list[str], list[WatchedRegime]]]:
    """The watchlist by tenant, tenants whose cards all show the same (their outputs are
    alike) merged into one group, so each card is drawn once: [(tenant names, the first
    tenant's cards)] in the order tenants come (each card links to that first tenant)."""
    groups: dict[tuple[Any, ...], tuple[list[str], list[WatchedRegime]]] = {}
    for tenant in dict.fromkeys(card.tenant_name for card in watched):
        cards = [c for c in watched if c.tenant_name == tenant]
        names, _ = groups.setdefault(tuple(map(_shown_card, cards)), ([], cards))
        names.append(tenant)
    return list(groups.values())


def _merged_switches(switches: tuple[RegimeSwitch, ...]) -> list[tuple[RegimeSwitch, list[str]]]:
    """Each switch once, with every tenant it happened in (tenants whose outputs are alike
    repeat it): [(the first tenant's switch, tenant names)], newest first as given."""
    merged: dict[tuple[Any, ...], tuple[RegimeSwitch, list[str]]] = {}
    for s in switches:
        shown = (s.date, s.asset_id, s.version, s.from_regime, s.to_regime, round(s.confidence, 4))
        merged.setdefault(shown, (s, []))[1].append(s.tenant_name)
    return list(merged.values())


def analyst_section(part: AnalystHome) -> None:
    """The watchlist's regimes, then the recent regime switches."""
    st.subheader("Your watchlist")
    if not part.watched:
        st.info("Your watchlist is empty: star an asset on the Regimes page (☆ Add to watchlist).")
        return
    for tenants, cards in _same_cards(part.watched):
        st.caption(" · ".join(plain(t) for t in sorted(tenants)))
        row = st.container(horizontal=True, gap="small")
        for card in cards:
            _watch_card(row, card)
    assert part.window is not None
    first, last = part.window
    _switches(part, f"Regime changes · {first:%d %b} – {last:%d %b %Y}")


def _switch_link(where: Any, switch: RegimeSwitch, tenants: list[str]) -> None:
    """A switch as one line (a phone-width link): its tenant, or "N tenants" when alike in
    several (the watchlist caption names them)."""
    link_item(
        where,
        switch.link,
        f"{switch.date:%d %b} · **{plain(switch.asset_id)}** "
        f"{plain(regime_label(switch.from_regime))} → "
        f"{plain(regime_label(switch.to_regime))} ({switch.confidence:.0%}) · "
        f"{plain(tenants[0]) if len(tenants) == 1 else f'{len(tenants)} tenants'}",
        ":material/swap_horiz:",
    )


def _switches(part: AnalystHome, title: str) -> None:
    """The newest SWITCHES_SHOWN switches (each once, with its tenants), the rest in an
    expander."""
    st.subheader(title)
    if not part.switches:
        st.caption("No watchlist asset changed regime in these days.")
        return
    switches = _merged_switches(part.switches)
    for switch, tenants in switches[:SWITCHES_SHOWN]:
        _switch_link(st, switch, tenants)
    rest = switches[SWITCHES_SHOWN:]
    if rest:
        with st.expander(f"{len(rest)} earlier change{'s' * (len(rest) != 1)}"):
            for switch, tenants in rest:
                _switch_link(st, switch, tenants)
