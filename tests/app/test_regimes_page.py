"""The Regimes page in AppTest, on the seeded database."""

from __future__ import annotations

import base64
import json

import numpy as np
import psycopg
import pytest
from sqlalchemy.engine import make_url
from streamlit.testing.v1 import AppTest

from regime_dashboard.db.engine import libpq_dsn

pytestmark = [pytest.mark.app, pytest.mark.db]


def _spec(at: AppTest) -> dict:
    return json.loads(at.get("plotly_chart")[0].proto.spec)


def _values(field) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Plotly JSON arrays: plain lists or {"dtype", "bdata"} base64 numpy buffers."""
    if isinstance(field, dict) and "bdata" in field:
        return np.frombuffer(base64.b64decode(field["bdata"]), dtype=field["dtype"])
    return np.asarray(field)


def _sql(url: str, query: str, *params: object) -> list[tuple]:
    with psycopg.connect(libpq_dsn(make_url(url))) as conn:
        return conn.execute(query, params).fetchall()


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
    tenant, asset, version = (at.selectbox[i].value for i in range(3))
    start, end = at.date_input[0].value
    rows = _sql(
        app_env,
        """
        SELECT o.date, o.regime, o.confidence FROM engine_outputs_daily o
        JOIN engine_releases r ON r.tenant_id = o.tenant_id AND r.id = o.release_id
        JOIN tenants t ON t.id = r.tenant_id
        WHERE t.name = %s AND r.asset_id = %s AND r.version = %s AND o.date BETWEEN %s AND %s
        ORDER BY o.date""",
        tenant,
        asset,
        version,
        start,
        end,
    )
    last_regime = rows[-1][1]
    streak = 0
    for _, regime, _ in reversed(rows):
        if regime != last_regime:
            break
        streak += 1
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[f"Regime on {rows[-1][0]:%Y-%m-%d}"] == last_regime.title()
    assert metrics["Days in this regime"] == f"{streak:,}"
    assert metrics["Confidence"] == f"{rows[-1][2]:.0%}"
    shares = {r.Regime: r.Days for r in at.dataframe[0].value.itertuples()}
    assert sum(shares.values()) == len(rows)


def test_changing_the_asset_changes_the_chart(app: AppTest) -> None:
    at = app.run()
    first_title = _spec(at)["layout"]["title"]["text"]
    other = next(a for a in at.selectbox[1].options if a != at.selectbox[1].value)
    at.selectbox[1].set_value(other).run()
    assert not at.exception
    assert _spec(at)["layout"]["title"]["text"].startswith(other)
    assert _spec(at)["layout"]["title"]["text"] != first_title
    assert at.query_params["asset"] == [other] or at.query_params["asset"] == other


def test_a_url_with_parameters_reopens_the_same_view(app: AppTest, app_env: str) -> None:
    tenant, asset = _sql(
        app_env,
        "SELECT t.name, r.asset_id FROM engine_releases r JOIN tenants t ON t.id = r.tenant_id "
        "JOIN tenant_users m ON m.tenant_id = t.id JOIN users u ON u.id = m.user_id "
        "WHERE u.email = 'analyst@demo.local' ORDER BY t.name DESC, r.asset_id DESC LIMIT 1",
    )[0]
    app.query_params.update(
        {
            "tenant": tenant,
            "asset": asset,
            "release": "v1",
            "start": "2026-01-05",
            "end": "2026-03-31",
        }
    )
    at = app.run()
    assert not at.exception
    assert [at.selectbox[i].value for i in range(3)] == [tenant, asset, "v1"]
    start, end = at.date_input[0].value
    assert (start.isoformat(), end.isoformat()) == ("2026-01-05", "2026-03-31")
    x = _spec(at)["data"][0]["x"]
    dates = _values(x) if isinstance(x, dict) else x
    assert str(dates[0])[:10] >= "2026-01-05" and str(dates[-1])[:10] <= "2026-03-31"


def test_an_empty_database_says_what_to_do(empty_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from regime_dashboard.viewer import Viewer
    from tests.app.conftest import _reset_caches
    from tests.conftest import ROOT

    monkeypatch.setenv("DATABASE_URL", empty_db)
    _reset_caches()
    at = AppTest.from_file(str(ROOT / "views" / "regimes.py"), default_timeout=30)
    at.session_state["_viewer"] = Viewer(None, "a@x.io", "A", frozenset({"admin"}))
    at.run()
    assert not at.exception
    assert "regime-dashboard seed" in at.info[0].value
    _reset_caches()
