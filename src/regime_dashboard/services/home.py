"""Home: what each role should look at first, each item with a link to the page (and the
filters) that explains it.

`load_home_view(viewer)` is the page's one call. It reads nothing of its own: every part
comes from the pages' cached services, called with the pages' default filters where it can
(so opening Home warms the pages it links to, and the other way round), and each part is
loaded only for the roles allowed to see it (analysts: watchlist; leadership: business;
admins: all of it plus the audit trail and the reproducibility check)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

import pandas as pd

from ..cache import database_description, derived, run_query
from ..config import get_settings
from ..db.resolve import database_source
from ..metered import METERED_METRICS, metric_label
from ..metrics.saas import cents_to_units, ratio
from ..queries import billing, usage
from ..queries import user_settings as settings_queries
from ..scope import TenantScope
from ..viewer import Viewer
from . import admin
from .operations import load_operations_view
from .periods import (
    PERIOD_CHOICES,
    activity_span,
    add_months,
    default_usage_month,
    month_as_of,
    resolve_period,
)
from .regimes import load_regimes_view
from .release_choices import ReleaseSpan, release_choices, release_outputs, release_tenants
from .releases import CHANGED, load_releases_view
from .revenue import load_revenue_view, read_billing
from .usage import load_usage_view

__all__ = [
    "AUDIT_ENTRIES",
    "RECENT_DAYS",
    "SPIKE_DAYS",
    "AdminHome",
    "AnalystHome",
    "HomeView",
    "Kpi",
    "LeadershipHome",
    "Link",
    "RegimeSwitch",
    "WatchedRegime",
    "database_line",
    "last_full_month",
    "load_home_view",
]

RECENT_DAYS = 30  # regime switches in the last 30 days of outputs
SWITCH_CONTEXT_DAYS = 90  # a switch's link opens the Regimes page this long before it
SPIKE_DAYS = 14  # failure-rate spikes in the last 14 days
SPIKE_MIN_FINISHED = 10  # a day needs this many finished runs to count as a spike
SPIKE_FACTOR = 2.0  # … and a failure rate at least twice the period's
SPIKE_MARGIN = 0.10  # … and at least 10 percentage points above it
AUDIT_ENTRIES = 10
REVENUE_PERIOD = "12m"  # the Revenue and Subscriptions pages' default period
OPERATIONS_PERIOD = "3m"  # the Run operations page's default period
USAGE_HISTORY_MONTHS = 12  # the usage cards' sparklines: as many months as MRR's
_LOOK_BEHIND_DAYS = 14  # outputs read before the window, to see a switch on its first day


@dataclass(frozen=True)
class Link:
    """A page (its navigation slug, navigation.PAGES) and the URL parameters that open it on
    what explains an item: values as the page's pickers keep them in the URL (labels, ISO
    dates; a repeated key for a date range)."""

    page: str
    params: tuple[tuple[str, str], ...] = ()

    @property
    def url(self) -> str:
        """The page's relative address with its parameters, e.g. `usage?month=2026-11`."""
        return f"{self.page}?{urlencode(self.params)}" if self.params else self.page

    def query(self) -> dict[str, list[str]]:
        """The parameters as {key: [values]}."""
        found: dict[str, list[str]] = {}
        for key, value in self.params:
            found.setdefault(key, []).append(value)
        return found


@dataclass(frozen=True)
class WatchedRegime:
    """One watchlist asset: its latest release's current regime (services.regimes cards)."""

    tenant_name: str
    asset_id: str
    asset_name: str
    version: str
    regime: str
    days_in_regime: int
    since: dt.date
    last_date: dt.date
    confidence: float
    confidence_trend: float | None  # per calendar day; None when it cannot be computed
    link: Link


@dataclass(frozen=True)
class RegimeSwitch:
    """A day a watchlist asset's latest release changed regime."""

    tenant_name: str
    asset_id: str
    version: str
    date: dt.date
    from_regime: str
    to_regime: str
    confidence: float
    link: Link


@dataclass(frozen=True)
class AnalystHome:
    watched: tuple[WatchedRegime, ...]  # by tenant, then asset
    switches: tuple[RegimeSwitch, ...]  # newest first
    window: tuple[dt.date, dt.date] | None  # (first, last) day searched for switches


