"""The five leadership pages in AppTest on the seeded database (as of 2026-11-20): they
render, their period picker changes what they show and lives in the URL, an analyst is
refused, and headline numbers match independent calculations from the raw tables."""

from __future__ import annotations

import datetime as dt
import json
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from regime_dashboard.services.periods import resolve_period
from regime_dashboard.services.revenue import RATES_TO_USD, load_revenue_view
from regime_dashboard.ui.cards import card_value, exact_value
from regime_dashboard.viewer import PermissionDeniedError, Viewer
from tests.app.browser_url import change
from tests.conftest import ROOT
from tests.helpers import plotly_values as _values
from tests.helpers import sql as _sql

pytestmark = [pytest.mark.app, pytest.mark.db]

PAGES = ("subscriptions", "revenue", "usage", "costs", "operations")
AS_OF = dt.date(2026, 11, 20)  # the seeded data's last day of activity
END = dt.datetime(2026, 11, 21, tzinfo=dt.UTC)  # the end of that day
LEADER = Viewer("u-lead", "leadership@demo.local", "Lea", roles=frozenset({"leadership"}))
ANALYST = Viewer("u-ana", "analyst@demo.local", "Ana", roles=frozenset({"analyst"}))


def _page(name: str, viewer: Viewer = LEADER, **params: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / f"views/{name}.py"), default_timeout=30)
    at.session_state["_viewer"] = viewer
    at.query_params.update(params)
    return at.run()


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _spec(at: AppTest, i: int) -> dict:
    return json.loads(at.get("plotly_chart")[i].proto.spec)


def _table(at: AppTest, column: str) -> pd.DataFrame:
    """The first table of the page with `column` (tables are found by what they hold)."""
    return next(t.value for t in at.dataframe if column in t.value.columns)


def _card(at: AppTest, label: str) -> Any:
    """The metric card headed `label` (its proto: body, delta, help, chart_data)."""
    return next(m.proto for m in at.metric if m.label == label)


def _ledger_states(url: str, at: dt.datetime) -> list[tuple]:
    """Each subscription's last ledger row before `at`, found in Python, not SQL."""
    rows = _sql(
        url,
        "SELECT subscription_id, occurred_at, status, billing_cycle, price_cents, currency "
        "FROM subscription_events",
    )
    last: dict[object, tuple] = {}
    for sub, occurred, *state in sorted(rows, key=lambda r: r[1]):
        if occurred < at:
            last[sub] = tuple(state)
    return list(last.values())


def _mrr_cents(states: list[tuple]) -> int:
    total = Decimal(0)
    for status, cycle, price, currency in states:
        if status in ("active", "past_due"):
            cents = Decimal(price) * Decimal(str(RATES_TO_USD[currency]))
            cents /= 12 if cycle == "annual" else 1
            total += cents.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(total)


@pytest.mark.parametrize("page", PAGES)
def test_an_analyst_is_refused(page: str, app_env: str) -> None:
    at = _page(page, ANALYST)
    assert not at.exception
    assert "leadership" in at.error[0].value
    assert not at.dataframe and not at.get("plotly_chart") and not at.metric


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_for_leadership_and_admin(page: str, app_env: str) -> None:
    admin = Viewer("u-adm", "admin@demo.local", "Adam", roles=frozenset({"admin"}))
    for viewer in (LEADER, admin):
        at = _page(page, viewer)
        assert not at.exception, at.exception
        assert at.metric and at.dataframe and at.get("plotly_chart")
        assert at.expander and "What these numbers mean" in at.expander[0].label
        assert len(at.get("download_button")) == len(at.dataframe)


def test_services_refuse_an_analyst_too(app_env: str) -> None:
    with pytest.raises(PermissionDeniedError):
        load_revenue_view(ANALYST, resolve_period("12m", AS_OF))


