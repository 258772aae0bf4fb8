"""The Prices page in AppTest, on the seeded database (and hand-made bars)."""

from __future__ import annotations

import datetime as dt
import json
from functools import partial

import numpy as np
import psycopg
import pytest
from sqlalchemy.engine import make_url
from streamlit.testing.v1 import AppTest

from regime_dashboard.db.engine import libpq_dsn
from regime_dashboard.viewer import Viewer
from tests.app.analyst_pages import LEADER, LONG_DAYS, add_long_asset, open_page
from tests.app.browser_url import change
from tests.helpers import plotly_values as _values
from tests.helpers import sql as _sql

pytestmark = [pytest.mark.app, pytest.mark.db]


_page = partial(open_page, "prices")


def _specs(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def _issues(at: AppTest) -> dict[str, int]:
    return dict(at.dataframe[0].value.itertuples(index=False, name=None))


def _bars(url: str, asset: str, start: object, end: object) -> list[tuple]:
    return _sql(
        url,
        "SELECT date, open, close, adj_close FROM price_bars WHERE asset_id = %s "
        "AND date BETWEEN %s AND %s ORDER BY date",
        asset,
        start,
        end,
    )


def test_renders_candles_histogram_and_a_clean_bill_of_health(app_env: str) -> None:
    at = _page().run()
    assert not at.exception
    asset = at.selectbox[0].value
    start, end = at.date_input[0].value
    bars = _bars(app_env, asset, start, end)
    candles, histogram = _specs(at)
    # adjusted by default (the chart defaults, docs/user-settings.md): adj_close, else close
    assert at.toggle[0].value is True
    bars = [(d, o, c if a is None else a, a) for d, o, c, a in bars]
    np.testing.assert_allclose(_values(candles["data"][0]["close"]), [b[2] for b in bars])
    closes = np.array([b[2] for b in bars])
    counts, edges = np.histogram(closes[1:] / closes[:-1] - 1, bins=60)
    assert _values(histogram["data"][0]["y"]).tolist() == counts.tolist()
    np.testing.assert_allclose(
        _values(histogram["data"][0]["x"]), (edges[1:] + edges[:-1]) / 2, rtol=1e-9, atol=1e-15
    )
    assert set(_issues(at).values()) == {0}
    assert "0 issue(s)" in at.success[0].value


def test_adjusted_and_log_scale(app_env: str) -> None:
    at = _page(asset="SPY").run()
    assert at.toggle[0].value is True  # the default (ChartDefaults.adjusted)
    change(at, at.toggle[1], True)
    start, end = at.date_input[0].value
    bars = _bars(app_env, "SPY", start, end)
    candles = _specs(at)[0]
    assert candles["layout"]["yaxis"]["type"] == "log"
    np.testing.assert_allclose(
        _values(candles["data"][0]["close"]), [b[3] for b in bars], rtol=1e-12
    )
    np.testing.assert_allclose(
        _values(candles["data"][0]["open"]), [b[1] * b[3] / b[2] for b in bars], rtol=1e-12
    )
    assert "adjusted" not in at.query_params and at.query_params["log"] == "true"
    change(at, at.toggle[0], False)  # raw prices
    candles = _specs(at)[0]
    np.testing.assert_allclose(_values(candles["data"][0]["close"]), [b[2] for b in bars])
    np.testing.assert_allclose(_values(candles["data"][0]["open"]), [b[1] for b in bars])
    assert at.query_params["adjusted"] == "false" and at.query_params["log"] == "true"


def test_data_quality_flags_find_planted_problems(app_env_copy: str) -> None:
    with psycopg.connect(libpq_dsn(make_url(app_env_copy))) as conn:
        # a missing session (Tuesday 2026-03-03), four identical closes, a 30 % opening gap
        conn.execute("DELETE FROM price_bars WHERE asset_id = 'SPY' AND date = '2026-03-03'")
        conn.execute(
            "UPDATE price_bars SET open = 400, high = 400, low = 400, close = 400 WHERE asset_id = 'SPY' AND date BETWEEN '2026-04-06' AND '2026-04-09'"
        )
        conn.execute(
            "UPDATE price_bars SET open = 520, high = greatest(high, 520) WHERE asset_id = 'SPY' AND date = '2026-04-10'"
        )
        conn.execute("UPDATE data_versions SET version = version + 1")
    at = _page(asset="SPY", dates=["2026-01-02", "2026-06-30"], gap="20.0").run()
    assert not at.exception
    issues = _issues(at)
    assert issues["Missing sessions"] == 1
    assert issues["Stale closes (≥ 3 identical)"] == 1
    assert issues["Gaps over 20.0% (close-to-open)"] == 1
    assert "3 issue(s)" in at.warning[0].value
    missing, stale, gaps = (df.value for df in at.dataframe[1:4])
    assert [d.date() for d in missing["date"]] == [dt.date(2026, 3, 3)]
    assert stale.iloc[0]["bars"] == 4 and stale.iloc[0]["close"] == 400.0
    assert gaps.iloc[0]["date"].date() == dt.date(2026, 4, 10)
    assert gaps.iloc[0]["gap"] == pytest.approx(100 * (520 / 400 - 1))  # shown in percent
    change(at, at.selectbox(key="stale"), 5)  # stale runs of at least 5: none
    assert _issues(at)["Stale closes (≥ 5 identical)"] == 0


def test_a_url_with_parameters_reopens_the_same_view(app_env: str) -> None:
    params = {
        "asset": "EURUSD",
        "dates": ["2025-02-03", "2025-05-30"],
        "adjusted": "true",
        "log": "true",
        "stale": "6",
        "gap": "1.0",
        "gap_kind": "close_to_close",
    }
    at = _page(**params).run()
    assert not at.exception
    assert at.selectbox[0].value == "EURUSD"
    assert at.date_input[0].value == (dt.date(2025, 2, 3), dt.date(2025, 5, 30))
    assert [t.value for t in at.toggle] == [True, True]
    assert [at.selectbox(key=k).value for k in ("stale", "gap", "gap_kind")] == [
        6,
        1.0,
        "close_to_close",
    ]
    bars = _bars(app_env, "EURUSD", "2025-02-03", "2025-05-30")
    closes = np.array([b[2] for b in bars])
    jumps = np.abs(closes[1:] / closes[:-1] - 1) > 0.01
    assert _issues(at)["Gaps over 1.0% (close-to-close)"] == int(jumps.sum())
    x = _values(_specs(at)[0]["data"][0]["x"])
    assert str(x[0])[:10] == "2025-02-03" and str(x[-1])[:10] == "2025-05-30"


def test_an_analyst_of_one_tenant_sees_shared_market_data(app_env: str) -> None:
    (tenant_id,) = _sql(app_env, "SELECT id FROM tenants ORDER BY name LIMIT 1")[0]
    viewer = Viewer(None, "one@x.test", "One", frozenset({"analyst"}), (str(tenant_id),))
    at = _page(viewer).run()
    assert not at.exception
    # price bars are shared market data (no tenant_id): every asset is listed
    assert at.selectbox[0].options == [
        a for (a,) in _sql(app_env, "SELECT id FROM assets ORDER BY id")
    ]


def test_a_leadership_viewer_is_refused(app_env: str) -> None:
    at = _page(LEADER).run()
    assert "does not give access" in at.error[0].value
    assert not at.get("plotly_chart")


def test_a_long_range_is_merged_into_candles(
    empty_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.app.conftest import _reset_caches

    days = LONG_DAYS
    with psycopg.connect(libpq_dsn(make_url(empty_db))) as conn:
        add_long_asset(conn, lambda i: (c := 100 + (i % 500) / 10, c + 1, c - 1, c, 10.0))
    monkeypatch.setenv("DATABASE_URL", empty_db)
    _reset_caches()
    at = _page(dates=["1990-01-01", days[-1].isoformat()]).run()
    assert not at.exception
    sizes = [
        len(_values(t[k])) for s in _specs(at) for t in s["data"] for k in ("x", "close") if k in t
    ]
    assert max(sizes) <= 5000
    candles = _specs(at)[0]["data"][0]
    assert len(_values(candles["close"])) == 2000
    assert "12,000 bars merged" in at.caption[0].value
    assert sum(_values(_specs(at)[1]["data"][0]["y"])) == 11_999
    _reset_caches()


def test_a_preset_changed_three_times_sets_the_range_and_lands_in_the_url(app_env: str) -> None:
    at = _page(asset="SPY").run()
    low = dt.date.fromisoformat(at.date_input[0].proto.min.replace("/", "-"))
    high = dt.date.fromisoformat(at.date_input[0].proto.max.replace("/", "-"))
    hand = {"YTD": dt.date(high.year, 1, 1), "1M": high - dt.timedelta(days=31), "All": low}
    for preset, start in hand.items():
        change(at, at.button_group(key="range"), preset)
        assert not at.exception
        assert at.date_input[0].value == (max(start, low), high)
        assert at.query_params["range"] in ([preset], preset)
        x = _values(_specs(at)[0]["data"][0]["x"])
        assert str(x[0])[:10] >= max(start, low).isoformat()
    layout = _specs(at)[0]["layout"]
    assert layout["hovermode"] == "x unified" and layout["xaxis"]["showspikes"]


def test_saved_defaults_open_the_asset_and_the_star_persists(app_env_copy: str) -> None:
    from regime_dashboard.services.user_settings import save_chart_defaults
    from regime_dashboard.user_settings import ChartDefaults
    from tests.app.test_regimes_page import _demo_analyst

    viewer = _demo_analyst(app_env_copy)
    at = _page(viewer, asset="SPY").run()
    tenant_id = at.selectbox(key="tenant").value
    chart = ChartDefaults(range="3M", log_scale=True, adjusted=False)
    save_chart_defaults(viewer, tenant_id, "SPY", chart)
    again = _page(viewer, asset="SPY").run()  # the next time the asset opens
    high = dt.date.fromisoformat(again.date_input[0].proto.max.replace("/", "-"))
    assert again.button_group(key="range").value == "3M"
    assert again.date_input[0].value == (high - dt.timedelta(days=92), high)
    assert [t.value for t in again.toggle] == [False, True]
    assert _specs(again)[0]["layout"]["yaxis"]["type"] == "log"
    linked = _page(viewer, asset="SPY", dates=["2026-02-02", "2026-03-31"], adjusted="true").run()
    assert linked.date_input[0].value == (dt.date(2026, 2, 2), dt.date(2026, 3, 31))
    assert linked.toggle[0].value is True  # a shared link wins
    star = again.button(key=f"_star_{tenant_id}_SPY")
    before = star.label
    star.click().run()
    assert not again.exception
    assert again.button(key=f"_star_{tenant_id}_SPY").label != before
    stored = _sql(
        app_env_copy,
        "SELECT settings_json->>'watchlist' FROM user_asset_settings "
        "WHERE tenant_id = %s AND user_id = %s AND asset_id = 'SPY'",
        tenant_id,
        viewer.user_id,
    )
    assert stored == [(str(before.startswith("☆")).lower(),)]