@dataclass(frozen=True)
class Kpi:
    """A business number of the last full month against the month before."""

    key: str  # "mrr", "net_new_mrr", "customer_churn", "usage:<metric>"
    label: str
    value: float | None
    previous: float | None
    unit: str  # "usd", "share" or "count"
    link: Link
    history: tuple[float, ...] = ()  # monthly values up to `value`, oldest first
    higher_is_better: bool = True

    @property
    def change(self) -> float | None:
        """value − previous (None when either is missing)."""
        if self.value is None or self.previous is None:
            return None
        if pd.isna(self.value) or pd.isna(self.previous):
            return None
        return float(self.value) - float(self.previous)


@dataclass(frozen=True)
class LeadershipHome:
    as_of: dt.date | None  # last day with activity; None: no activity at all
    month: dt.date | None  # first day of the last full month
    kpis: tuple[Kpi, ...] = ()
    # tenant_id, tenant_name, plan_id, metric, used, limit_value, pct_used, state, link
    quota: pd.DataFrame = field(default_factory=pd.DataFrame)
    quota_month: dt.date | None = None  # the month `quota` is about (the Usage page's)
    # tenant_name, plan_id, past_due_since, days_overdue, currency, mrr_usd, link
    past_due: pd.DataFrame = field(default_factory=pd.DataFrame)
    # day (date), runs, finished, failed, failure_rate, link
    spikes: pd.DataFrame = field(default_factory=pd.DataFrame)
    baseline_failure_rate: float | None = None  # failed ÷ finished over the ops period


@dataclass(frozen=True)
class AdminHome:
    # id, occurred_at, actor_email, action, table_name, row, tenant_name, changes, link
    audit: pd.DataFrame
    # tenant_name, asset_id, version, release_date, stored_sha256, recomputed_sha256, link
    mismatches: pd.DataFrame = field(default_factory=pd.DataFrame)


@dataclass(frozen=True)
class HomeView:
    """Home's parts: None for a part the viewer's roles do not cover."""

    analyst: AnalystHome | None
    leadership: LeadershipHome | None
    admin: AdminHome | None
    database: str


def database_line(viewer: Viewer) -> str:
    """Which database the dashboard reads. Admins get its address (credentials hidden) and
    where it was named; other roles only where it was named (no address, no path)."""
    if viewer.can("admin"):
        return database_description()
    return f"Database source: {database_source(get_settings(), paths=False)}."


def load_home_view(viewer: Viewer, *, mismatches: bool = True) -> HomeView:
    """Everything Home shows `viewer`: each part only for the roles allowed to see it.
    `mismatches=False` leaves the admin's release re-hash out (seconds after a data change:
    the page draws the rest first and asks `load_release_mismatches` last)."""
    home = replace(_home_parts(viewer.scope, viewer=viewer), database=database_line(viewer))
    if mismatches and home.admin is not None:
        found = load_release_mismatches(viewer)
        home = replace(home, admin=replace(home.admin, mismatches=found))
    return home


def load_release_mismatches(viewer: Viewer) -> pd.DataFrame:
    """Releases whose input bars no longer hash to their stored data_sha256 (admins)."""
    viewer.require("admin")
    return _mismatches(viewer)


@derived
def _home_parts(scope: TenantScope, *, viewer: Viewer) -> HomeView:
    """The parts, cached per viewer (and so per scope) and data version: a warm Home is one
    lookup rather than a walk through every page's cached results."""
    return HomeView(
        analyst=_analyst_home(viewer) if viewer.can("analyst") else None,
        leadership=_leadership_home(viewer) if viewer.can("leadership") else None,
        admin=_admin_home(viewer) if viewer.can("admin") else None,
        database="",
    )


# ---- analysts: the watchlist's regimes and their recent switches ----------------------


def _regimes_link(release: ReleaseSpan, dates: tuple[dt.date, dt.date] | None = None) -> Link:
    """The Regimes page on `release` (its tenant, asset and version), over `dates`."""
    params = [("tenant", release.tenant_name), ("asset", release.asset_id)]
    params.append(("release", release.version))
    params += [("dates", d.isoformat()) for d in dates or ()]
    return Link("regimes", tuple(params))


