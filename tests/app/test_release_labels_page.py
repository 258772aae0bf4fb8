"""A release that labels its regimes `risk_on` / `risk_off` and its conviction `strong` /
`weak` (as a real engine release does): the Regimes and Releases pages name, colour and
explain those labels, not the demo's four regimes and fixed thresholds."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from regime_dashboard.charts.palette import regime_colors
from tests.app.test_bad_rows import _bump
from tests.app.test_regimes_page import _demo_analyst as _analyst
from tests.conftest import ROOT
from tests.helpers import plotly_values as _values
from tests.helpers import sql as _sql

pytestmark = [pytest.mark.app, pytest.mark.db]


def _open(url: str, page: str, **params: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "views" / page), default_timeout=60)
    at.session_state["_viewer"] = _analyst(url)
    at.query_params.update(params)
    return at.run()


def _relabel(url: str, release_ids: list[str]) -> None:
    """bull and neutral days become risk_on, bear and crisis risk_off; conviction is strong
    at a confidence of 0.7 or more, else weak."""
    _sql(
        url,
        "UPDATE engine_outputs_daily SET "
        "regime = CASE WHEN regime IN ('bull', 'neutral') THEN 'risk_on' ELSE 'risk_off' END, "
        "conviction = CASE WHEN confidence >= 0.7 THEN 'strong' ELSE 'weak' END "
        "WHERE release_id = ANY(%s::uuid[])",
        release_ids,
    )
    _bump(url)


def _release_of(url: str, tenant: str, asset: str) -> list[str]:
    """Every release of `asset` in `tenant` (an id or a name)."""
    rows = _sql(
        url,
        "SELECT r.id::text FROM engine_releases r JOIN tenants t ON t.id = r.tenant_id "
        "WHERE %s IN (t.id::text, t.name) AND r.asset_id = %s",
        tenant,
        asset,
    )
    return [r for (r,) in rows]


def _legend(spec: dict) -> dict[str, str]:
    return {t["name"]: t["marker"]["color"] for t in spec["data"] if t.get("mode") == "markers"}


def test_regimes_page_names_and_explains_the_release_labels(app_env_copy: str) -> None:
    url = app_env_copy
    clean = _open(url, "regimes.py")
    tenant, asset = clean.selectbox[0].value, clean.selectbox[1].value
    releases = _release_of(url, tenant, asset)
    _relabel(url, releases)
    at = _open(url, "regimes.py")
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    regime = next(v for k, v in metrics.items() if k.startswith("Regime on"))
    assert regime in {"Risk on", "Risk off"}
    assert metrics["Conviction"] in {"Strong", "Weak"}
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    colors = regime_colors(["risk_off", "risk_on"])
    assert _legend(spec) == {"Risk off": colors["risk_off"], "Risk on": colors["risk_on"]}
    assert {s["fillcolor"] for s in spec["layout"]["shapes"]} == set(colors.values())
    assert "Risk" in _values(spec["data"][0]["text"])[0]
    explained = next(m.value for m in at.markdown if "**Regime**" in m.value)
    days = dict(
        _sql(
            url,
            "SELECT o.regime, count(*) FROM engine_outputs_daily o JOIN engine_releases r "
            "ON r.tenant_id = o.tenant_id AND r.id = o.release_id "
            "WHERE r.id = ANY(%s::uuid[]) AND %s IN (r.id::text, r.version) GROUP BY o.regime",
            releases,
            at.selectbox[2].value,  # the release shown (its id, or its version)
        )
    )
    for label, shown in (("risk_on", "Risk on"), ("risk_off", "Risk off")):
        assert f"**{shown}** ({days[label]:,} d)" in explained
    assert "**Strong** on days with confidence 70%" in explained
    assert "bull, neutral" not in explained and "80 %" not in explained
    assert "Risk_Off" not in json.dumps(spec)


def test_release_lanes_draw_the_release_labels(app_env_copy: str) -> None:
    url = app_env_copy
    clean = _open(url, "releases.py")
    tenant, asset = clean.selectbox[0].value, clean.selectbox[1].value
    _relabel(url, _release_of(url, tenant, asset))
    at = _open(url, "releases.py")
    assert not at.exception
    lanes = json.loads(at.get("plotly_chart")[0].proto.spec)["data"]
    drawn = {t["name"] for t in lanes if len(_values(t["x"]))}
    assert {"Risk on", "Risk off"} <= drawn
    assert not drawn & {"Bull", "Neutral", "Bear", "Crisis"}