def test_revenue_headline_matches_a_replay_of_the_ledger(app_env: str) -> None:
    at = _page("revenue")
    mrr = _mrr_cents(_ledger_states(app_env, END))
    metrics = _metrics(at)
    assert metrics["MRR"] == card_value(mrr / 100, "usd")
    assert metrics["ARR"] == card_value(12 * mrr / 100, "usd")
    assert f"Exactly {exact_value(mrr / 100, 'usd')}." in _card(at, "MRR").help
    assert f"Exactly {exact_value(12 * mrr / 100, 'usd')}." in _card(at, "ARR").help
    moves = _table(at, "reconciles")
    assert moves["reconciles"].all() and len(moves) == 13  # 12 whole months + November
    assert moves["closing_mrr"].iloc[-1] == pytest.approx(mrr / 100)
    waterfall = _spec(at, 1)["data"][0]
    steps = _values(waterfall["y"])
    assert steps[0] == pytest.approx(moves["opening_mrr"].iloc[0])
    assert steps[0] + steps[1:6].sum() == pytest.approx(steps[6])
    assert steps[6] == pytest.approx(mrr / 100)
    rates = _table(at, "usd_per_unit")
    assert dict(zip(rates["currency"], rates["usd_per_unit"], strict=True)) == RATES_TO_USD


def test_revenue_period_picker_changes_the_months_and_the_url(app_env: str) -> None:
    at = _page("revenue")
    assert at.selectbox[0].value == "12m"
    change(at, at.selectbox[0], "3m")
    assert not at.exception
    months = _table(at, "reconciles")["month"]  # Aug, Sep, Oct whole, then November to date
    assert len(months) == 4 and months.iloc[0] == np.datetime64("2026-08-01")
    assert at.query_params["period"] == "Last 3 months"  # the label, as the browser writes it
    change(at, at.date_input[0], dt.date(2026, 6, 30))
    months = _table(at, "reconciles")["month"]  # a month end: Apr, May, Jun whole
    assert len(months) == 3 and months.iloc[-1] == np.datetime64("2026-06-01")
    assert at.query_params["as_of"] in ("2026-06-30", ["2026-06-30"])


def test_revenue_url_reopens_the_same_view(app_env: str) -> None:
    at = _page("revenue", period="6m", as_of="2026-09-30")
    assert not at.exception
    assert at.selectbox[0].value == "6m" and at.date_input[0].value == dt.date(2026, 9, 30)
    months = _table(at, "reconciles")["month"]
    assert list(months.dt.strftime("%Y-%m")) == [f"2026-{m:02d}" for m in range(4, 10)]
    mrr = _mrr_cents(_ledger_states(app_env, dt.datetime(2026, 10, 1, tzinfo=dt.UTC)))
    assert _metrics(at)["MRR"] == card_value(mrr / 100, "usd")


def test_subscription_counts_match_a_replay(app_env: str) -> None:
    at = _page("subscriptions")
    states = _ledger_states(app_env, END)
    metrics = _metrics(at)
    for status in ("active", "trialing", "past_due", "canceled"):
        count = sum(1 for s in states if s[0] == status)
        assert metrics[status.replace("_", " ").title()] == f"{count:,}"
    past_due = at.dataframe[2].value
    rows = _sql(
        app_env,
        "SELECT t.name, max(e.occurred_at) FROM subscription_events e JOIN tenants t "
        "ON t.id = e.tenant_id WHERE e.event_type = 'past_due' GROUP BY t.name",
    )
    since = dict(rows)
    for row in past_due.itertuples():
        assert row.days_overdue == (AS_OF - since[row.tenant_name].date()).days


def test_subscriptions_period_and_url(app_env: str) -> None:
    at = _page("subscriptions", period="ytd", as_of="2026-08-31")
    assert not at.exception
    assert at.selectbox[0].value == "ytd"
    statuses = at.dataframe[0].value
    assert len(statuses) == 8 and statuses["month"].iloc[0] == np.datetime64("2026-01-01")
    change(at, at.selectbox[0], "3m")
    assert len(at.dataframe[0].value) == 3
    assert at.query_params["as_of"] in ("2026-08-31", ["2026-08-31"])