def _watched_tenants(viewer: Viewer) -> list[str]:
    """The tenants (ids) where the viewer has a watchlist asset, in the viewer's scope."""
    if viewer.user_id is None:
        return []
    documents = run_query(settings_queries.documents_of, scope=viewer.scope, user_id=viewer.user_id)
    watching = [
        str(tenant_id)
        for tenant_id, document in zip(
            documents["tenant_id"], documents["settings_json"], strict=True
        )
        if isinstance(document, dict) and str(document.get("watchlist")).lower() == "true"
    ]
    return sorted(set(watching))


def _watched(viewer: Viewer) -> list[tuple[WatchedRegime, ReleaseSpan]]:
    """The viewer's watchlist cards (services.regimes) in every tenant, with each card's
    release."""
    tenants = release_tenants(viewer)
    found = []
    for tenant_id in (t for t in _watched_tenants(viewer) if t in tenants):
        choices = release_choices(viewer, tenant_id)
        if not choices.releases:
            continue
        cards = load_regimes_view(viewer, choices.releases[0].release_id).cards
        spans = {(r.asset_id, r.version): r for r in choices.releases}
        for card in cards.to_dict("records"):
            release = spans[(card["asset_id"], card["version"])]
            trend = card["confidence_trend"]
            watched = WatchedRegime(
                tenant_name=release.tenant_name,
                asset_id=str(card["asset_id"]),
                asset_name=str(card["asset_name"]),
                version=str(card["version"]),
                regime=str(card["regime"]),
                days_in_regime=int(card["days_in_regime"]),
                since=pd.Timestamp(card["since"]).date(),
                last_date=pd.Timestamp(card["last_date"]).date(),
                confidence=float(card["confidence"]),
                confidence_trend=None if pd.isna(trend) else float(trend),
                link=_regimes_link(release),
            )
            found.append((watched, release))
    return found


def _switches(viewer: Viewer, release: ReleaseSpan, first: dt.date) -> list[RegimeSwitch]:
    """The days from `first` to the release's last output on which its regime differed
    from the output day before."""
    if release.first_date is None or release.last_date is None or release.last_date < first:
        return []
    read_from = max(release.first_date, first - dt.timedelta(days=_LOOK_BEHIND_DAYS))
    outputs = release_outputs(viewer.scope, release, read_from, release.last_date)
    before = outputs["regime"].shift()
    changed = outputs[
        before.notna() & (outputs["regime"] != before) & (outputs["date"].dt.date >= first)
    ]
    switches = []
    for row, previous in zip(changed.itertuples(), before[changed.index], strict=True):
        day = row.date.date()
        context = (max(release.first_date, day - dt.timedelta(days=SWITCH_CONTEXT_DAYS)),)
        switches.append(
            RegimeSwitch(
                tenant_name=release.tenant_name,
                asset_id=release.asset_id,
                version=release.version,
                date=day,
                from_regime=str(previous),
                to_regime=str(row.regime),
                confidence=float(row.confidence),
                link=_regimes_link(release, (*context, release.last_date)),
            )
        )
    return switches


def _analyst_home(viewer: Viewer) -> AnalystHome:
    """The watchlist's regimes and the switches in the last RECENT_DAYS days of outputs
    (up to the latest output date over the watchlist)."""
    watched = _watched(viewer)
    if not watched:
        return AnalystHome(watched=(), switches=(), window=None)
    last = max(card.last_date for card, _ in watched)
    first = last - dt.timedelta(days=RECENT_DAYS - 1)
    switches = [s for _, release in watched for s in _switches(viewer, release, first)]
    switches.sort(key=lambda s: (s.date, s.tenant_name, s.asset_id), reverse=True)
    return AnalystHome(
        watched=tuple(card for card, _ in watched),
        switches=tuple(switches),
        window=(first, last),
    )


# ---- leadership: the month's numbers and what needs attention ------------------------


def last_full_month(as_of: dt.date) -> dt.date:
    """The first day of the last calendar month that has ended by the end of `as_of`."""
    ended = (as_of + dt.timedelta(days=1)).day == 1
    return as_of.replace(day=1) if ended else add_months(as_of, -1)


def _month_value(moves: pd.DataFrame, month: dt.date, column: str) -> float | None:
    """`column` of `month`'s row of the movements (None without that row)."""
    row = moves.loc[moves["month"] == pd.Timestamp(month), column]
    return None if row.empty else float(row.iloc[0])


