"""The Regimes page in AppTest, on the seeded database (and a long hand-made history)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
from functools import partial

import numpy as np
import pandas as pd
import psycopg
import pytest
from sqlalchemy.engine import make_url
from streamlit.testing.v1 import AppTest

from regime_dashboard.db.engine import libpq_dsn
from regime_dashboard.ui.params import LINK_ICON
from regime_dashboard.viewer import Viewer
from tests.app.analyst_pages import ADMIN, LEADER, open_page
from tests.app.browser_url import change
from tests.helpers import plotly_values as _values
from tests.helpers import sql as _sql

pytestmark = [pytest.mark.app, pytest.mark.db]


_page = partial(open_page, "regimes")


@pytest.fixture
def app(app_env: str) -> AppTest:
    """The page, not yet run, as an admin (every tenant)."""
    return _page(ADMIN)


def _label(box) -> str:  # type: ignore[no-untyped-def]
    """The label a selectbox shows (its value is an id for tenants and releases)."""
    return box.options[box.index]


def _card_asset(metric) -> str:  # type: ignore[no-untyped-def]
    """The asset of a watchlist card ("SPY · 12 d")."""
    return str(metric.label).split(" · ")[0]


def _spec(at: AppTest, i: int = 0) -> dict:
    return json.loads(at.get("plotly_chart")[i].proto.spec)


def _demo_analyst(url: str) -> Viewer:
    (user_id,) = _sql(url, "SELECT id FROM users WHERE email = 'analyst@demo.local'")[0]
    tenants = _sql(url, "SELECT tenant_id FROM tenant_users WHERE user_id = %s", user_id)
    return Viewer(
        str(user_id),
        "analyst@demo.local",
        "Ana Analyst",
        frozenset({"analyst"}),
        tuple(str(t) for (t,) in tenants),
    )


def _outputs(url: str, tenant: str, asset: str, version: str, start: object, end: object):  # type: ignore[no-untyped-def]
    return _sql(
        url,
        """
        SELECT o.date, o.regime, o.confidence, o.risk_level, o.escalation_v2, o.realized_vol,
               o.vrs, o.iix, o.dsr, o.ss, o.mb, o.lq, b.close
        FROM engine_outputs_daily o
        JOIN engine_releases r ON r.tenant_id = o.tenant_id AND r.id = o.release_id
        JOIN tenants t ON t.id = r.tenant_id
        LEFT JOIN price_bars b ON b.asset_id = r.asset_id AND b.date = o.date
        WHERE t.name = %s AND r.asset_id = %s AND r.version = %s AND o.date BETWEEN %s AND %s
        ORDER BY o.date""",
        tenant,
        asset,
        version,
        start,
        end,
    )


def test_renders_the_default_release_with_candles_and_bands(app: AppTest, app_env: str) -> None:
    at = app.run()
    assert not at.exception
    assert at.title[0].value == "Regimes"
    spec = _spec(at)
    kinds = [t["type"] for t in spec["data"]]
    assert kinds[:3] == ["candlestick", "scatter", "bar"]
    assert spec["layout"]["shapes"], "regime bands are drawn"
    asset = at.selectbox[1].value
    start, end = at.date_input[0].value
    closes = _sql(
        app_env,
        "SELECT close FROM price_bars WHERE asset_id = %s AND date BETWEEN %s AND %s ORDER BY date",
        asset,
        start,
        end,
    )
    np.testing.assert_allclose(_values(spec["data"][0]["close"]), [c for (c,) in closes])


def test_headline_metrics_match_the_latest_output(app: AppTest, app_env: str) -> None:
    at = app.run()
    tenant, asset, version = (_label(at.selectbox[i]) for i in range(3))
    start, end = at.date_input[0].value
    rows = _outputs(app_env, tenant, asset, version, start, end)
    last_regime = rows[-1][1]
    streak = 0
    for row in reversed(rows):
        if row[1] != last_regime:
            break
        streak += 1
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[f"Regime on {rows[-1][0]:%Y-%m-%d}"] == last_regime.title()
    assert metrics["Days in this regime"] == f"{streak:,}"
    assert metrics["Confidence"] == f"{100 * rows[-1][2]:.1f} %"  # the one percentage style
    shares = {r.Regime: r.Days for r in at.dataframe[0].value.itertuples()}
    assert sum(shares.values()) == len(rows)


def test_changing_the_asset_changes_the_chart(app: AppTest) -> None:
    at = app.run()
    first_title = _spec(at)["layout"]["title"]["text"]
    other = next(a for a in at.selectbox[1].options if a != at.selectbox[1].value)
    change(at, at.selectbox[1], other)
    assert not at.exception
    assert _spec(at)["layout"]["title"]["text"].startswith(other)
    assert _spec(at)["layout"]["title"]["text"] != first_title
    assert at.query_params["asset"] == [other] or at.query_params["asset"] == other


def test_a_url_with_parameters_reopens_the_same_view(app: AppTest, app_env: str) -> None:
    tenant, asset = _sql(
        app_env,
        "SELECT t.name, r.asset_id FROM engine_releases r JOIN tenants t "
        "ON t.id = r.tenant_id ORDER BY t.name DESC, r.asset_id DESC LIMIT 1",
    )[0]
    app.query_params.update(
        {
            "tenant": tenant,
            "asset": asset,
            "release": "v1",
            "dates": ["2026-01-05", "2026-03-31"],
        }
    )
    at = app.run()
    assert not at.exception
    assert [_label(at.selectbox[i]) for i in range(3)] == [tenant, asset, "v1"]
    start, end = at.date_input[0].value
    assert (start.isoformat(), end.isoformat()) == ("2026-01-05", "2026-03-31")
    x = _spec(at)["data"][0]["x"]
    dates = _values(x) if isinstance(x, dict) else x
    assert str(dates[0])[:10] >= "2026-01-05" and str(dates[-1])[:10] <= "2026-03-31"


def test_an_empty_database_says_what_to_do(empty_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.app.conftest import _reset_caches

    monkeypatch.setenv("DATABASE_URL", empty_db)
    _reset_caches()
    at = _page(ADMIN).run()
    assert not at.exception
    assert "regime-dashboard seed" in at.info[0].value
    _reset_caches()


# ------------------------------------------------------------------ panels and statistics

URL_VIEW = {
    "tenant": "Aster Capital",
    "asset": "SPY",
    "release": "v2",
    "dates": ["2025-06-02", "2026-03-31"],
}


def test_risk_and_component_panels_show_the_stored_outputs(app: AppTest, app_env: str) -> None:
    app.query_params.update(URL_VIEW)
    at = app.run()
    rows = _outputs(app_env, "Aster Capital", "SPY", "v2", "2025-06-02", "2026-03-31")
    panels = _spec(at, 1)  # both groups (the default view) in one figure, a row per field
    assert [t["legendgroup"] for t in panels["data"]] == ["Risk"] * 3 + ["Components"] * 6
    for trace, column in zip(panels["data"], range(3, 12), strict=True):
        expected = [r[column] for r in rows if r[column] is not None]
        np.testing.assert_allclose(_values(trace["y"]), expected, rtol=1e-12)
    hover = _values(_spec(at)["data"][0]["text"])
    first = rows[0]
    ((conviction,),) = _sql(
        app_env,
        "SELECT conviction FROM engine_outputs_daily o JOIN engine_releases r "
        "ON r.id = o.release_id JOIN tenants t ON t.id = r.tenant_id WHERE t.name = %s "
        "AND r.asset_id = 'SPY' AND r.version = 'v2' AND o.date = %s",
        "Aster Capital",
        first[0],
    )
    # labels as shown everywhere: "bull" -> "Bull", "high" -> "High"
    assert hover[0] == (
        f"regime {first[1].capitalize()} · confidence {first[2]:.0%} · "
        f"conviction {conviction.capitalize()}"
    )


def _spells(regimes: list[str]) -> list[tuple[str, int]]:
    spells: list[tuple[str, int]] = []
    for regime in regimes:
        if spells and spells[-1][0] == regime:
            spells[-1] = (regime, spells[-1][1] + 1)
        else:
            spells.append((regime, 1))
    return spells


def test_regime_statistics_match_a_hand_count(app: AppTest, app_env: str) -> None:
    app.query_params.update(URL_VIEW)
    at = app.run()
    rows = _outputs(app_env, "Aster Capital", "SPY", "v2", "2025-06-02", "2026-03-31")
    regimes = [r[1] for r in rows]
    summary = at.dataframe[0].value.set_index("Regime")
    spells = _spells(regimes)
    for regime in set(regimes):
        lengths = [n for r, n in spells if r == regime]
        shown = summary.loc[regime.capitalize()]  # named as the legends name it: Bear
        assert shown["Days"] == regimes.count(regime)
        share = regimes.count(regime) / len(rows)  # shown in percent: "57.3 %"
        assert shown["Share"] == pytest.approx(100 * share)
        assert shown["Average spell (days)"] == pytest.approx(np.mean(lengths))
        assert shown["Longest spell (days)"] == max(lengths)
    heatmap = next(c for c in map(json.loads, (p.proto.spec for p in at.get("plotly_chart")))
                   if c["data"][0]["type"] == "heatmap")["data"][0]  # fmt: skip
    z = np.asarray(_values(heatmap["z"]), dtype=float).reshape(len(heatmap["y"]), -1)
    matrix = pd.DataFrame(z, index=heatmap["y"], columns=heatmap["x"])
    for a in set(regimes):
        followers = [b for x, b in itertools.pairwise(regimes) if x == a]
        for b in set(regimes):
            expected = followers.count(b) / len(followers) if followers else math.nan
            got = matrix.loc[a.capitalize(), b.capitalize()]
            assert got == pytest.approx(expected, nan_ok=True)
    # regimes in their natural order, not alphabetically; no table repeats the heatmap
    natural = [r for r in ("Bull", "Neutral", "Bear", "Crisis") if r.lower() in set(regimes)]
    assert heatmap["x"] == natural and heatmap["y"] == natural
    assert len(at.dataframe) == 2


def test_forward_returns_match_a_hand_computation(app: AppTest, app_env: str) -> None:
    app.query_params.update(URL_VIEW)
    at = app.run()
    rows = _outputs(app_env, "Aster Capital", "SPY", "v2", "2025-06-02", "2026-03-31")
    table = at.dataframe[1].value
    assert set(table["Horizon (days)"]) == {1, 5, 20}
    for row in table.itertuples(index=False):
        regime, horizon, count, mean, median, hit = row
        returns = [
            rows[i + horizon][12] / rows[i][12] - 1
            for i in range(len(rows) - horizon)
            if rows[i][1].capitalize() == regime  # shown as the legends name it: Bear
        ]
        assert count == len(returns)
        assert mean == pytest.approx(100 * np.mean(returns), rel=1e-12)  # shown in percent
        assert median == pytest.approx(100 * np.median(returns), rel=1e-12)
        assert hit == pytest.approx(100 * sum(r > 0 for r in returns) / len(returns))


# ------------------------------------------------------------------ viewers and watchlists


def test_the_demo_analyst_sees_their_tenants_and_watchlist_cards(app_env: str) -> None:
    viewer = _demo_analyst(app_env)
    at = _page(viewer).run()
    assert not at.exception
    names = {
        n
        for (n,) in _sql(
            app_env,
            "SELECT name FROM tenants WHERE id = ANY(%s::uuid[])",
            list(viewer.member_tenant_ids),
        )
    }
    assert set(at.selectbox[0].options) == names and len(names) == 3
    tenant = _label(at.selectbox[0])
    watch = _sql(
        app_env,
        "SELECT s.asset_id FROM user_asset_settings s JOIN tenants t ON t.id = s.tenant_id "
        "WHERE t.name = %s AND s.user_id = %s AND s.settings_json->>'watchlist' = 'true' "
        "ORDER BY 1",
        tenant,
        viewer.user_id,
    )
    cards = {_card_asset(m): m for m in at.metric if _card_asset(m) in {a for (a,) in watch}}
    assert sorted(cards) == [a for (a,) in watch]
    for asset, card in cards.items():
        rows = _outputs(app_env, tenant, asset, "v2", dt.date(2000, 1, 1), dt.date(2100, 1, 1))
        regime, days = _spells([r[1] for r in rows])[-1]
        assert (card.label, card.value) == (f"{asset} · {days:,} d", regime.title())
        tail = rows[-20:]
        x = np.array([(r[0] - tail[0][0]).days for r in tail], dtype=float)
        slope = np.polyfit(x, [r[2] for r in tail], 1)[0]
        assert card.delta == f"{slope * 100:+.2f} pp/day"


def test_watchlist_assets_come_first(app_env_copy: str) -> None:
    viewer = _demo_analyst(app_env_copy)
    with psycopg.connect(libpq_dsn(make_url(app_env_copy))) as conn:
        conn.execute(
            "UPDATE user_asset_settings SET settings_json = '{\"watchlist\": false}' "
            "WHERE user_id = %s AND asset_id = 'BTCUSD'",
            (viewer.user_id,),
        )
        conn.execute("UPDATE data_versions SET version = version + 1")
    at = _page(viewer).run()
    assert not at.exception
    assert at.selectbox[1].options == ["EURUSD", "SPY", "XAUUSD", "BTCUSD"]
    assert "BTCUSD" not in {_card_asset(m) for m in at.metric}


def test_an_analyst_of_one_tenant_sees_only_that_tenant(app_env: str) -> None:
    tenant_id, name = _sql(app_env, "SELECT id, name FROM tenants ORDER BY name DESC LIMIT 1")[0]
    viewer = Viewer(None, "one@x.test", "One", frozenset({"analyst"}), (str(tenant_id),))
    at = _page(viewer)
    at.query_params.update({"tenant": "Aster Capital"})
    at.run()
    assert not at.exception
    assert at.selectbox[0].options == [name]
    assert at.selectbox[0].value == str(tenant_id)
    assert name in _spec(at)["layout"]["title"]["text"]
    assert [w.value for w in at.warning if w.icon == LINK_ICON] == [
        f"Tenant “Aster Capital” is not visible to you; showing {name}."
    ]


def test_a_leadership_viewer_is_refused(app_env: str) -> None:
    at = _page(LEADER).run()
    assert "does not give access" in at.error[0].value
    assert not at.get("plotly_chart") and not at.dataframe


# ------------------------------------------------------------------ a long history

LONG_DAYS = 12_000


def _seed_long_history(url: str) -> None:
    """One tenant following LONG (calendar_365) with 12,000 daily bars and outputs."""
    days = [dt.date(1990, 1, 1) + dt.timedelta(days=i) for i in range(LONG_DAYS)]
    close = 100 * np.exp(np.cumsum(np.random.default_rng(1).normal(0, 0.01, LONG_DAYS)))
    regimes = ["bull", "neutral", "bear", "crisis"]
    with psycopg.connect(libpq_dsn(make_url(url))) as conn:
        conn.execute(
            "INSERT INTO tenants (id, name) VALUES ('11111111-1111-1111-1111-111111111111', 'Longview')"
        )
        conn.execute(
            "INSERT INTO assets (id, name, asset_class, calendar) VALUES ('LONG', 'Long history', 'crypto', 'calendar_365')"
        )
        conn.execute(
            "INSERT INTO engine_releases (tenant_id, id, asset_id, release_date, version) VALUES "
            "('11111111-1111-1111-1111-111111111111', '22222222-2222-2222-2222-222222222222', 'LONG', %s, 'v1')",
            (days[-1],),
        )
        with conn.cursor().copy(
            "COPY price_bars (asset_id, date, open, high, low, close, volume) FROM STDIN"
        ) as copy:
            for d, c in zip(days, close, strict=True):
                copy.write_row(("LONG", d, c, c * 1.01, c * 0.99, c, 1000.0))
        with conn.cursor().copy(
            "COPY engine_outputs_daily (tenant_id, release_id, date, regime, confidence, conviction, "
            "escalation_v2, risk_level, realized_vol, vrs, iix, dsr, ss, mb, lq) FROM STDIN"
        ) as copy:
            for i, d in enumerate(days):
                v = (i % 97) / 97
                copy.write_row(
                    (
                        "11111111-1111-1111-1111-111111111111",
                        "22222222-2222-2222-2222-222222222222",
                        d,
                        regimes[(i // 40) % 4],
                        v,
                        "low",
                        v,
                        v,
                        v,
                        v,
                        v,
                        v,
                        v,
                        v,
                        v,
                    )
                )


def test_a_long_range_sends_no_trace_over_5000_points(
    empty_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.app.conftest import _reset_caches

    _seed_long_history(empty_db)
    monkeypatch.setenv("DATABASE_URL", empty_db)
    _reset_caches()
    at = _page(ADMIN)
    at.query_params.update({"dates": ["1990-01-01", "2030-01-01"]})
    at.run()
    assert not at.exception
    assert at.date_input[0].value[0] == dt.date(1990, 1, 1)
    sizes = []
    for chart in at.get("plotly_chart"):
        for trace in json.loads(chart.proto.spec)["data"]:
            for key in ("x", "y", "close"):
                if trace.get(key) is not None:
                    sizes.append(len(_values(trace[key])))
    assert max(sizes) <= 5000
    assert max(sizes) >= 1000, "the long range is really drawn"
    assert any("Long range" in c.value for c in at.caption)
    assert at.dataframe[0].value["Days"].sum() == LONG_DAYS
    _reset_caches()


# ------------------------------------------------------------------ presets, panels, own view


def test_a_preset_changed_three_times_sets_the_range_and_lands_in_the_url(app: AppTest) -> None:
    from regime_dashboard.user_settings import range_start

    at = app.run()
    low = dt.date.fromisoformat(at.date_input[0].proto.min.replace("/", "-"))
    high = dt.date.fromisoformat(at.date_input[0].proto.max.replace("/", "-"))
    hand = {  # each preset's first day, by hand from the release's last day
        "3M": high - dt.timedelta(days=92),
        "YTD": dt.date(high.year, 1, 1),
        "1M": high - dt.timedelta(days=31),
    }
    presets = at.button_group(key="range")
    assert presets.value == "1Y" and at.date_input[0].value == (high - dt.timedelta(365), high)
    for preset, start in hand.items():
        change(at, at.button_group(key="range"), preset)
        assert not at.exception
        assert at.button_group(key="range").value == preset
        assert at.date_input[0].value == (max(start, low), high)
        assert range_start(preset, low, high) == max(start, low)
        assert at.query_params["range"] in ([preset], preset)
        x = _values(_spec(at)["data"][0]["x"])
        assert str(x[0])[:10] >= max(start, low).isoformat()
    custom = (high - dt.timedelta(days=50), high - dt.timedelta(days=10))
    change(at, at.date_input[0], custom)
    assert at.date_input[0].value == custom and at.button_group(key="range").value is None


def test_panels_are_drawn_only_when_shown(app: AppTest) -> None:
    app.query_params.update(URL_VIEW)
    at = app.run()
    assert len(at.get("plotly_chart")) == 3  # price, the panels (both groups), transitions
    change(at, at.button_group(key="panels"), ["Risk"])
    assert [t["legendgroup"] for t in _spec(at, 1)["data"]] == ["Risk"] * 3
    change(at, at.button_group(key="panels"), ["Components"])
    assert [t["name"] for t in _spec(at, 1)["data"]][:2] == ["VRS · vol ratio", "IIX · trend index"]
    change(at, at.button_group(key="panels"), [])
    assert len(at.get("plotly_chart")) == 2
    assert _spec(at, 1)["data"][0]["type"] == "heatmap"


def test_the_price_chart_has_a_unified_crosshair(app: AppTest) -> None:
    layout = _spec(app.run())["layout"]
    assert layout["hovermode"] == "x unified"
    assert layout["xaxis"]["showspikes"] and layout["xaxis2"]["spikemode"] == "across"


def test_a_saved_default_view_opens_the_asset_but_a_link_wins(app_env_copy: str) -> None:
    from regime_dashboard.services.user_settings import save_chart_defaults
    from regime_dashboard.user_settings import ChartDefaults

    viewer = _demo_analyst(app_env_copy)
    at = _page(viewer).run()
    tenant_id, asset = at.selectbox[0].value, at.selectbox[1].value
    save_chart_defaults(viewer, tenant_id, asset, ChartDefaults(range="3M", panels=("risk",)))
    again = _page(viewer).run()  # the next time the asset opens
    assert not again.exception
    high = dt.date.fromisoformat(again.date_input[0].proto.max.replace("/", "-"))
    assert again.button_group(key="range").value == "3M"
    assert again.date_input[0].value == (high - dt.timedelta(days=92), high)
    assert again.button_group(key="panels").value == ["Risk"]
    assert [t["legendgroup"] for t in _spec(again, 1)["data"]] == ["Risk"] * 3
    linked = _page(viewer, dates=["2026-02-02", "2026-03-31"]).run()  # a shared link wins
    assert linked.date_input[0].value == (dt.date(2026, 2, 2), dt.date(2026, 3, 31))
    assert linked.button_group(key="range").value is None


def test_the_star_toggles_the_watchlist_and_persists(app_env_copy: str) -> None:
    viewer = _demo_analyst(app_env_copy)
    at = _page(viewer).run()
    tenant_id, asset = at.selectbox[0].value, at.selectbox[1].value
    star = at.button(key=f"_star_{tenant_id}_{asset}")
    assert star.label == "★ On your watchlist"
    star.click().run()
    assert not at.exception
    assert at.button(key=f"_star_{tenant_id}_{asset}").label == "☆ Add to watchlist"
    watched = _sql(
        app_env_copy,
        "SELECT settings_json->>'watchlist' FROM user_asset_settings "
        "WHERE tenant_id = %s AND user_id = %s AND asset_id = %s",
        tenant_id,
        viewer.user_id,
        asset,
    )
    assert watched == [("false",)]
    assert asset not in {_card_asset(m) for m in _page(viewer).run().metric}  # a new session
    assert any(e.label == "Alerts on this asset" for e in at.expander)
