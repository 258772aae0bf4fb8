"""The Portfolio P&L page in AppTest: a hand-worked FIFO book, the seeded book against a
second FIFO implementation written here, filters, URL state and scoping."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict, deque
from collections.abc import Iterator
from functools import partial

import numpy as np
import pandas as pd
import psycopg
import pytest
from sqlalchemy.engine import make_url
from streamlit.proto.Metric_pb2 import Metric as MetricProto
from streamlit.testing.v1 import AppTest

from regime_dashboard.db.engine import libpq_dsn
from regime_dashboard.ui.cards import delta_text
from regime_dashboard.ui.formats import MINUS
from regime_dashboard.viewer import Viewer
from tests.app.analyst_pages import LEADER, LONG_DAYS, add_long_asset, open_page
from tests.app.browser_url import change
from tests.app.test_leadership_readable import card_rows
from tests.helpers import plotly_values as _values
from tests.helpers import sql as _sql

pytestmark = [pytest.mark.app, pytest.mark.db]

T1, T2 = "aaaaaaaa-0000-0000-0000-000000000001", "aaaaaaaa-0000-0000-0000-000000000002"
P1, P2 = "cccccccc-0000-0000-0000-000000000001", "cccccccc-0000-0000-0000-000000000002"
D0 = dt.date(2025, 1, 1)
CLOSES = [100.0, 110.0, 115.0, 120.0, 130.0, 130.0, 130.0, 130.0, 130.0, 130.0]


_page = partial(open_page, "portfolio")


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _exact(at: AppTest) -> dict[str, str]:
    """Each card's exact value, as its help gives it ("Exactly $1,277.80.")."""
    return {m.label: re.search(r"Exactly (\S+?)\.(\s|$)", m.proto.help)[1] for m in at.metric}