def _revenue_kpis(viewer: Viewer, as_of: dt.date, month: dt.date) -> list[Kpi]:
    """MRR, net new MRR and customer churn of `month` against the month before (the
    Revenue page's default view); links open Revenue as of the month's last day."""
    moves = load_revenue_view(viewer, resolve_period(REVENUE_PERIOD, as_of)).movements
    upto = moves[moves["month"] <= pd.Timestamp(month)]
    link = Link("revenue", (("as_of", month_as_of(month, as_of).isoformat()),))
    wanted = (
        ("mrr", "MRR", "closing_mrr", "usd"),
        ("net_new_mrr", "Net new MRR", "net", "usd"),
        ("customer_churn", "Customer churn", "customer_churn_rate", "share"),
    )
    return [
        Kpi(
            key=key,
            label=label,
            value=_month_value(moves, month, column),
            previous=_month_value(moves, add_months(month, -1), column),
            unit=unit,
            link=link,
            history=tuple(float(v) for v in upto[column].fillna(0.0)),
            higher_is_better=key != "customer_churn",
        )
        for key, label, column, unit in wanted
    ]


def _usage_kpis(viewer: Viewer, as_of: dt.date, month: dt.date, first: dt.date) -> list[Kpi]:
    """Each metered metric's total over every tenant in `month` against the month before
    (the Usage page's month view), with its monthly totals (the sparkline) from the month
    of `first` (the first day with activity) or USAGE_HISTORY_MONTHS back, whichever is
    later, up to `month`; links open Usage on that month."""
    months = [add_months(month, -back) for back in range(USAGE_HISTORY_MONTHS - 1, -1, -1)]
    months = [m for m in months if m >= first.replace(day=1)] or [month]
    previous = add_months(month, -1)
    totals = _usage_totals(viewer, min(previous, months[0]), month_as_of(month, as_of))
    link = Link("usage", (("month", f"{month:%Y-%m}"),))
    return [
        Kpi(
            key=f"usage:{metric}",
            label=metric_label(metric),
            value=_used(totals, month, metric),
            previous=_used(totals, previous, metric),
            unit="count",
            link=link,
            history=tuple(_used(totals, m, metric) for m in months),
        )
        for metric in METERED_METRICS
    ]


def _used(totals: dict[dt.date, pd.Series], month: dt.date, metric: str) -> float:
    """`metric`'s usage in `month` (0 for a month or metric without usage)."""
    return float(totals[month].get(metric, 0.0)) if month in totals else 0.0


def _usage_totals(viewer: Viewer, first: dt.date, last_day: dt.date) -> dict[dt.date, pd.Series]:
    """Each metric's usage over the viewer's tenants per month from the month of `first` to
    `last_day`, in one query: {month start: used by metric}; a month without usage is
    absent (read as 0)."""
    rows = run_query(
        usage.monthly_usage,
        scope=viewer.scope,
        first_month=first,
        as_of=last_day,
        metrics=METERED_METRICS,
    )
    return {
        month: part.set_index("metric")["used"] for month, part in rows.groupby("month", sort=False)
    }


def _with_links(frame: pd.DataFrame, links: list[Link]) -> pd.DataFrame:
    return frame.assign(link=pd.Series(links, index=frame.index, dtype=object))


def _quota(viewer: Viewer, as_of: dt.date) -> pd.DataFrame:
    """Tenant-metric pairs at 80 % of their limit or more in the month the Usage page opens
    on (periods.default_usage_month), worst first; links open Usage on the tenant."""
    month = default_usage_month(as_of)
    rows = load_usage_view(viewer, month_as_of(month, as_of)).rows
    columns = ["tenant_id", "tenant_name", "plan_id", "metric", "used", "limit_value"]
    attention = rows.loc[rows["state"].isin(["over", "near"]), [*columns, "pct_used", "state"]]
    links = [
        Link("usage", (("month", f"{month:%Y-%m}"), ("tenant", str(name))))
        for name in attention["tenant_name"]
    ]
    return _with_links(attention.reset_index(drop=True), links)


def _past_due(viewer: Viewer, as_of: dt.date) -> pd.DataFrame:
    """Subscriptions past_due at the end of `as_of` (the Subscriptions page's list), most
    overdue first; links open Subscriptions as of that day."""
    raw = read_billing(viewer, billing.past_due_subscriptions, as_of=as_of)
    due = cents_to_units(raw, {"mrr_usd_cents": "mrr_usd"})
    columns = ["tenant_name", "plan_id", "past_due_since", "days_overdue", "currency", "mrr_usd"]
    link = Link("subscriptions", (("as_of", as_of.isoformat()),))
    return _with_links(due[columns].reset_index(drop=True), [link] * len(due))


