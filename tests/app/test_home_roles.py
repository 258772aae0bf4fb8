"""Home per role (issue 15 item 6): each role sees only its parts, and every number and list
Home shows matches an independent computation on the seeded database (SQL of the ledger,
the usage rollup and the runs; the Releases page's reproducibility check; the Regimes
page's watchlist cards)."""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal

import pytest
from streamlit.testing.v1 import AppTest

from regime_dashboard.services import admin
from regime_dashboard.services.home import (
    RECENT_DAYS,
    SPIKE_DAYS,
    SPIKE_FACTOR,
    SPIKE_MARGIN,
    SPIKE_MIN_FINISHED,
    HomeView,
    last_full_month,
    load_home_view,
)
from regime_dashboard.services.periods import add_months, default_usage_month, resolve_period
from regime_dashboard.services.regimes import load_regimes_view
from regime_dashboard.services.release_choices import release_choices, release_tenants
from regime_dashboard.services.releases import CHANGED, load_releases_view
from regime_dashboard.services.revenue import RATES_TO_USD, load_revenue_view
from regime_dashboard.viewer import Viewer
from tests.app.conftest import APP, signed_in
from tests.app.test_leadership_readable import card_rows
from tests.conftest import AS_OF
from tests.helpers import one, sql, viewer

pytestmark = [pytest.mark.app, pytest.mark.db]


def _viewer(url: str, role: str) -> Viewer:
    return viewer(url, f"{role}@demo.local", role)


def _home(url: str, role: str) -> HomeView:
    return load_home_view(viewer(url, f"{role}@demo.local", role))


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), dt.UTC)


# ---- who sees what --------------------------------------------------------------------


def _page(role: str) -> AppTest:
    at = signed_in(AppTest.from_file(APP, default_timeout=60), role).run()
    assert not at.exception
    return at


def _headings(at: AppTest) -> str:
    return " | ".join(str(e.value) for kind in ("subheader", "markdown") for e in getattr(at, kind))


