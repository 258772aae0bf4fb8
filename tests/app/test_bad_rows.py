"""Rows that other services may write and the database holds, but pandas cannot (dates
outside 1677-09-22..2262-04-11) or the charts cannot use (prices that are not finite
numbers): every analyst page skips them, says how many, and still draws its charts."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.test_regimes_page import _demo_analyst
from tests.conftest import ROOT
from tests.helpers import plotly_values as _values
from tests.helpers import sql as _sql

pytestmark = [pytest.mark.app, pytest.mark.db]

EARLY, LATE = dt.date(1, 1, 1), dt.date(2999, 12, 31)
SKIPPED_ONE = "1 row outside the supported date range was skipped."


def _open(url: str, page: str, **params: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "views" / page), default_timeout=60)
    at.session_state["_viewer"] = _demo_analyst(url)
    at.query_params.update(params)
    return at.run()


def _bump(url: str) -> None:
    """Rows written by another service: the next page run reads them."""
    _sql(url, "UPDATE data_versions SET version = version + 1")


def _bar(url: str, asset: str, day: dt.date, close: float | str = 100.0) -> None:
    _sql(
        url,
        "INSERT INTO price_bars (asset_id, date, open, high, low, close, volume) "
        "VALUES (%s, %s, 100, 101, 99, %s::float8, 1000)",
        asset,
        day,
        str(close),
    )


def _output(url: str, tenant: str, asset: str, release: str, day: dt.date) -> None:
    """One output of a release; `tenant` and `release` are ids or names (as the pickers
    hold them)."""
    inserted = _sql(
        url,
        "INSERT INTO engine_outputs_daily (tenant_id, release_id, date, regime, confidence, "
        "conviction) SELECT r.tenant_id, r.id, %s, 'bull', 0.9, 'high' FROM engine_releases r "
        "JOIN tenants t ON t.id = r.tenant_id WHERE %s IN (t.id::text, t.name) "
        "AND r.asset_id = %s AND %s IN (r.id::text, r.version) RETURNING 1",
        day,
        tenant,
        asset,
        release,
    )
    assert len(inserted) == 1


def _skipped(at: AppTest) -> list[str]:
    return [w.value for w in at.warning if "supported date range" in w.value]


def _charts(at: AppTest) -> int:
    return len(at.get("plotly_chart"))


def _panel_groups(at: AppTest) -> list[str]:
    """The groups of the Regimes page's panels figure (its second chart), one per row."""
    panels = json.loads(at.get("plotly_chart")[1].proto.spec)
    return [trace["legendgroup"] for trace in panels["data"]]


PANEL_ROWS = ["Risk"] * 3 + ["Components"] * 6  # both groups, the default view


def _card_asset(label: str) -> str:
    """The asset of a watchlist card labelled "SPY · 12 d"."""
    return label.split(" · ")[0]


def test_prices_skip_bars_dated_outside_the_supported_range(app_env_copy: str) -> None:
    url = app_env_copy
    clean = _open(url, "prices.py")
    asset = clean.selectbox[0].value
    start, end = clean.date_input[0].value
    _bar(url, asset, EARLY)
    _bump(url)
    at = _open(url, "prices.py")
    assert not at.exception
    assert _skipped(at) == [SKIPPED_ONE]
    assert _charts(at) == 2
    # the range picker still spans the real bars
    assert at.date_input[0].value == (start, end)
    _bar(url, asset, LATE)
    _bump(url)
    at = _open(url, "prices.py", asset=asset)
    assert not at.exception
    assert _skipped(at) == ["2 rows outside the supported date range were skipped."]
    assert at.date_input[0].value == (start, end) and _charts(at) == 2


def test_prices_skip_bars_whose_prices_are_not_numbers(app_env_copy: str) -> None:
    url = app_env_copy
    clean = _open(url, "prices.py")
    asset = clean.selectbox[0].value
    start, end = clean.date_input[0].value
    dates = [
        d
        for (d,) in _sql(
            url,
            "SELECT date FROM price_bars WHERE asset_id = %s AND date BETWEEN %s AND %s "
            "ORDER BY date",
            asset,
            start,
            end,
        )
    ]
    _sql(
        url,
        "UPDATE price_bars SET close = 'NaN' WHERE asset_id = %s AND date = %s",
        asset,
        dates[-3],
    )
    _sql(
        url,
        "UPDATE price_bars SET high = 'Infinity' WHERE asset_id = %s AND date = %s",
        asset,
        dates[-5],
    )
    _bump(url)
    at = _open(url, "prices.py")
    assert not at.exception
    assert [w.value for w in at.warning if "not finite" in w.value] == [
        "2 bars with prices that are not finite numbers were skipped."
    ]
    candles, histogram = (json.loads(c.proto.spec) for c in at.get("plotly_chart"))
    drawn = [str(x)[:10] for x in _values(candles["data"][0]["x"])]
    assert len(drawn) == len(dates) - 2
    assert str(dates[-3]) not in drawn and str(dates[-5]) not in drawn
    assert _values(histogram["data"][0]["y"]).sum() == len(dates) - 3  # returns of the rest