def _at(day: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(D0 + dt.timedelta(days=day), dt.time(19, minute), tzinfo=dt.UTC)


def _seed_book(conn: psycopg.Connection) -> None:
    """Buy 10 @ 100 (fee 1), buy 5 @ 110, sell 12 @ 120 (fee 1.2); a cancelled fourth order."""
    conn.execute("INSERT INTO tenants (id, name) VALUES (%s, 'Solo'), (%s, 'Other')", (T1, T2))
    conn.execute(
        "INSERT INTO assets (id, name, asset_class, calendar) VALUES ('AAA', 'A', 'crypto', 'calendar_365')"
    )
    for i, c in enumerate(CLOSES):
        conn.execute(
            "INSERT INTO price_bars (asset_id, date, open, high, low, close) VALUES ('AAA', %s, %s, %s, %s, %s)",
            (D0 + dt.timedelta(days=i), c, c, c, c),
        )
    conn.execute(
        "INSERT INTO portfolios (tenant_id, id, name, starting_cash) VALUES (%s, %s, 'Book', 1000), (%s, %s, 'Hidden', 5)",
        (T1, P1, T2, P2),
    )
    trades = [  # day, side, qty, price, fee, confidence, status
        (0, "BUY", 10, 100.0, 1.0, 0.9, "COMPLETE"),
        (1, "BUY", 5, 110.0, 0.0, 0.6, "COMPLETE"),
        (3, "SELL", 12, 120.0, 1.2, 0.7, "COMPLETE"),
        (4, "BUY", 1, 130.0, 0.0, 0.2, "CANCELLED"),
    ]
    for k, (day, side, qty, price, fee, conf, status) in enumerate(trades):
        signal, order = (
            f"dddddddd-0000-0000-0000-00000000000{k}",
            f"eeeeeeee-0000-0000-0000-00000000000{k}",
        )
        conn.execute(
            "INSERT INTO signals (tenant_id, id, portfolio_id, asset_id, signal_type, confidence_score, entry_price, generated_at) VALUES (%s, %s, %s, 'AAA', %s, %s, %s, %s)",
            (T1, signal, P1, side, conf, price, _at(day)),
        )
        conn.execute(
            "INSERT INTO orders (tenant_id, id, portfolio_id, signal_id, asset_id, order_type, transaction_type, quantity, status, order_timestamp) VALUES (%s, %s, %s, %s, 'AAA', 'MARKET', %s, %s, %s, %s)",
            (T1, order, P1, signal, side, qty, status, _at(day, 30)),
        )
        if status == "COMPLETE":
            conn.execute(
                "INSERT INTO fills (id, tenant_id, order_id, portfolio_id, asset_id, side, quantity, price, fees, filled_at) VALUES (gen_random_uuid(), %s, %s, %s, 'AAA', %s, %s, %s, %s, %s)",
                (T1, order, P1, side, qty, price, fee, _at(day, 31)),
            )


@pytest.fixture
def book_env(empty_db: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    from tests.app.conftest import _reset_caches

    with psycopg.connect(libpq_dsn(make_url(empty_db))) as conn:
        _seed_book(conn)
    monkeypatch.setenv("DATABASE_URL", empty_db)
    _reset_caches()
    yield empty_db
    _reset_caches()


WHOLE = {"tenant": "Solo", "portfolio": P1, "dates": ["2025-01-01", "2025-01-10"]}


def test_a_hand_worked_fifo_book(book_env: str) -> None:
    at = _page(**WHOLE).run()
    assert not at.exception
    # FIFO: the sale of 12 @ 120 (net 119.9 a unit after its 1.2 fee) closes the 10 units
    # bought at 100.1 (price + fee per unit) and 2 of the 5 bought at 110:
    # realized = 10 * (119.9 - 100.1) + 2 * (119.9 - 110) = 198 + 19.8 = 217.8.
    # Left: 3 units at 110, marked at 130: value 390, unrealized 3 * 20 = 60.
    # Cash: 1000 - 1001 - 550 + (1440 - 1.2) = 887.8; equity 1277.8 = 1000 + 217.8 + 60.
    assert _exact(at) == {
        "Equity": "$1,277.80",
        "Cash": "$887.80",
        "Market value": "$390.00",
        "Realized P&L (FIFO)": "$217.80",
        "Unrealized P&L": "$60.00",
        "Total P&L": "$277.80",
    }
    assert _metrics(at) == {  # the cards round to the dollar (compact from $10k)
        "Equity": "$1,278",
        "Cash": "$888",
        "Market value": "$390",
        "Realized P&L (FIFO)": "$218",
        "Unrealized P&L": "$60",
        "Total P&L": "$278",
    }
    assert "FIFO" in at.caption[0].value
    holdings = at.dataframe[0].value
    assert holdings.values.tolist() == [["AAA", 3.0, 110.0, 130.0, 390.0, 60.0]]
    curve = at.dataframe[1].value
    # day 0: cash -1, 10 x 100; day 1: cash -551, 15 x 110; day 2: 15 x 115;
    # day 3: cash 887.8, 3 x 120; day 4 on: 3 x 130
    assert curve["equity"].tolist() == pytest.approx([999, 1099, 1174, 1247.8] + [1277.8] * 6)
    assert curve["daily_pnl"].tolist() == pytest.approx([-1, 100, 75, 73.8, 30, 0, 0, 0, 0, 0])
    realized = at.dataframe[2].value
    assert realized["realized_pnl"].tolist() == pytest.approx([198.0, 19.8])
    orders = at.dataframe[3].value.sort_values("order_timestamp")
    # outcome 5 bars after each signal's day: BUY 100 -> 130, BUY 110 -> 130,
    # SELL 120 -> 130 (loses), BUY 130 -> 130 (flat, not a win)
    assert orders["outcome_return"].tolist() == pytest.approx(  # shown in percent
        [30.0, 100 * (130 / 110 - 1), 100 * (120 / 130 - 1), 0.0]
    )
    assert orders["win"].tolist() == [True, True, False, False]
    bands = at.dataframe[4].value
    # bands of 0.2: [0.2, 0.4) holds 0.2 (flat), [0.6, 0.8) 0.6 (win) and 0.7 (loss),
    # [0.8, 1] 0.9 (win)
    assert bands[["From", "Signals", "Wins"]].values.tolist() == [
        pytest.approx(row) for row in ([20.0, 1, 0], [60.0, 2, 1], [80.0, 1, 1])
    ]  # From: shown in percent


def test_the_cards_compare_with_the_previous_period_by_hand(book_env: str) -> None:
    at = _page(**{**WHOLE, "dates": ["2025-01-03", "2025-01-10"]}).run()
    assert not at.exception
    # The previous 8 days end on 2025-01-02 (day 1): cash 1000 - 1001 - 550 = -551, 15 units
    # costing 1551 marked at 110 = 1650, equity 1099, nothing realized, unrealized 99.
    # On 2025-01-10 (see the hand-worked book): 1277.8, 887.8, 390, 217.8, 60, 277.8.
    cards = {m.label: m for m in at.metric}
    then = {k: re.search(r"Then \(2025-01-02\): (\S+?)\.(\s|$)", m.proto.help)[1]
            for k, m in cards.items()}  # fmt: skip
    assert then == {
        "Equity": "$1,099.00",
        "Cash": f"{MINUS}$551.00",
        "Market value": "$1,650.00",
        "Realized P&L (FIFO)": "$0.00",
        "Unrealized P&L": "$99.00",
        "Total P&L": "$99.00",
    }
    assert {k: m.delta for k, m in cards.items()} == {
        "Equity": "+$179",  # +178.8
        "Cash": "+$1,439",  # +1438.8
        "Market value": f"{MINUS}$1,260",
        "Realized P&L (FIFO)": "+$218",  # +217.8
        "Unrealized P&L": f"{MINUS}$39",
        "Total P&L": "+$179",
    }
    assert {k: m.proto.direction for k, m in cards.items()}["Market value"] == (
        MetricProto.MetricDirection.DOWN
    )
    # the sparkline: each card's value on each day of the range (day 2 to day 9)
    assert list(cards["Equity"].proto.chart_data) == pytest.approx([1174, 1247.8] + [1277.8] * 6)
    assert list(cards["Realized P&L (FIFO)"].proto.chart_data) == pytest.approx(
        [0] + [217.8] * 7  # the sale on day 3
    )


def test_the_end_date_moves_the_as_of_and_the_status_filter_the_orders(book_env: str) -> None:
    at = _page(**{**WHOLE, "dates": ["2025-01-01", "2025-01-03"]}).run()
    # before the sale: 15 units costing 1001 + 550 = 1551 (103.4 each), marked at 115
    assert _exact(at)["Unrealized P&L"] == "$174.00"
    assert _exact(at)["Realized P&L (FIFO)"] == "$0.00"
    assert at.dataframe[0].value["Average cost"].tolist() == pytest.approx([1551 / 15])
    assert len(at.dataframe[3].value) == 2
    change(at, at.date_input[0], (D0, dt.date(2025, 1, 10)))
    assert _exact(at)["Realized P&L (FIFO)"] == "$217.80"
    change(at, at.multiselect[0], ["CANCELLED"])
    assert at.dataframe[3].value["status"].tolist() == ["CANCELLED"]
    assert at.query_params["status"] in ("CANCELLED", ["CANCELLED"])


def test_a_url_with_parameters_reopens_the_same_view(book_env: str) -> None:
    at = _page(**{**WHOLE, "dates": ["2025-01-02", "2025-01-05"], "status": ["COMPLETE"]}).run()
    assert not at.exception
    assert (at.selectbox[0].value, at.selectbox[1].value) == (T1, P1)
    assert at.selectbox[0].options[at.selectbox[0].index] == "Solo"
    assert at.date_input[0].value == (dt.date(2025, 1, 2), dt.date(2025, 1, 5))
    assert at.multiselect[0].value == ["COMPLETE"]
    assert [d.date() for d in at.dataframe[1].value["date"]] == [
        dt.date(2025, 1, d) for d in range(2, 6)
    ]
    assert at.dataframe[3].value["status"].tolist() == ["COMPLETE", "COMPLETE"]  # days 1 and 3


def test_an_analyst_of_one_tenant_sees_only_that_tenant(book_env: str) -> None:
    viewer = Viewer(None, "one@x.test", "One", frozenset({"analyst"}), (T2,))
    at = _page(viewer, **WHOLE).run()
    assert not at.exception
    assert at.selectbox[0].options == ["Other"]
    assert at.selectbox[1].value == P2
    assert _exact(at)["Equity"] == "$5.00"
    assert at.dataframe[3].value.empty


def test_a_leadership_viewer_is_refused(book_env: str) -> None:
    at = _page(LEADER).run()
    assert "does not give access" in at.error[0].value
    assert not at.dataframe


def _fifo(fills: list[tuple]) -> tuple[float, dict[str, tuple[float, float]]]:
    """A second FIFO: (realized P&L, asset -> (open quantity, open cost incl. buy fees))."""
    lots: dict[str, deque] = defaultdict(deque)
    realized = 0.0
    for asset, side, qty, price, fees in fills:
        if side == "BUY":
            lots[asset].append([qty, price + fees / qty])
            continue
        left, net = qty, price - fees / qty
        while left > 1e-9:
            lot = lots[asset][0]
            take = min(lot[0], left)
            realized += take * (net - lot[1])
            lot[0] -= take
            left -= take
            if lot[0] <= 1e-9:
                lots[asset].popleft()
    return realized, {
        a: (sum(q for q, _ in ls), sum(q * c for q, c in ls)) for a, ls in lots.items() if ls
    }


def test_the_seeded_book_matches_a_second_fifo(app_env: str) -> None:
    at = _page().run()
    assert not at.exception
    portfolio_id = at.selectbox[1].value
    fills = _sql(
        app_env,
        "SELECT asset_id, side, quantity, price, fees FROM fills WHERE portfolio_id = %s ORDER BY filled_at, id",
        portfolio_id,
    )
    realized, open_lots = _fifo(fills)
    last = dict(
        _sql(
            app_env,
            "SELECT DISTINCT ON (asset_id) asset_id, close FROM price_bars ORDER BY asset_id, date DESC",
        )
    )
    (cash,) = _sql(
        app_env,
        "SELECT p.starting_cash + coalesce(sum(CASE WHEN f.side = 'SELL' THEN f.quantity * f.price ELSE -f.quantity * f.price END - f.fees), 0) "
        "FROM portfolios p LEFT JOIN fills f ON f.portfolio_id = p.id WHERE p.id = %s GROUP BY p.starting_cash",
        portfolio_id,
    )[0]
    value = sum(q * last[a] for a, (q, _) in open_lots.items())
    unrealized = sum(q * last[a] - cost for a, (q, cost) in open_lots.items())
    metrics = _exact(at)
    money = lambda v: f"{MINUS if v < 0 else ''}${abs(v):,.2f}"  # noqa: E731
    assert metrics["Realized P&L (FIFO)"] == money(realized)
    assert metrics["Unrealized P&L"] == money(unrealized)
    assert metrics["Cash"] == money(cash)
    assert metrics["Equity"] == money(cash + value)
    holdings = at.dataframe[0].value.set_index("Asset")
    assert sorted(holdings.index) == sorted(open_lots)
    for asset, (qty, cost) in open_lots.items():
        assert holdings.loc[asset, "Quantity"] == pytest.approx(qty, rel=1e-9)
        assert holdings.loc[asset, "Average cost"] == pytest.approx(cost / qty, rel=1e-9)
        assert holdings.loc[asset, "Market value"] == pytest.approx(qty * last[asset], rel=1e-9)


def _book_on(url: str, portfolio_id: str, day: dt.date) -> dict[str, float]:
    """The cards at the end of `day`, from SQL and the second FIFO above: fills up to that
    UTC day, each open asset marked at its last close on or before it."""
    fills = _sql(
        url,
        "SELECT asset_id, side, quantity, price, fees FROM fills WHERE portfolio_id = %s "
        "AND (filled_at AT TIME ZONE 'UTC')::date <= %s ORDER BY filled_at, id",
        portfolio_id,
        day,
    )
    realized, open_lots = _fifo(fills)
    ((starting_cash,),) = _sql(
        url, "SELECT starting_cash FROM portfolios WHERE id = %s", portfolio_id
    )
    cash = float(starting_cash) + sum(
        (q * p if side == "SELL" else -q * p) - fee for _, side, q, p, fee in fills
    )
    closes = dict(
        _sql(
            url,
            "SELECT DISTINCT ON (asset_id) asset_id, close FROM price_bars WHERE date <= %s "
            "ORDER BY asset_id, date DESC",
            day,
        )
    )
    value = sum(q * closes[a] for a, (q, _) in open_lots.items())
    return {
        "Equity": cash + value,
        "Cash": cash,
        "Market value": value,
        "Realized P&L (FIFO)": realized,
        "Unrealized P&L": sum(q * closes[a] - cost for a, (q, cost) in open_lots.items()),
        "Total P&L": cash + value - float(starting_cash),
    }


def test_the_seeded_cards_compare_with_the_previous_period(app_env: str) -> None:
    at = _page(dates=["2025-03-01", "2025-08-31"]).run()  # 184 days; before: to 2025-02-28
    assert not at.exception
    portfolio_id = at.selectbox[1].value
    now = _book_on(app_env, portfolio_id, dt.date(2025, 8, 31))
    then = _book_on(app_env, portfolio_id, dt.date(2025, 2, 28))
    assert then["Realized P&L (FIFO)"] != now["Realized P&L (FIFO)"]  # sales in between
    money = lambda v: f"{MINUS if v < 0 else ''}${abs(v):,.2f}"  # noqa: E731
    for card in at.metric:
        label = card.label
        assert f"Exactly {money(now[label])}." in card.proto.help, label
        assert f"Then (2025-02-28): {money(then[label])}." in card.proto.help, label
        assert card.delta == delta_text(now[label], then[label], "usd"), label
        assert card.proto.chart_data[-1] == pytest.approx(now[label], rel=1e-9, abs=1e-6)


def test_a_long_history_is_thinned(empty_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.app.conftest import _reset_caches

    days = LONG_DAYS
    with psycopg.connect(libpq_dsn(make_url(empty_db))) as conn:
        conn.execute("INSERT INTO tenants (id, name) VALUES (%s, 'Longview')", (T1,))
        add_long_asset(conn, lambda i: (*[100 + 20 * np.sin(i / 50)] * 4, None))
        conn.execute(
            "INSERT INTO portfolios (tenant_id, id, name, starting_cash) VALUES (%s, %s, 'Long book', 100000)",
            (T1, P1),
        )
        conn.execute(
            "INSERT INTO orders (tenant_id, id, portfolio_id, asset_id, order_type, transaction_type, quantity, status, order_timestamp) VALUES (%s, 'eeeeeeee-0000-0000-0000-000000000001', %s, 'LONG', 'MARKET', 'BUY', 100, 'COMPLETE', '1990-01-01 20:00+00')",
            (T1, P1),
        )
        conn.execute(
            "INSERT INTO fills (id, tenant_id, order_id, portfolio_id, asset_id, side, quantity, price, fees, filled_at) VALUES (gen_random_uuid(), %s, 'eeeeeeee-0000-0000-0000-000000000001', %s, 'LONG', 'BUY', 100, 100, 0, '1990-01-01 20:00+00')",
            (T1, P1),
        )
    monkeypatch.setenv("DATABASE_URL", empty_db)
    _reset_caches()
    at = _page(dates=[days[0].isoformat(), days[-1].isoformat()]).run()
    assert not at.exception
    shown = at.dataframe[1].value  # the daily equity table: its latest 500 days only
    assert [d.date() for d in pd.to_datetime(shown["date"])] == days[-500:]
    assert "The latest 500 of 12,000 rows (by day); Download CSV has every row." in [
        c.value for c in at.caption
    ]
    equity = json.loads(at.get("plotly_chart")[0].proto.spec)["data"]
    sizes = [len(_values(t[k])) for t in equity for k in ("x", "y")]
    assert max(sizes) <= 5000 and min(sizes) > 1000
    assert any("thinned" in c.value for c in at.caption)
    _reset_caches()


def test_the_six_cards_sit_four_then_two_so_a_phone_shows_two_to_a_row(app_env: str) -> None:
    """The cards are laid out by ui.cards.card_row: where the book stands (equity, cash,
    market value, total P&L), then the P&L split; rows of 4 and 2 keep every value whole
    at 1400 px and fall two to a row at 390 px."""
    at = _page().run()
    assert not at.exception
    assert card_rows(at) == [
        ["Equity", "Cash", "Market value", "Total P&L"],
        ["Realized P&L (FIFO)", "Unrealized P&L"],
    ]