def _spikes(viewer: Viewer, as_of: dt.date) -> tuple[pd.DataFrame, float | None]:
    """Days of the last SPIKE_DAYS with at least SPIKE_MIN_FINISHED finished runs whose
    failure rate is at least SPIKE_FACTOR times the Run operations page's default period's
    and SPIKE_MARGIN above it, newest first; and that period's rate. Links open Run
    operations on the period ending that day."""
    daily = load_operations_view(viewer, resolve_period(OPERATIONS_PERIOD, as_of)).daily
    baseline = ratio(float(daily["failed"].sum()), float(daily["finished"].sum()))
    columns = ["day", "runs", "finished", "failed", "failure_rate"]
    if baseline is None:
        return _with_links(daily[columns].iloc[:0], []), None
    threshold = max(baseline * SPIKE_FACTOR, baseline + SPIKE_MARGIN)
    recent = daily["day"].dt.date > as_of - dt.timedelta(days=SPIKE_DAYS)
    hot = (daily["finished"] >= SPIKE_MIN_FINISHED) & (daily["failure_rate"] >= threshold)
    spikes = daily.loc[recent & hot, columns].sort_values("day", ascending=False)
    spikes = spikes.assign(day=spikes["day"].dt.date).reset_index(drop=True)
    period = PERIOD_CHOICES[OPERATIONS_PERIOD]
    links = [
        Link("operations", (("period", period), ("as_of", day.isoformat())))
        for day in spikes["day"]
    ]
    return _with_links(spikes, links), baseline


def _leadership_home(viewer: Viewer) -> LeadershipHome:
    """The last full month's numbers against the month before, and what needs attention
    as of the last day with activity."""
    span = activity_span(viewer)
    if span is None:
        return LeadershipHome(as_of=None, month=None)
    as_of = span[1]
    month = last_full_month(as_of)
    spikes, baseline = _spikes(viewer, as_of)
    return LeadershipHome(
        as_of=as_of,
        month=month,
        kpis=(*_revenue_kpis(viewer, as_of, month), *_usage_kpis(viewer, as_of, month, span[0])),
        quota=_quota(viewer, as_of),
        quota_month=default_usage_month(as_of),
        past_due=_past_due(viewer, as_of),
        spikes=spikes,
        baseline_failure_rate=baseline,
    )


# ---- admins: the audit trail and releases whose inputs changed -----------------------


def _audit(viewer: Viewer) -> pd.DataFrame:
    """The last AUDIT_ENTRIES audit rows, newest first; links open Audit filtered on the
    row's table, tenant and actor."""
    changes = admin.list_changes(viewer, limit=AUDIT_ENTRIES)
    columns = ["id", "occurred_at", "actor_email", "action", "table_name", "row"]
    shown = changes[[*columns, "tenant_name", "changes"]].reset_index(drop=True)
    links = []
    for entry in shown.to_dict("records"):
        params = [("table", str(entry["table_name"]))]
        if isinstance(entry["tenant_name"], str) and entry["tenant_name"]:
            params.append(("tenant", entry["tenant_name"]))
        params.append(("actor", str(entry["actor_email"])))
        links.append(Link("audit", tuple(params)))
    return _with_links(shown, links)


def _mismatches(viewer: Viewer) -> pd.DataFrame:
    """Releases whose input bars no longer hash to their stored data_sha256 (the Releases
    page's reproducibility check, per tenant); links open Releases on the tenant and asset."""
    rows, links = [], []
    for tenant_id, tenant_name in release_tenants(viewer).items():
        repro = load_releases_view(viewer, tenant_id).reproducibility
        for row in repro[repro["status"] == CHANGED].to_dict("records"):
            rows.append({"tenant_name": tenant_name, **row})
            links.append(Link("releases", (("tenant", tenant_name), ("asset", row["asset_id"]))))
    columns = ["tenant_name", "asset_id", "version", "release_date"]
    frame = pd.DataFrame(rows, columns=[*columns, "stored_sha256", "recomputed_sha256"])
    return _with_links(frame, links)


def _admin_home(viewer: Viewer) -> AdminHome:
    return AdminHome(audit=_audit(viewer))