def test_each_role_sees_only_its_parts(app_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEMO_MODE", "true")
    parts = {role: _home(app_env, role) for role in ("analyst", "leadership", "admin")}
    assert parts["analyst"].leadership is None and parts["analyst"].admin is None
    assert parts["leadership"].analyst is None and parts["leadership"].admin is None
    assert None not in (parts["admin"].analyst, parts["admin"].leadership, parts["admin"].admin)

    analyst = _page("analyst")
    assert "Your watchlist" in _headings(analyst)
    assert not {"MRR", "Net new MRR", "Customer churn"} & {m.label for m in analyst.metric}
    assert "Needs attention" not in _headings(analyst)
    assert "Releases whose input bars no longer match" not in _headings(analyst)

    leader = _page("leadership")
    assert {"MRR", "Net new MRR", "Customer churn", "API calls"} <= {m.label for m in leader.metric}
    assert "Past-due subscriptions" in _headings(leader)
    assert "Your watchlist" not in _headings(leader)
    assert "Latest admin changes" not in _headings(leader)

    boss = _page("admin")
    shown = _headings(boss)
    assert "Releases whose input bars no longer match" in shown and "Latest admin changes" in shown
    assert "Past-due subscriptions" in shown and "Your watchlist" in shown


def test_home_draws_every_item_as_a_link_to_its_filters(
    app_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every link the service gives is drawn as a page link with exactly its parameters."""
    monkeypatch.setenv("DEMO_MODE", "true")
    for role in ("analyst", "admin"):
        home = _home(app_env, role)
        links = []
        if home.analyst is not None:
            links += [c.link for c in home.analyst.watched] + [
                s.link for s in home.analyst.switches
            ]
        if home.leadership is not None:
            part = home.leadership
            links += [k.link for k in part.kpis]
            links += [*part.quota["link"], *part.past_due["link"], *part.spikes["link"]]
        if home.admin is not None:
            links += [*home.admin.audit["link"], *home.admin.mismatches["link"]]
        drawn = {(e.proto.page, e.proto.query_string) for e in _page(role).get("page_link")}
        wanted = {(link.page, link.url.split("?", 1)[1]) for link in links}
        # a watchlist card or switch alike in several tenants is drawn once, linking to the
        # first of them: every item is drawn up to its tenant, and nothing else is drawn
        assert wanted and {_untenanted(w) for w in wanted} <= {_untenanted(d) for d in drawn}
        watch = {(link.page, link.url.split("?", 1)[1]) for link in links if link.page == "regimes"}
        assert {d for d in drawn if d[0] == "regimes" and d[1]} <= watch  # (not the sidebar's)


def _untenanted(link: tuple[str, str]) -> tuple[str, str]:
    """A (page, query) link without its tenant parameter."""
    page, query = link
    return page, "&".join(p for p in query.split("&") if not p.startswith("tenant="))


def test_a_watchlist_alike_in_several_tenants_is_drawn_once(
    app_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The seeded analyst watches the same four assets in three tenants whose outputs are
    alike: Home draws each card once under one caption naming the three tenants, and each
    regime change once ("· 3 tenants"), not three times."""
    monkeypatch.setenv("DEMO_MODE", "true")
    part = _home(app_env, "analyst").analyst
    assert part is not None
    tenants = list(dict.fromkeys(c.tenant_name for c in part.watched))
    assets = sorted({c.asset_id for c in part.watched})
    assert len(tenants) == 3 and len(part.watched) == 3 * len(assets)  # the seeded case
    at = _page("analyst")
    labels = [m.label for m in at.metric]
    assert sorted(a for a in labels if a in assets) == assets  # each asset's card once
    assert any(all(t in c.value for t in tenants) for c in at.caption)
    lines = [str(e.proto.label) for e in at.get("page_link") if "→" in str(e.proto.label)]
    assert lines and len(lines) == len(set(lines))  # no switch drawn twice
    assert all(line.endswith(f"· {len(tenants)} tenants") for line in lines)  # one line each


# ---- leadership: revenue, usage, quota, past due, spikes ------------------------------


def _mrr_by_tenant(url: str, at: dt.datetime) -> dict[str, int]:
    """Each tenant's MRR in USD cents at the instant `at`, from the subscription ledger:
    every subscription's last event before `at`, active or past_due, price (annual / 12)
    converted to USD and rounded half up to the cent."""
    rows = sql(
        url,
        "SELECT DISTINCT ON (e.subscription_id) s.tenant_id::text, e.status, e.price_cents, "
        "e.billing_cycle, e.currency FROM subscription_events e "
        "JOIN subscriptions s ON s.id = e.subscription_id AND s.tenant_id = e.tenant_id "
        "WHERE e.occurred_at < %s ORDER BY e.subscription_id, e.occurred_at DESC",
        at,
    )
    mrr: dict[str, int] = {}
    for tenant, status, price, cycle, currency in rows:
        cents = 0
        if status in ("active", "past_due") and price is not None:
            amount = Decimal(price) * Decimal(str(RATES_TO_USD[currency]))
            amount /= 12 if cycle == "annual" else 1
            cents = int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))
        mrr[tenant] = mrr.get(tenant, 0) + cents
    return mrr


