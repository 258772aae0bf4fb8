"""queries.portfolio against real Postgres: a hand-made portfolio worked by hand, and the
seeded database's confidence bands checked against a pandas computation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import replace

import numpy as np
import pandas as pd
import psycopg
import pytest
from sqlalchemy.engine import make_url

from regime_dashboard.db.engine import libpq_dsn
from regime_dashboard.metrics.pnl import signal_outcomes
from regime_dashboard.queries import portfolio
from regime_dashboard.scope import TenantScope
from tests.db.query_runner import Run, query_runner

pytestmark = pytest.mark.db

T1, T2 = "aaaaaaaa-0000-0000-0000-000000000001", "aaaaaaaa-0000-0000-0000-000000000002"
USER = "bbbbbbbb-0000-0000-0000-000000000001"
BROKER = "bbbbbbbb-0000-0000-0000-0000000000b1"
P1 = "cccccccc-0000-0000-0000-000000000001"
S1, S2, S3 = (f"dddddddd-0000-0000-0000-00000000000{i}" for i in (1, 2, 3))
O1, O2, O3, O4 = (f"eeeeeeee-0000-0000-0000-00000000000{i}" for i in (1, 2, 3, 4))
D0 = dt.date(2025, 1, 1)
WHOLE = portfolio.Orders(T1, P1, D0, dt.date(2025, 12, 31))


def _day(i: int, hour: int = 19, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(D0 + dt.timedelta(days=i), dt.time(hour, minute), tzinfo=dt.UTC)


def _seed(conn: psycopg.Connection) -> None:
    """Bars of AAA on 12 days, close 100 + day; three signals, four orders, two fills."""
    conn.execute("INSERT INTO tenants (id, name) VALUES (%s, 'One'), (%s, 'Two')", (T1, T2))
    conn.execute(
        "INSERT INTO users (id, email, display_name) VALUES (%s, 'o@x.test', 'Owner')", (USER,)
    )
    conn.execute(
        "INSERT INTO assets (id, name, asset_class, calendar) VALUES ('AAA', 'A', 'crypto', 'calendar_365')"
    )
    for i in range(12):
        c = 100.0 + i
        conn.execute(
            "INSERT INTO price_bars (asset_id, date, open, high, low, close) VALUES ('AAA', %s, %s, %s, %s, %s)",
            (D0 + dt.timedelta(days=i), c, c, c, c),
        )
    conn.execute(
        "INSERT INTO broker_accounts (tenant_id, id, user_id, broker, api_key, access_token, refresh_token) VALUES (%s, %s, %s, 'Zerodha', 'key_secret', 'tok_secret', 'ref_secret')",
        (T1, BROKER, USER),
    )
    conn.execute(
        "INSERT INTO portfolios (tenant_id, id, user_id, broker_account_id, name, starting_cash) VALUES (%s, %s, %s, %s, 'Core', 1000)",
        (T1, P1, USER, BROKER),
    )
    for sid, kind, conf, entry, day in (
        (S1, "BUY", 0.9, 100.0, 0),
        (S2, "SELL", 0.3, 105.0, 5),
        (S3, "BUY", 1.0, 108.0, 8),
    ):
        conn.execute(
            "INSERT INTO signals (tenant_id, id, portfolio_id, asset_id, signal_type, confidence_score, entry_price, generated_at) VALUES (%s, %s, %s, 'AAA', %s, %s, %s, %s)",
            (T1, sid, P1, kind, conf, entry, _day(day)),
        )
    for oid, sid, side, qty, status, day in (
        (O1, S1, "BUY", 10, "COMPLETE", 0),
        (O2, S2, "SELL", 5, "COMPLETE", 5),
        (O3, S3, "BUY", 1, "CANCELLED", 8),
        (O4, None, "BUY", 1, "REJECTED", 2),
    ):
        conn.execute(
            "INSERT INTO orders (tenant_id, id, portfolio_id, signal_id, asset_id, order_type, transaction_type, quantity, status, order_timestamp) VALUES (%s, %s, %s, %s, 'AAA', 'MARKET', %s, %s, %s, %s)",
            (T1, oid, P1, sid, side, qty, status, _day(day, 19, 30)),
        )
    for oid, side, qty, price, fees, day in (
        (O1, "BUY", 10, 100.0, 1.0, 0),
        (O2, "SELL", 5, 105.0, 0.5, 5),
    ):
        conn.execute(
            "INSERT INTO fills (id, tenant_id, order_id, portfolio_id, asset_id, side, quantity, price, fees, filled_at) VALUES (gen_random_uuid(), %s, %s, %s, 'AAA', %s, %s, %s, %s, %s)",
            (T1, oid, P1, side, qty, price, fees, _day(day, 19, 31)),
        )


@pytest.fixture
def query(empty_db: str) -> Iterator[Run]:
    with psycopg.connect(libpq_dsn(make_url(empty_db))) as conn:
        _seed(conn)
    with query_runner(empty_db) as run:
        yield run


def _no_secrets(frame: pd.DataFrame) -> None:
    assert not any("secret" in str(v) for v in frame.to_numpy().ravel())


def test_portfolios_with_fill_counts_and_no_broker_secrets(query: Run) -> None:
    books = query(portfolio.list_portfolios)
    assert list(books.columns) == list(portfolio.PORTFOLIO_COLUMNS)
    row = books.iloc[0]
    assert (row["name"], row["tenant_name"], row["owner"], row["starting_cash"]) == (
        "Core",
        "One",
        "Owner",
        1000.0,
    )
    assert (row["fills"], row["first_fill"], row["last_fill"]) == (2, D0, dt.date(2025, 1, 6))
    _no_secrets(books)


def test_fills_until_a_date(query: Run) -> None:
    everything = query(portfolio.fills, tenant_id=T1, portfolio_id=P1, until=dt.date(2025, 12, 31))
    assert everything[["side", "quantity", "price", "fees"]].values.tolist() == [
        ["BUY", 10.0, 100.0, 1.0],
        ["SELL", 5.0, 105.0, 0.5],
    ]
    assert (
        len(query(portfolio.fills, tenant_id=T1, portfolio_id=P1, until=dt.date(2025, 1, 5))) == 1
    )


def test_orders_carry_their_signal_and_its_exit(query: Run) -> None:
    orders = query(portfolio.orders_with_signals, orders=WHOLE)
    assert list(orders.columns) == list(portfolio.ORDER_COLUMNS)
    by_id = orders.set_index(orders["order_id"].astype(str))
    assert list(by_id.index) == [O3, O2, O4, O1]  # newest first
    # S1 on day 0: the 5th bar after it is day 5, close 105
    assert (by_id.loc[O1, "exit_date"], by_id.loc[O1, "exit_price"]) == (dt.date(2025, 1, 6), 105.0)
    assert by_id.loc[O1, "confidence_score"] == 0.9 and by_id.loc[O1, "signal_type"] == "BUY"
    # S2 on day 5: day 10, close 110; S3 on day 8 has only 3 bars after it: no exit yet
    assert by_id.loc[O2, "exit_price"] == 110.0
    assert pd.isna(by_id.loc[O3, "exit_price"]) and pd.isna(by_id.loc[O3, "exit_date"])
    assert pd.isna(by_id.loc[O4, "signal_id"]) and pd.isna(by_id.loc[O4, "confidence_score"])
    _no_secrets(orders)


def test_order_filters(query: Run) -> None:
    def ids(**filters: object) -> list[str]:
        orders = query(portfolio.orders_with_signals, orders=replace(WHOLE, **filters))
        return [str(o) for o in orders["order_id"]]

    assert ids(statuses=("COMPLETE",)) == [O2, O1]
    assert ids(start=dt.date(2025, 1, 4), end=dt.date(2025, 1, 9)) == [O3, O2]
    assert ids(horizon=1) == [O3, O2, O4, O1]
    one_bar = query(portfolio.orders_with_signals, orders=replace(WHOLE, horizon=1))
    one_bar = one_bar.set_index("signal_type")
    assert one_bar.loc["SELL", "exit_price"] == 106.0  # day 6


def test_confidence_bands_by_hand(query: Run) -> None:
    bands = query(portfolio.confidence_bands, orders=WHOLE, bands=5)
    # band 0.2-0.4: S2 SELL 105 -> 110: 105 / 110 - 1 (a loss)
    # band 0.8-1.0: S1 BUY 100 -> 105 (+5 %), S3 (confidence 1.0) not scored yet
    assert bands[["band_low", "band_high", "signals", "scored", "wins"]].values.tolist() == [
        [0.2, 0.4, 1, 1, 0],
        [0.8, 1.0, 2, 1, 1],
    ]
    assert bands["hit_rate"].tolist() == [0.0, 1.0]
    assert bands["mean_outcome"].tolist() == pytest.approx([105 / 110 - 1, 0.05])


def test_everything_is_scoped(query: Run) -> None:
    two = TenantScope.only((T2,))
    assert query(portfolio.list_portfolios, scope=two).empty
    assert query(
        portfolio.fills, scope=two, tenant_id=T1, portfolio_id=P1, until=dt.date(2030, 1, 1)
    ).empty
    assert query(portfolio.orders_with_signals, scope=two, orders=WHOLE).empty
    assert query(portfolio.confidence_bands, scope=two, orders=WHOLE).empty


def test_seeded_bands_match_pandas(seeded_url: str) -> None:
    with query_runner(seeded_url) as run:
        book = run(portfolio.list_portfolios).iloc[0]
        window = portfolio.Orders(
            str(book["tenant_id"]),
            str(book["portfolio_id"]),
            D0.replace(year=2020),
            dt.date(2026, 12, 31),
        )
        orders = signal_outcomes(
            run(portfolio.orders_with_signals, orders=window).dropna(subset=["signal_id"])
        )
        bands = run(portfolio.confidence_bands, orders=window, bands=4)
    band = np.minimum(np.floor(orders["confidence_score"] * 4), 3)
    grouped = orders.groupby(band)
    assert bands["signals"].tolist() == grouped.size().tolist()
    assert bands["scored"].tolist() == grouped["outcome_return"].count().tolist()
    assert bands["wins"].tolist() == grouped["win"].sum().astype(int).tolist()
    np.testing.assert_allclose(bands["mean_outcome"], grouped["outcome_return"].mean(), rtol=1e-12)
    assert bands["band_low"].tolist() == (grouped.size().index / 4).tolist()
