"""Home's links open the page that explains an item, on its filters: each link's URL is
opened in AppTest (the page file, as a shared link would seed it) and the page shows that
tenant, asset, release, month, period or "as of" day, and the item itself."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from regime_dashboard.labels import regime_label
from regime_dashboard.navigation import PAGES
from regime_dashboard.services import admin
from regime_dashboard.services.home import Link, load_home_view
from regime_dashboard.ui.cards import card_value
from regime_dashboard.viewer import Viewer
from tests.app.test_home_roles import _set_limit
from tests.conftest import AS_OF, ROOT
from tests.helpers import sql, viewer

pytestmark = [pytest.mark.app, pytest.mark.db]


def _who(url: str, role: str) -> Viewer:
    return viewer(url, f"{role}@demo.local", role)


def _open(link: Link, who: Viewer) -> AppTest:
    """The link's page, opened from the link's URL by `who`."""
    path = next(spec.path for spec in PAGES if spec.slug == link.page)
    at = AppTest.from_file(str(ROOT / path), default_timeout=60)
    at.session_state["_viewer"] = who
    at.query_params.update(link.query())
    at.run()
    assert not at.exception, at.exception
    return at


def _shown(at: AppTest, key: str) -> Any:
    """What the URL-kept widget `key` shows: a choice's label, or a date (range)."""
    for kind in ("selectbox", "date_input"):
        for widget in getattr(at, kind):
            if widget.key == key:
                return widget.options[widget.index] if kind == "selectbox" else widget.value
    raise AssertionError(f"no widget {key!r}")


def _warnings(at: AppTest) -> str:
    return " ".join(str(w.value) for w in at.warning)


def test_watchlist_and_switch_links_open_regimes_on_the_release(app_env: str) -> None:
    analyst = _who(app_env, "analyst")
    part = load_home_view(analyst).analyst
    assert part is not None and part.watched and part.switches
    card = part.watched[0]
    at = _open(card.link, analyst)
    assert (_shown(at, "tenant"), _shown(at, "asset"), _shown(at, "release")) == (
        card.tenant_name,
        card.asset_id,
        card.version,
    )
    regime = next(m for m in at.metric if m.label.startswith("Regime on "))
    assert regime.label == f"Regime on {card.last_date:%Y-%m-%d}"
    assert regime.value == regime_label(card.regime)
    assert "not visible" not in _warnings(at)

    switch = part.switches[0]
    at = _open(switch.link, analyst)
    dates = tuple(dt.date.fromisoformat(d) for d in switch.link.query()["dates"])
    assert _shown(at, "dates") == dates and dates[0] < switch.date <= dates[1]
    assert (_shown(at, "asset"), _shown(at, "release")) == (switch.asset_id, switch.version)


def test_revenue_subscriptions_and_usage_links_show_the_same_numbers(app_env: str) -> None:
    leader = _who(app_env, "leadership")
    part = load_home_view(leader).leadership
    assert part is not None and part.month is not None
    mrr = next(k for k in part.kpis if k.key == "mrr")
    at = _open(mrr.link, leader)
    assert _shown(at, "as_of") == dt.date(2026, 10, 31)
    assert next(m.value for m in at.metric if m.label == "MRR") == card_value(mrr.value, "usd")

    usage = next(k for k in part.kpis if k.key.startswith("usage:"))
    at = _open(usage.link, leader)
    assert _shown(at, "month") == "2026-10"
    assert any("31 Oct 2026" in str(c.value) for c in at.caption)

    assert not part.past_due.empty
    due = part.past_due.iloc[0]
    at = _open(due["link"], leader)
    assert _shown(at, "as_of") == AS_OF
    listed = [t.value for t in at.dataframe]
    assert any(due["tenant_name"] in frame.to_string() for frame in listed)


def test_quota_and_spike_links_open_usage_and_operations(app_env_copy: str) -> None:
    tenant = sql(
        app_env_copy,
        "SELECT t.name FROM usage_daily u JOIN tenants t ON t.id = u.tenant_id "
        "WHERE u.metric = 'api_calls' AND u.day >= %s GROUP BY 1 ORDER BY 1 LIMIT 1",
        AS_OF.replace(day=1),
    )[0][0]
    _set_limit(app_env_copy, tenant, "api_calls", 0)  # blocked: any use is over
    at_nine = dt.datetime.combine(AS_OF, dt.time(9), dt.UTC)
    sql(
        app_env_copy,
        "INSERT INTO runs (id, tenant_id, kind, status, queued_at, started_at, finished_at) "
        "SELECT gen_random_uuid(), id, 'backtest', 'failed', %s, %s, %s "
        "FROM tenants, generate_series(1, 12) WHERE name = %s",
        at_nine,
        at_nine,
        at_nine + dt.timedelta(minutes=1),
        tenant,
    )
    leader = _who(app_env_copy, "leadership")
    part = load_home_view(leader).leadership
    assert part is not None
    quota = part.quota[part.quota["tenant_name"] == tenant].iloc[0]
    at = _open(quota["link"], leader)
    assert (_shown(at, "month"), _shown(at, "tenant")) == (f"{AS_OF:%Y-%m}", tenant)

    spike = part.spikes.iloc[0]
    assert spike["day"] == AS_OF
    at = _open(spike["link"], leader)
    assert (_shown(at, "period"), _shown(at, "as_of")) == ("Last 3 months", AS_OF)
    assert any("20 Nov 2026" in str(c.value) for c in at.caption)


def test_release_and_audit_links_open_the_tenant(app_env_copy: str) -> None:
    boss = _who(app_env_copy, "admin")
    tid, version = sql(
        app_env_copy, "SELECT id::text, version FROM tenants WHERE name = 'Onyx Capital'"
    )[0]
    admin.rename_tenant(boss, tid, expected_version=version, name="Onyx Co")
    part = load_home_view(boss).admin
    assert part is not None and not part.mismatches.empty
    mismatch = part.mismatches.iloc[0]
    at = _open(mismatch["link"], boss)
    assert (_shown(at, "tenant"), _shown(at, "asset")) == (
        mismatch["tenant_name"],
        mismatch["asset_id"],
    )
    assert f"{mismatch['asset_id']} {mismatch['version']}" in _warnings(at)

    at = _open(part.audit["link"].iloc[0], boss)
    assert (_shown(at, "table"), _shown(at, "tenant"), _shown(at, "actor")) == (
        "tenants",
        "Onyx Co",
        "admin@demo.local",
    )
    assert any("Onyx Co" in t.value.to_string() for t in at.dataframe)