def test_revenue_cards_match_the_ledger(app_env: str) -> None:
    part = _home(app_env, "leadership").leadership
    assert part is not None and part.as_of == AS_OF
    month = last_full_month(AS_OF)
    assert part.month == month == dt.date(2026, 10, 1)
    now = _mrr_by_tenant(app_env, _midnight(add_months(month, 1)))
    then = _mrr_by_tenant(app_env, _midnight(month))
    cards = {k.key: k for k in part.kpis}
    assert cards["mrr"].value == pytest.approx(sum(now.values()) / 100)
    assert cards["mrr"].previous == pytest.approx(sum(then.values()) / 100)
    net = (sum(now.values()) - sum(then.values())) / 100
    assert cards["net_new_mrr"].value == pytest.approx(net)
    paying = [t for t, cents in then.items() if cents > 0]
    churned = [t for t in paying if now.get(t, 0) == 0]
    assert cards["customer_churn"].value == pytest.approx(len(churned) / len(paying))
    # the Revenue page's own service, over a period ending with that month, agrees
    page = load_revenue_view(_viewer(app_env, "leadership"), resolve_period("3m", month_end(month)))
    assert page.summary.mrr_cents / 100 == pytest.approx(cards["mrr"].value)
    assert cards["mrr"].link.query() == {"as_of": [month_end(month).isoformat()]}


def month_end(month: dt.date) -> dt.date:
    return add_months(month, 1) - dt.timedelta(days=1)


def test_usage_cards_match_the_rollup(app_env: str) -> None:
    part = _home(app_env, "leadership").leadership
    assert part is not None and part.month is not None
    for month, attr in ((part.month, "value"), (add_months(part.month, -1), "previous")):
        totals = dict(
            sql(
                app_env,
                "SELECT metric, sum(quantity)::float8 FROM usage_daily "
                "WHERE day >= %s AND day < %s GROUP BY metric",
                month,
                add_months(month, 1),
            )
        )
        for kpi in (k for k in part.kpis if k.key.startswith("usage:")):
            metric = kpi.key.split(":", 1)[1]
            assert getattr(kpi, attr) == pytest.approx(totals.get(metric, 0.0)), metric
    usage_cards = [k for k in part.kpis if k.key.startswith("usage:")]
    assert usage_cards and usage_cards[0].link.query() == {"month": [f"{part.month:%Y-%m}"]}


QUOTA_SQL = """
WITH plan AS (
  SELECT DISTINCT ON (s.tenant_id) s.tenant_id, e.plan_id FROM subscription_events e
  JOIN subscriptions s ON s.id = e.subscription_id
  WHERE e.occurred_at < %s ORDER BY s.tenant_id, e.occurred_at DESC),
used AS (
  SELECT tenant_id, metric, sum(quantity)::float8 AS used FROM usage_daily
  WHERE day BETWEEN %s AND %s GROUP BY 1, 2),
limits AS (
  SELECT t.id AS tenant_id, t.name, m.metric,
    CASE WHEN o.metric IS NOT NULL THEN o.limit_value
         ELSE (p.limits_json->>m.metric)::bigint END AS lim
  FROM tenants t CROSS JOIN (VALUES ('api_calls'), ('backtests'), ('tokens')) m(metric)
  LEFT JOIN plan ON plan.tenant_id = t.id LEFT JOIN plans p ON p.id = plan.plan_id
  LEFT JOIN tenant_quota_overrides o ON o.tenant_id = t.id AND o.metric = m.metric
    AND (o.expires_at IS NULL OR o.expires_at > %s))
SELECT name, metric, coalesce(used, 0), lim FROM limits
LEFT JOIN used USING (tenant_id, metric) WHERE lim IS NOT NULL
"""


def _set_limit(url: str, tenant: str, metric: str, limit: int) -> None:
    user = one(url, "SELECT id FROM users WHERE email = 'admin@demo.local'")
    sql(
        url,
        "INSERT INTO tenant_quota_overrides (tenant_id, metric, limit_value, reason, created_by) "
        "SELECT id, %s, %s, 'home test', %s FROM tenants WHERE name = %s",
        metric,
        limit,
        user,
        tenant,
    )


