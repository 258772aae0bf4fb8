"""Issue 15 on the five leadership pages, in AppTest on the seeded database (as of
2026-11-20): the cards' changes against the previous period and their sparklines, checked
against replays of the raw tables; the Revenue drill-down's customers, checked against
the movements table and a replay of the ledger per tenant; the Usage drill-down from a bar;
and every table headed in words with no None / nan / Infinity cell."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd
import pytest
from streamlit.proto.Block_pb2 import Block as BlockProto
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block

from regime_dashboard.services.periods import add_months, resolve_period
from regime_dashboard.services.revenue import RATES_TO_USD, load_movement_customers
from regime_dashboard.ui.cards import MAX_PER_ROW, card_row, delta_text
from tests.app.browser_url import change
from tests.app.test_leadership_pages import LEADER, PAGES, _card, _page, _table
from tests.helpers import sql

pytestmark = [pytest.mark.app, pytest.mark.db]
FlexProto = BlockProto.FlexContainer

AS_OF = dt.date(2026, 11, 20)
MOVES = ("new", "expansion", "reactivation", "contraction", "churn")


def _utc(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _tenant_mrr(events: list[tuple], at: dt.datetime) -> dict[Any, int]:
    """Each tenant's MRR in USD cents at the instant `at`: the last ledger row of each of
    its subscriptions before `at`, replayed in Python (price / 12 for annual plans, paying
    states only, each subscription rounded to the cent)."""
    last: dict[Any, tuple] = {}
    for tenant, sub, occurred, status, cycle, price, currency in events:
        if occurred < at:
            last[sub] = (tenant, status, cycle, price, currency)
    mrr: dict[Any, int] = defaultdict(int)
    for tenant, status, cycle, price, currency in last.values():
        cents = Decimal(0)
        if status in ("active", "past_due"):
            cents = Decimal(price) * Decimal(str(RATES_TO_USD[currency]))
            cents /= 12 if cycle == "annual" else 1
        mrr[tenant] += int(cents.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return mrr


def _events(url: str) -> list[tuple]:
    return sorted(
        sql(
            url,
            "SELECT tenant_id, subscription_id, occurred_at, status, billing_cycle, "
            "price_cents, currency FROM subscription_events",
        ),
        key=lambda r: r[2],
    )


def test_revenue_cards_compare_with_the_previous_period(app_env: str) -> None:
    """12 months as of 20 Nov 2026 (Nov 2025 – Nov 20 2026) compare with the 13 months
    before, as of 20 Oct 2025; the MRR sparkline is the month-end MRR of each month."""
    at = _page("revenue")
    events = _events(app_env)
    now = sum(_tenant_mrr(events, _utc(AS_OF + dt.timedelta(days=1))).values())
    then = sum(_tenant_mrr(events, _utc(dt.date(2025, 10, 21))).values())
    card = _card(at, "MRR")
    assert card.delta == delta_text(now / 100, then / 100, "usd")
    assert not card.delta_description  # "vs 20 Oct 2025" would be cut on a 170 px card
    assert "Then (20 Oct 2025): $" in card.help  # the day compared with, in the help
    assert card.color == (card.GREEN if now > then else card.RED)
    arr = _card(at, "ARR")
    assert arr.delta == delta_text(12 * now / 100, 12 * then / 100, "usd")
    closes = [add_months(dt.date(2025, 11, 1), i) for i in range(1, 13)] + [AS_OF]
    month_ends = [sum(_tenant_mrr(events, _utc(c)).values()) / 100 for c in closes[:-1]]
    month_ends.append(now / 100)
    assert list(card.chart_data) == pytest.approx(month_ends)


def test_subscription_cards_compare_with_the_previous_period(app_env: str) -> None:
    at = _page("subscriptions", period="3m")  # Aug 1 – Nov 20; before: Apr 1 – Jul 20
    rows = sql(
        app_env,
        "SELECT DISTINCT ON (subscription_id) status FROM subscription_events "
        "WHERE occurred_at < %s ORDER BY subscription_id, occurred_at DESC",
        _utc(dt.date(2026, 7, 21)),
    )
    now = sql(
        app_env,
        "SELECT DISTINCT ON (subscription_id) status FROM subscription_events "
        "WHERE occurred_at < %s ORDER BY subscription_id, occurred_at DESC",
        _utc(AS_OF + dt.timedelta(days=1)),
    )
    for status in ("active", "trialing", "past_due", "canceled"):
        count_now = sum(1 for (s,) in now if s == status)
        count_then = sum(1 for (s,) in rows if s == status)
        card = _card(at, status.replace("_", " ").title())
        assert card.body == f"{count_now:,}"
        assert card.delta == delta_text(count_now, count_then, "count")


def test_cost_and_run_cards_compare_with_the_previous_period(app_env: str) -> None:
    costs = _page("costs")  # 3m: Aug 1 – Nov 20; before: the 4 months Apr 1 – Jul 20
    window = "queued_at >= %s AND queued_at < %s"
    (now,), (then,) = (
        sql(app_env, f"SELECT sum(cost_usd)::float FROM runs WHERE {window}", _utc(a), _utc(b))[0]
        for a, b in (
            (dt.date(2026, 8, 1), dt.date(2026, 11, 21)),
            (dt.date(2026, 4, 1), dt.date(2026, 7, 21)),
        )
    )
    assert _card(costs, "Cost of runs").delta == delta_text(now, then, "usd")
    ops = _page("operations")  # 3m as well
    (runs_now,), (runs_then,) = (
        sql(app_env, f"SELECT count(*) FROM runs WHERE {window}", _utc(a), _utc(b))[0]
        for a, b in (
            (dt.date(2026, 8, 1), dt.date(2026, 11, 21)),
            (dt.date(2026, 4, 1), dt.date(2026, 7, 21)),
        )
    )
    runs = _card(ops, "Runs")
    assert runs.delta == delta_text(runs_now, runs_then, "count")
    per_day = sql(
        app_env,
        f"SELECT count(*) FROM runs WHERE {window} "
        "GROUP BY (queued_at AT TIME ZONE 'UTC')::date ORDER BY "
        "(queued_at AT TIME ZONE 'UTC')::date",
        _utc(dt.date(2026, 8, 1)),
        _utc(dt.date(2026, 11, 21)),
    )
    assert list(runs.chart_data) == [float(n) for (n,) in per_day]


def _replayed_movements(url: str, month: dt.date, close: dt.date) -> dict[str, dict]:
    """{movement: {tenant_id: (before, after)}} of `month`, from a replay per tenant at
    every month start since the ledger's first month (new vs reactivation needs them)."""
    events = _events(url)
    first = events[0][2].date().replace(day=1)
    earlier: dict[Any, bool] = defaultdict(bool)
    start = add_months(first, 1)
    while start <= month:
        for tenant, cents in _tenant_mrr(events, _utc(start)).items():
            earlier[tenant] |= cents > 0
        start = add_months(start, 1)
    before, after = _tenant_mrr(events, _utc(month)), _tenant_mrr(events, _utc(close))
    found: dict[str, dict] = {m: {} for m in MOVES}
    for tenant in set(before) | set(after):
        b, a = before.get(tenant, 0), after.get(tenant, 0)
        kind = (
            None if a == b else
            ("reactivation" if earlier[tenant] else "new") if b == 0 else
            "churn" if a == 0 else "expansion" if a > b else "contraction"
        )  # fmt: skip
        if kind:
            found[kind][str(tenant)] = (b / 100, a / 100)
    return found