def test_usage_matches_the_raw_events(app_env: str) -> None:
    at = _page("usage")
    assert at.selectbox[0].value == "2026-11"
    table = at.dataframe[0].value
    raw = _sql(
        app_env,
        "SELECT t.name, e.metric, sum(e.quantity)::float FROM usage_events e "
        "JOIN tenants t ON t.id = e.tenant_id WHERE e.occurred_at >= '2026-11-01' "
        "AND e.occurred_at < '2026-11-21' GROUP BY 1, 2",
    )
    used = {(name, metric): quantity for name, metric, quantity in raw}
    for row in table.itertuples():
        assert row.used == pytest.approx(used.get((row.tenant_name, row.metric), 0.0))
        assert row.projected == pytest.approx(row.used / 20 * 30)
    ranks = table["state"].map({"over": 0, "near": 1, "ok": 2, "unlimited": 3})
    assert list(ranks) == sorted(ranks)  # over, then near, first
    for state in ("over", "near", "ok"):
        shares = list(table.loc[table["state"] == state, "pct_used"])
        assert shares == sorted(shares, reverse=True)


def test_usage_month_and_tenant_live_in_the_url(app_env: str) -> None:
    at = _page("usage")
    change(at, at.selectbox[0], "2026-09")
    assert not at.exception
    assert "30 of 30 days" in at.caption[0].value
    assert at.query_params["month"] in ("2026-09", ["2026-09"])
    tenant = at.selectbox[1].options[-1]
    change(at, at.selectbox[1], index=len(at.selectbox[1].options) - 1)
    assert at.query_params["tenant"] in (tenant, [tenant])
    assert _spec(at, 1)["layout"]["title"]["text"].startswith(tenant)
    reopened = _page("usage", month="2026-09", tenant=tenant)
    assert [reopened.selectbox[i].value for i in range(2)] == ["2026-09", at.selectbox[1].value]
    assert reopened.dataframe[0].value.equals(at.dataframe[0].value)
    assert reopened.dataframe[1].value.equals(at.dataframe[1].value)


def test_costs_match_the_runs_and_follow_the_period(app_env: str) -> None:
    at = _page("costs")
    assert at.selectbox[0].value == "3m"
    (cost,) = _sql(
        app_env,
        "SELECT sum(cost_usd)::float FROM runs WHERE queued_at >= '2026-08-01' "
        "AND queued_at < '2026-11-21'",
    )[0]
    assert _metrics(at)["Cost of runs"] == card_value(cost, "usd")
    tenants = at.dataframe[-1].value
    assert tenants["cost_usd"].sum() == pytest.approx(cost)
    assert (tenants["margin_usd"] == tenants["revenue_usd"] - tenants["cost_usd"]).all()
    losses = at.dataframe[0].value
    assert (losses["margin_usd"] < 0).all() and list(losses["margin_usd"]) == sorted(
        losses["margin_usd"]
    )
    at.selectbox[0].set_value("12m").run()
    assert _metrics(at)["Cost of runs"] != card_value(cost, "usd")
    reopened = _page("costs", period="12m", as_of="2026-11-20")
    assert _metrics(reopened) == _metrics(at)


def test_operations_match_the_runs(app_env: str) -> None:
    at = _page("operations", period="6m")
    assert not at.exception
    rows = _sql(
        app_env,
        "SELECT status, extract(epoch FROM started_at - queued_at)::float FROM runs "
        "WHERE queued_at >= '2026-05-01' AND queued_at < '2026-11-21'",
    )  # 6m as of 20 Nov: May to October whole, and November to date
    metrics = _metrics(at)
    assert metrics["Runs"] == card_value(len(rows), "count")
    finished = [s for s, _ in rows if s in ("succeeded", "failed", "canceled")]
    failed = sum(1 for s in finished if s == "failed")
    assert metrics["Failure rate"] == f"{failed / len(finished):.1%}".replace("%", " %")
    waits = [w for _, w in rows if w is not None]
    p50, p95 = np.percentile(waits, [50, 95])
    assert metrics["Queue time p50"] == f"{p50:,.1f} s"
    assert f"p95: {p95:,.1f} s." in _card(at, "Queue time p50").help
    change(at, at.selectbox[0], "3m")
    runs_3m = _card(at, "Runs").help.split("Exactly ")[1].split(".")[0]
    assert int(runs_3m.replace(",", "")) < len(rows)
    assert "period" not in at.query_params  # this page's default: the browser leaves it out