def test_regimes_skip_outputs_dated_outside_the_supported_range(app_env_copy: str) -> None:
    url = app_env_copy
    clean = _open(url, "regimes.py")
    tenant, asset, version = (s.value for s in clean.selectbox[:3])
    span = clean.date_input[0].value
    _output(url, tenant, asset, version, LATE)
    _bump(url)
    at = _open(url, "regimes.py")
    assert not at.exception
    assert [s.value for s in at.selectbox[:3]] == [tenant, asset, version]
    assert _skipped(at) == [SKIPPED_ONE]
    assert at.date_input[0].value == span
    assert _charts(at) == 3  # price and regimes, the panels (risk + components), transitions
    assert _panel_groups(at) == PANEL_ROWS
    assert clean.metric[len(clean.metric) - 4].value == at.metric[len(at.metric) - 4].value


def test_watchlist_cards_skip_outputs_dated_outside_the_supported_range(
    app_env_copy: str,
) -> None:
    url = app_env_copy
    clean = _open(url, "regimes.py")
    tenant = clean.selectbox[0].value
    cards = [m for m in clean.metric if "·" in m.label]
    assert cards, "the demo analyst has watchlist cards"
    for card in cards:
        _output(url, tenant, _card_asset(card.label), "v2", EARLY)
        _output(url, tenant, _card_asset(card.label), "v2", LATE)
    _bump(url)
    at = _open(url, "regimes.py")
    assert not at.exception
    after = {m.label: (m.value, m.delta) for m in at.metric if "·" in m.label}
    assert after == {m.label: (m.value, m.delta) for m in cards}
    assert _skipped(at) == [f"{2 * len(cards)} rows outside the supported date range were skipped."]


def test_releases_compare_skips_outputs_dated_outside_the_supported_range(
    app_env_copy: str,
) -> None:
    url = app_env_copy
    clean = _open(url, "releases.py")
    tenant, asset = clean.selectbox[0].value, clean.selectbox[1].value
    agree = [m.value for m in clean.metric]
    _output(url, tenant, asset, "v2", EARLY)
    _bump(url)
    at = _open(url, "releases.py")
    assert not at.exception
    assert _skipped(at) == [SKIPPED_ONE]
    assert [m.value for m in at.metric] == agree
    assert _charts(at) == 1
    assert at.date_input[0].value == clean.date_input[0].value


def test_pages_survive_non_finite_engine_fields_and_odd_release_dates(
    app_env_copy: str,
) -> None:
    """Optional output fields may hold NaN or ±Infinity (no CHECK forbids them) and a
    release date may be any date: the pages still draw."""
    url = app_env_copy
    clean = _open(url, "regimes.py")
    tenant, asset = clean.selectbox[0].value, clean.selectbox[1].value
    changed = _sql(
        url,
        "UPDATE engine_outputs_daily o SET vrs = 'Infinity', iix = '-Infinity', "
        "realized_vol = 'NaN', escalation_v2 = 'NaN' FROM engine_releases r "
        "JOIN tenants t ON t.id = r.tenant_id WHERE r.tenant_id = o.tenant_id "
        "AND r.id = o.release_id AND %s IN (t.id::text, t.name) AND r.asset_id = %s "
        "AND o.date > (SELECT max(date) - 30 FROM engine_outputs_daily) RETURNING 1",
        tenant,
        asset,
    )
    assert changed, "the last month of the shown releases' outputs"
    _sql(
        url,
        "UPDATE engine_releases r SET release_date = '0001-01-01' FROM tenants t "
        "WHERE t.id = r.tenant_id AND %s IN (t.id::text, t.name) AND r.asset_id = %s",
        tenant,
        asset,
    )
    _bump(url)
    for page, charts in (("regimes.py", 3), ("releases.py", 1)):
        at = _open(url, page)
        assert not at.exception, page
        assert _charts(at) == charts, page
        if page == "regimes.py":  # every risk and component row, non-finite values and all
            assert _panel_groups(at) == PANEL_ROWS