def test_movement_customers_sum_to_the_movements_and_match_a_replay(app_env: str) -> None:
    period = resolve_period("12m", AS_OF)
    at = _page("revenue")
    moves = _table(at, "reconciles").set_index("month")
    checked = 0
    for month in (add_months(period.first_month, i) for i in range(period.months)):
        close = min(add_months(month, 1), AS_OF + dt.timedelta(days=1))
        replay = _replayed_movements(app_env, month, close)
        movers = load_movement_customers(LEADER, period, month)
        for kind in MOVES:
            mine = movers[movers["movement"] == kind]
            total = moves.loc[pd.Timestamp(month), kind]
            assert mine["change"].sum() == pytest.approx(total)
            assert (mine["mrr_after"] - mine["mrr_before"]).tolist() == pytest.approx(
                mine["change"].tolist()
            )
            got = {
                str(r.tenant_id): (round(r.mrr_before, 2), round(r.mrr_after, 2))
                for r in mine.itertuples()
            }
            assert got == {t: (round(b, 2), round(a, 2)) for t, (b, a) in replay[kind].items()}
            checked += len(mine)
    assert checked > 0


def test_revenue_drill_down_lists_the_customers_of_a_movement(app_env: str) -> None:
    at = _page("revenue")
    moves = _table(at, "reconciles")
    row = moves.loc[moves["churn"] < 0].iloc[-1]
    month = row["month"].date()
    change(at, at.selectbox(key="movement_month"), month)
    change(at, at.selectbox(key="movement"), "churn")
    assert not at.exception
    movers = _table(at, "mrr_before")
    assert set(movers["movement"]) == {"churn"}
    assert set(movers["movement_words"]) == {"Churn"}  # what the table shows
    assert movers["change"].sum() == pytest.approx(row["churn"])
    assert (movers["mrr_after"] == 0).all()
    assert at.query_params["movement"] in ("Churn", ["Churn"])


def test_usage_bars_carry_their_tenant_for_the_drill_down(app_env: str) -> None:
    """A click on a bar picks its tenant (customdata) in the drill-down below."""
    at = _page("usage")
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    rows = _table(at, "pct_used")
    limited = rows[rows["pct_used"].notna()].head(30)
    assert spec["data"][0]["customdata"] == limited["tenant_id"].astype(str).tolist()
    assert at.get("plotly_chart")[0].proto.selection_mode  # the chart answers clicks
    labels = [a["text"] for a in spec["layout"]["annotations"]]
    assert "80 % near" in labels and "100 % limit" in labels