def test_the_quota_list_matches_sql(app_env_copy: str) -> None:
    month = default_usage_month(AS_OF)
    through = min(month_end(month), AS_OF)
    busiest = sql(
        app_env_copy,
        "SELECT t.name, u.metric, sum(u.quantity)::float8 FROM usage_daily u "
        "JOIN tenants t ON t.id = u.tenant_id WHERE u.day BETWEEN %s AND %s "
        "AND u.metric IN ('api_calls', 'backtests') GROUP BY 1, 2 ORDER BY 3 DESC, 1",
        month,
        through,
    )
    near = next(r for r in busiest if r[1] == "api_calls")
    over = next(r for r in busiest if r[1] == "backtests" and r[0] != near[0])
    _set_limit(app_env_copy, near[0], "api_calls", math.ceil(near[2] / 0.9))  # ~90 %
    _set_limit(app_env_copy, over[0], "backtests", max(1, int(over[2] // 2)))  # ~200 %
    part = _home(app_env_copy, "leadership").leadership
    assert part is not None
    end = _midnight(through + dt.timedelta(days=1))
    expected = set()
    for name, metric, used, limit in sql(app_env_copy, QUOTA_SQL, end, month, through, end):
        share = (math.inf if used > 0 else 0.0) if limit == 0 else used / limit
        if share >= 0.8:
            expected.add(
                (name, metric, "over" if share >= 1 else "near", round(min(share, 1e9), 9))
            )
    shown = {
        (r.tenant_name, r.metric, r.state, round(min(r.pct_used, 1e9), 9))
        for r in part.quota.itertuples()
    }
    assert shown == expected
    assert (near[0], "api_calls") in {(n, m) for n, m, _, _ in shown}
    assert (over[0], "backtests", "over") in {(n, m, s) for n, m, s, _ in shown}
    link = next(r.link for r in part.quota.itertuples() if r.tenant_name == over[0])
    assert link.query() == {"month": [f"{month:%Y-%m}"], "tenant": [over[0]]}


def test_past_due_subscriptions_match_the_ledger(app_env: str) -> None:
    part = _home(app_env, "leadership").leadership
    assert part is not None
    rows = sql(
        app_env,
        "SELECT t.name, last.plan_id FROM (SELECT DISTINCT ON (e.subscription_id) "
        "e.tenant_id, e.plan_id, e.status FROM subscription_events e WHERE e.occurred_at < %s "
        "ORDER BY e.subscription_id, e.occurred_at DESC) last "
        "JOIN tenants t ON t.id = last.tenant_id WHERE last.status = 'past_due'",
        _midnight(AS_OF + dt.timedelta(days=1)),
    )
    assert sorted(rows) == sorted(
        zip(part.past_due["tenant_name"], part.past_due["plan_id"], strict=True)
    )
    assert all(link.query() == {"as_of": [AS_OF.isoformat()]} for link in part.past_due["link"])


def test_failure_rate_spikes_match_a_count_of_the_runs(app_env_copy: str) -> None:
    """Twelve failed runs on the last day make it a spike; every spike is a day of the last
    SPIKE_DAYS whose failure rate (counted here from the runs) clears the threshold."""
    tenant = one(app_env_copy, "SELECT tenant_id FROM runs GROUP BY 1 ORDER BY count(*) DESC")
    at = _midnight(AS_OF) + dt.timedelta(hours=9)
    sql(
        app_env_copy,
        "INSERT INTO runs (id, tenant_id, kind, status, queued_at, started_at, finished_at, "
        "error) SELECT gen_random_uuid(), %s, 'backtest', 'failed', %s, %s, %s, 'home test' FROM generate_series(1, 12)",
        tenant,
        at,
        at,
        at + dt.timedelta(minutes=1),
    )
    period = resolve_period("3m", AS_OF)
    days = sql(
        app_env_copy,
        "SELECT (queued_at AT TIME ZONE 'UTC')::date AS day, "
        "count(*) FILTER (WHERE status IN ('succeeded', 'failed', 'canceled')), "
        "count(*) FILTER (WHERE status = 'failed') FROM runs "
        "WHERE queued_at >= %s AND queued_at < %s GROUP BY 1 ORDER BY 1 DESC",
        _midnight(period.first_month),
        _midnight(AS_OF + dt.timedelta(days=1)),
    )
    baseline = sum(f for _, _, f in days) / sum(n for _, n, _ in days)
    threshold = max(baseline * SPIKE_FACTOR, baseline + SPIKE_MARGIN)
    expected = [
        (day, failed, finished)
        for day, finished, failed in days
        if day > AS_OF - dt.timedelta(days=SPIKE_DAYS)
        and finished >= SPIKE_MIN_FINISHED
        and failed / finished >= threshold
    ]
    part = _home(app_env_copy, "leadership").leadership
    assert part is not None
    assert part.baseline_failure_rate == pytest.approx(baseline)
    shown = list(
        zip(part.spikes["day"], part.spikes["failed"], part.spikes["finished"], strict=True)
    )
    assert shown == expected and shown[0][0] == AS_OF
    assert part.spikes["link"][0].query() == {"period": ["Last 3 months"], "as_of": ["2026-11-20"]}


# ---- admins: reproducibility and the audit trail --------------------------------------


def test_mismatching_releases_are_those_of_the_reproducibility_check(app_env: str) -> None:
    boss = _viewer(app_env, "admin")
    expected = []
    for tenant_id, name in release_tenants(boss).items():
        repro = load_releases_view(boss, tenant_id).reproducibility
        expected += [
            (name, a, v) for a, v in repro.loc[repro["status"] == CHANGED].iloc[:, :2].values
        ]
    part = _home(app_env, "admin").admin
    assert part is not None and expected
    frame = part.mismatches
    assert sorted(
        zip(frame["tenant_name"], frame["asset_id"], frame["version"], strict=True)
    ) == sorted(expected)
    first = frame.iloc[0]
    assert first["link"].query() == {"tenant": [first["tenant_name"]], "asset": [first["asset_id"]]}


def test_the_latest_admin_changes_are_listed(app_env_copy: str) -> None:
    boss = _viewer(app_env_copy, "admin")
    assert _home(app_env_copy, "admin").admin.audit.empty  # type: ignore[union-attr]
    tid, version = sql(
        app_env_copy, "SELECT id::text, version FROM tenants WHERE name = 'Onyx Capital'"
    )[0]
    admin.rename_tenant(boss, tid, expected_version=version, name="Onyx Co")
    audit = _home(app_env_copy, "admin").admin.audit  # type: ignore[union-attr]
    rows = sql(
        app_env_copy, "SELECT id, table_name, action FROM audit_log ORDER BY id DESC LIMIT 10"
    )
    assert list(zip(audit["id"], audit["table_name"], audit["action"], strict=True)) == rows
    assert audit["row"][0] == "Onyx Co"
    assert audit["link"][0].query() == {
        "table": ["tenants"],
        "tenant": ["Onyx Co"],
        "actor": ["admin@demo.local"],
    }


# ---- analysts: watchlist and regime changes -------------------------------------------


def test_the_watchlist_is_the_regimes_page_cards(app_env: str) -> None:
    analyst = _viewer(app_env, "analyst")
    expected = []
    for tenant_id in release_tenants(analyst):
        choices = release_choices(analyst, tenant_id)
        cards = load_regimes_view(analyst, choices.releases[0].release_id).cards
        expected += [
            (choices.tenant_name, c.asset_id, c.version, c.regime) for c in cards.itertuples()
        ]
    part = _home(app_env, "analyst").analyst
    assert part is not None and expected
    shown = [(c.tenant_name, c.asset_id, c.version, c.regime) for c in part.watched]
    assert sorted(shown) == sorted(expected)
    card = part.watched[0]
    assert card.link.query() == {
        "tenant": [card.tenant_name],
        "asset": [card.asset_id],
        "release": [card.version],
    }


def test_regime_changes_match_the_outputs(app_env: str) -> None:
    """Each switch is an output day whose regime differs from the release's previous output
    (SQL LAG over engine_outputs_daily), in the last RECENT_DAYS days of the watchlist."""
    part = _home(app_env, "analyst").analyst
    assert part is not None and part.window is not None
    first, last = part.window
    assert (last - first).days == RECENT_DAYS - 1
    expected = []
    for card in part.watched:
        expected += [
            (card.tenant_name, card.asset_id, day, before, after)
            for day, before, after in sql(
                app_env,
                "SELECT date, before, regime FROM (SELECT o.date, o.regime, "
                "lag(o.regime) OVER (ORDER BY o.date) AS before FROM engine_outputs_daily o "
                "JOIN engine_releases r ON r.id = o.release_id JOIN tenants t ON t.id = r.tenant_id "
                "WHERE t.name = %s AND r.asset_id = %s AND r.version = %s) s "
                "WHERE before <> regime AND date BETWEEN %s AND %s",
                card.tenant_name,
                card.asset_id,
                card.version,
                first,
                last,
            )
        ]
    shown = [(s.tenant_name, s.asset_id, s.date, s.from_regime, s.to_regime) for s in part.switches]
    assert sorted(shown) == sorted(expected) and expected
    assert [s.date for s in part.switches] == sorted((s.date for s in part.switches), reverse=True)


def test_usage_cards_draw_the_monthly_usage_as_a_sparkline(
    app_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each usage card's history is the metric's usage summed per calendar month over the
    twelve months up to the card's month (none before the first activity), oldest first,
    from a GROUP BY over the rollup; the card on Home draws it as its sparkline."""
    monkeypatch.setenv("DEMO_MODE", "true")
    part = _home(app_env, "leadership").leadership
    assert part is not None and part.month is not None
    first = one(
        app_env,
        "SELECT least((SELECT (min(occurred_at) AT TIME ZONE 'UTC')::date FROM subscription_events), "
        "(SELECT (min(billed_at) AT TIME ZONE 'UTC')::date FROM payments), "
        "(SELECT (min(queued_at) AT TIME ZONE 'UTC')::date FROM runs), "
        "(SELECT min(day) FROM usage_daily))",
    )
    months = [add_months(part.month, -back) for back in range(11, -1, -1)]
    months = [m for m in months if m >= first.replace(day=1)]
    assert len(months) > 6  # the seed covers more than half a year of usage
    rows = sql(
        app_env,
        "SELECT metric, date_trunc('month', day)::date, sum(quantity)::float8 FROM usage_daily "
        "WHERE day >= %s AND day < %s GROUP BY 1, 2",
        months[0],
        add_months(part.month, 1),
    )
    per_month = {(metric, month): total for metric, month, total in rows}
    usage_cards = [k for k in part.kpis if k.key.startswith("usage:")]
    assert len(usage_cards) == 3
    for card in usage_cards:
        metric = card.key.split(":", 1)[1]
        expected = [per_month.get((metric, m), 0.0) for m in months]
        assert list(card.history) == pytest.approx(expected), metric
        assert card.history[-1] == pytest.approx(card.value)
        assert card.history[-2] == pytest.approx(card.previous)
        assert any(v > 0 for v in expected), metric  # the sparkline is not a flat zero
    at = _page("leadership")
    for card in usage_cards:
        drawn = next((m.proto for m in at.metric if m.label == card.label), None)
        assert drawn is not None, [m.label for m in at.metric]
        assert list(drawn.chart_data) == pytest.approx(list(card.history))


def test_home_cards_fill_a_row_per_page(app_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Home's cards are laid out by ui.cards.card_row like every page's: one row per page
    they come from (stretching over the row, not boxes of a fixed width)."""
    monkeypatch.setenv("DEMO_MODE", "true")
    assert card_rows(_page("leadership")) == [
        ["MRR", "Net new MRR", "Customer churn"],
        ["API calls", "Backtests", "Tokens"],
    ]