SNAKE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
UNREADABLE = {"None", "nan", "NaN", "NaT", "inf", "-inf", "Infinity", "-Infinity"}


def _shown(table: Any) -> tuple[list[str], dict]:
    order = list(table.proto.column_order) or list(table.value.columns)
    configs = json.loads(table.proto.columns or "{}")
    return order, configs


@pytest.mark.parametrize("page", PAGES)
def test_every_leadership_table_is_humanised(page: str, app_env: str) -> None:
    at = _page(page)
    assert at.dataframe
    for table in at.dataframe:
        order, configs = _shown(table)
        assert table.proto.placeholder == "—"
        for column in order:
            label = (configs.get(column) or {}).get("label") or column
            assert not SNAKE.match(label), f"{page}: raw heading {label!r}"
            values = table.value[column]
            if values.dtype == object:
                texts = {str(v) for v in values.dropna()}
                assert not texts & UNREADABLE, f"{page}: {column} shows {texts & UNREADABLE}"
                assert not any(t.startswith("$-") for t in texts), column
                assert not any(UUID.fullmatch(t) for t in texts), f"{page}: ids in {column}"
            elif pd.api.types.is_float_dtype(values):
                assert not values.map(lambda v: math.isinf(v)).any(), f"{page}: {column}"


def card_rows(at: AppTest) -> list[list[str]]:
    """The labels of the page's metric cards, row by row, checking each card sits in a
    `ui.cards.card_row` slot: a vertical container stretching to the row's width and
    height, in a horizontal container that wraps (two to a row on a phone), not in a
    column (one to a row on a phone) nor in a fixed-width box."""
    rows: dict[int, list[str]] = {}

    def walk(node: Any, chain: list[Any]) -> None:
        if isinstance(node, Block):
            for child in node.children.values():
                walk(child, [*chain, node])
            return
        if node.type != "metric":
            return
        slot, row = chain[-1], chain[-2]
        assert slot.type == "flex_container", (node.label, slot.type)
        assert slot.proto.flex_container.direction == FlexProto.Direction.VERTICAL
        assert slot.proto.width_config.use_stretch and slot.proto.height_config.use_stretch
        assert row.proto.flex_container.direction == FlexProto.Direction.HORIZONTAL
        assert row.proto.flex_container.wrap, node.label
        rows.setdefault(id(row), []).append(node.label)

    walk(at._tree, [])
    assert all(len(labels) <= MAX_PER_ROW for labels in rows.values())
    return list(rows.values())


def test_leadership_cards_fill_a_row_that_wraps_two_to_a_row_on_a_phone(app_env: str) -> None:
    """Every card of the five pages is laid out by card_row, in rows of at most
    MAX_PER_ROW cards (values whole at 1400 px), even rows of four (two by two at 390 px)."""
    wanted = {
        "revenue": [
            ["MRR", "ARR", "Paying customers", "ARPA"],
            ["Customer churn / mo", "Gross MRR churn / mo", "Net MRR churn / mo", "LTV estimate"],
        ],
        "subscriptions": [["Active", "Trialing", "Past Due", "Canceled", "Trial conversion"]],
        "costs": [["Subscription revenue", "Cost of runs", "Gross margin", "Tenants at a loss"]],
        "operations": [["Runs", "Failure rate", "Queue time p50", "Run time p50"]],
    }
    for name in PAGES:
        at = _page(name)
        assert not at.exception, name
        rows = card_rows(at)
        assert rows[: len(wanted.get(name, rows))] == wanted.get(name, rows), name
        assert rows and all(len(r) == 4 for r in rows if name != "subscriptions"), name


def test_a_row_of_cards_holds_one_to_max_per_row_cards() -> None:
    for count in (0, MAX_PER_ROW + 1):
        with pytest.raises(ValueError, match="a row of cards holds"):
            card_row(count)


CARD_LABEL_CHARS = 20  # what a 170 px card (two to a row at 390 px) shows of a label
CARD_VERSUS_CHARS = 6  # what fits beside a delta there: "vs Oct"


def test_card_texts_fit_a_170_px_card(app_env: str) -> None:
    """No card label longer than a phone's card shows (Usage's "Over the limit (≥ 100 %)"
    was cut) and no delta description longer than "vs Oct" ("vs prior period", "vs 01
    Nov…" were); a change that rounds to zero has no sign and no colour."""
    for name in PAGES:
        at = _page(name)
        for metric in at.metric:
            card = metric.proto
            assert len(metric.label) <= CARD_LABEL_CHARS, (name, metric.label)
            assert len(card.delta_description) <= CARD_VERSUS_CHARS, (name, card.delta_description)
            if card.delta and not re.search("[1-9]", card.delta):
                assert card.delta[0] not in "+−-" and card.color == card.GRAY, (name, card.delta)
    usage = _page("usage")
    assert "≥ 100 %" in _card(usage, "Over limit").help
