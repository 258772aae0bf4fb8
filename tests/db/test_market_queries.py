"""queries.market and queries.regimes against real Postgres: hand-made rows in an empty
database, and the seeded database checked against numpy / plain SQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import numpy as np
import pandas as pd
import psycopg
import pytest
from sqlalchemy.engine import make_url

from regime_dashboard.db.engine import libpq_dsn
from regime_dashboard.queries import market, regimes
from regime_dashboard.scope import TenantScope
from tests.db.query_runner import Run, query_runner

pytestmark = pytest.mark.db

T1 = "aaaaaaaa-0000-0000-0000-000000000001"
T2 = "aaaaaaaa-0000-0000-0000-000000000002"
USER = "bbbbbbbb-0000-0000-0000-000000000001"
R1, R2 = "cccccccc-0000-0000-0000-000000000001", "cccccccc-0000-0000-0000-000000000002"
D0 = dt.date(2024, 1, 1)


def _execute(url: str, *statements: tuple[str, tuple]) -> None:
    with psycopg.connect(libpq_dsn(make_url(url))) as conn:
        for sql, params in statements:
            conn.execute(sql, params)


@pytest.fixture
def query(empty_db: str) -> Iterator[Run]:
    """Hand-made market data; returns a function running a query on it."""
    bars = [  # date, open, high, low, close, adj_close
        (D0, 100.0, 112.0, 99.0, 110.0, 55.0),
        (D0 + dt.timedelta(days=1), 110.0, 111.0, 95.0, 99.0, 49.5),
        (D0 + dt.timedelta(days=2), 99.0, 100.0, 98.0, 99.0, None),
        (D0 + dt.timedelta(days=3), 99.0, 109.0, 97.0, 108.9, 108.9),
    ]
    _execute(
        empty_db,
        (
            "INSERT INTO assets (id, name, asset_class, calendar) VALUES ('AAA', 'A', 'equity', 'calendar_365'), ('BBB', 'B', 'crypto', 'calendar_365'), ('ZZZ', 'no bars', 'fx', 'trading_252')",
            (),
        ),
        *(
            (
                "INSERT INTO price_bars (asset_id, date, open, high, low, close, adj_close, volume) VALUES ('AAA', %s, %s, %s, %s, %s, %s, 10)",
                b,
            )
            for b in bars
        ),
        (
            "INSERT INTO price_bars (asset_id, date, open, high, low, close) VALUES ('BBB', %s, 5, 5, 5, 5), ('BBB', %s, 6, 6, 6, 6)",
            (D0, D0 + dt.timedelta(days=5)),
        ),
    )
    with query_runner(empty_db) as run:
        yield run


def test_list_assets_has_each_assets_first_and_last_bar(query: Run) -> None:
    assets = query(market.list_assets).set_index("id")
    assert list(assets.index) == ["AAA", "BBB", "ZZZ"]
    assert (assets.loc["AAA", "first_date"], assets.loc["AAA", "last_date"]) == (
        D0,
        dt.date(2024, 1, 4),
    )
    assert assets.loc["BBB", "last_date"] == dt.date(2024, 1, 6)
    assert pd.isna(assets.loc["ZZZ", "first_date"])


def test_bars_bucketed_merges_candles(query: Run) -> None:
    candles = query(
        market.bars_bucketed, asset_id="AAA", start=D0, end=dt.date(2024, 1, 31), max_points=2
    )
    # buckets: bars 1-2 and bars 3-4: first open, max high, min low, last close, summed volume
    assert candles[
        ["open", "high", "low", "close", "volume", "bars_in_bucket"]
    ].values.tolist() == [
        [100.0, 112.0, 95.0, 99.0, 20.0, 2],
        [99.0, 109.0, 97.0, 108.9, 20.0, 2],
    ]
    raw = query(
        market.bars_bucketed, asset_id="AAA", start=D0, end=dt.date(2024, 1, 31), max_points=10
    )
    assert raw["close"].tolist() == [110.0, 99.0, 99.0, 108.9]
    assert (raw["bars_in_bucket"] == 1).all()


def test_adjusted_candles_scale_by_adj_close_over_close(query: Run) -> None:
    adjusted = query(
        market.bars_bucketed,
        asset_id="AAA",
        start=D0,
        end=dt.date(2024, 1, 31),
        max_points=10,
        adjusted=True,
    )
    # factors: 55/110 = 0.5, 49.5/99 = 0.5, none (adj_close missing: 1), 108.9/108.9 = 1
    assert adjusted["open"].tolist() == pytest.approx([50.0, 55.0, 99.0, 99.0])
    assert adjusted["high"].tolist() == pytest.approx([56.0, 55.5, 100.0, 109.0])
    assert adjusted["low"].tolist() == pytest.approx([49.5, 47.5, 98.0, 97.0])
    assert adjusted["close"].tolist() == pytest.approx([55.0, 49.5, 99.0, 108.9])


def test_return_histogram_by_hand(query: Run) -> None:
    window = {"asset_id": "AAA", "start": D0, "end": dt.date(2024, 1, 31)}
    hist = query(market.return_histogram, **window, adjusted=False, bins=3)
    # closes 110, 99, 99, 108.9: returns -0.1, 0, 0.1; edges -0.1, -1/30, 1/30, 0.1
    assert hist["count"].tolist() == [1, 1, 1]
    assert hist["bin_start"].tolist() == pytest.approx([-0.1, -1 / 30, 1 / 30])
    assert hist["bin_end"].tolist() == pytest.approx([-1 / 30, 1 / 30, 0.1])
    adjusted = query(market.return_histogram, **window, adjusted=True, bins=3)
    # adjusted prices 55, 49.5, 99 (no adj_close: close), 108.9: returns -0.1, 1.0, 0.1;
    # edges -0.1, 0.2667, 0.6333, 1.0: two in the first bin, the largest in the last
    assert adjusted["count"].tolist() == [2, 0, 1]
    assert adjusted["bin_end"].iloc[-1] == pytest.approx(1.0)
    assert query(
        market.return_histogram, asset_id="ZZZ", start=D0, end=D0, adjusted=False, bins=5
    ).empty


def test_closes_and_last_closes(query: Run) -> None:
    closes = query(market.closes, asset_ids=("AAA", "BBB"), start=D0, end=dt.date(2024, 1, 2))
    assert closes.values.tolist() == [
        [D0, "AAA", 110.0],
        [D0, "BBB", 5.0],
        [dt.date(2024, 1, 2), "AAA", 99.0],
    ]
    last = query(
        market.last_closes, asset_ids=("AAA", "BBB", "ZZZ"), on_or_before=dt.date(2024, 1, 5)
    )
    assert last.values.tolist() == [[dt.date(2024, 1, 4), "AAA", 108.9], [D0, "BBB", 5.0]]


# ------------------------------------------------------------------ regimes and watchlists


@pytest.fixture
def regime_query(query: Run, empty_db: str) -> Run:
    """Two tenants; T1 has two releases of AAA (R1 v1 older, R2 v2 newer) and watches AAA."""
    days = [D0 + dt.timedelta(days=i) for i in range(8)]
    v2 = ["bull", "bull", "bear", "bull", "bear", "bear", "bear", "bear"]
    _execute(
        empty_db,
        ("INSERT INTO tenants (id, name) VALUES (%s, 'One'), (%s, 'Two')", (T1, T2)),
        ("INSERT INTO users (id, email) VALUES (%s, 'u@x.test')", (USER,)),
        (
            "INSERT INTO user_asset_settings (tenant_id, user_id, asset_id, settings_json) VALUES (%s, %s, 'AAA', '{\"watchlist\": true}'), (%s, %s, 'BBB', '{\"watchlist\": false}')",
            (T1, USER, T1, USER),
        ),
        (
            "INSERT INTO engine_releases (tenant_id, id, asset_id, release_date, version) VALUES (%s, %s, 'AAA', '2024-01-05', 'v1'), (%s, %s, 'AAA', '2024-01-08', 'v2')",
            (T1, R1, T1, R2),
        ),
        *(
            (
                "INSERT INTO engine_outputs_daily (tenant_id, release_id, date, regime, confidence) VALUES (%s, %s, %s, %s, %s)",
                (T1, release, day, regime, 0.5 + i / 100),
            )
            for release, regimes_ in ((R1, ["neutral"] * 8), (R2, v2))
            for i, (day, regime) in enumerate(zip(days, regimes_, strict=True))
        ),
    )
    return query


def test_regime_series_carries_the_close(regime_query: Run) -> None:
    series = regime_query(
        regimes.regime_series, tenant_id=T1, release_id=R2, start=D0, end=dt.date(2024, 1, 5)
    )
    assert list(series.columns) == list(regimes.SERIES_COLUMNS)
    assert series["close"].tolist()[:4] == [110.0, 99.0, 99.0, 108.9]
    assert pd.isna(series["close"].iloc[4])  # no bar on 2024-01-05


def test_regime_series_is_scoped(regime_query: Run) -> None:
    other = TenantScope.only((T2,))
    assert regime_query(
        regimes.regime_series,
        scope=other,
        tenant_id=T1,
        release_id=R2,
        start=D0,
        end=dt.date(2024, 2, 1),
    ).empty
    assert regime_query(regimes.list_releases, scope=other).empty
    mine = regime_query(regimes.list_releases, scope=TenantScope.only((T1,)))
    assert mine["version"].tolist() == ["v1", "v2"]
    assert mine["release_id"].tolist() == [R1, R2]


def test_release_spans_are_each_releases_first_and_last_output_date(
    regime_query: Run, empty_db: str
) -> None:
    r3 = "cccccccc-0000-0000-0000-000000000003"
    _execute(
        empty_db,
        (
            "INSERT INTO engine_releases (tenant_id, id, asset_id, release_date, version) VALUES (%s, %s, 'AAA', '2023-12-01', 'v0')",
            (T1, r3),
        ),
    )
    spans = regime_query(regimes.release_spans, scope=TenantScope.only((T1,)), tenant_id=T1)
    by_release = spans.set_index("release_id")
    last = D0 + dt.timedelta(days=7)  # eight daily outputs each
    assert tuple(by_release.loc[R1, ["first_date", "last_date"]]) == (D0, last)
    assert tuple(by_release.loc[R2, ["first_date", "last_date"]]) == (D0, last)
    assert by_release.loc[r3, ["first_date", "last_date"]].isna().all()  # no outputs yet
    assert regime_query(regimes.release_spans, scope=TenantScope.only((T2,)), tenant_id=T1).empty


def test_watchlist_keeps_only_watched_assets(regime_query: Run) -> None:
    assert regime_query(regimes.watchlist, tenant_id=T1, user_id=USER)["asset_id"].tolist() == [
        "AAA"
    ]
    assert regime_query(
        regimes.watchlist, scope=TenantScope.only((T2,)), tenant_id=T1, user_id=USER
    ).empty


def test_watchlist_tails_hold_the_last_spell_and_window(regime_query: Run) -> None:
    # latest release R2 (v2): bull bull bear bull | bear bear bear bear — last spell 4 days.
    tails = regime_query(regimes.watchlist_tails, tenant_id=T1, user_id=USER, window=2)
    assert tails["version"].unique().tolist() == ["v2"]
    assert tails["date"].tolist() == [D0 + dt.timedelta(days=i) for i in range(4, 8)]
    wider = regime_query(regimes.watchlist_tails, tenant_id=T1, user_id=USER, window=6)
    assert wider["date"].tolist() == [D0 + dt.timedelta(days=i) for i in range(2, 8)]
    assert wider["regime"].tolist() == ["bear", "bull", "bear", "bear", "bear", "bear"]
    assert regime_query(
        regimes.watchlist_tails, scope=TenantScope.only((T2,)), tenant_id=T1, user_id=USER, window=6
    ).empty


# ------------------------------------------------------------------ the seeded database


@pytest.fixture(scope="module")
def seeded(seeded_url: str) -> Iterator[Run]:
    with query_runner(seeded_url) as run:
        yield run


def test_seeded_histogram_matches_numpy(seeded: Run) -> None:
    start, end = dt.date(2024, 1, 1), dt.date(2026, 12, 31)
    bars = seeded(market.bars, asset_id="SPY", start=start, end=end)
    for adjusted, column in ((False, "close"), (True, "adj_close")):
        prices = bars[column].to_numpy(dtype="float64")
        returns = prices[1:] / prices[:-1] - 1
        counts, edges = np.histogram(returns, bins=40)
        hist = seeded(
            market.return_histogram,
            asset_id="SPY",
            start=start,
            end=end,
            adjusted=adjusted,
            bins=40,
        )
        assert hist["count"].tolist() == counts.tolist()
        np.testing.assert_allclose(hist["bin_start"], edges[:-1], rtol=1e-12, atol=1e-15)


def test_seeded_candles_keep_every_bar(seeded: Run) -> None:
    start, end = dt.date(2023, 1, 1), dt.date(2026, 12, 31)
    bars = seeded(market.bars, asset_id="BTCUSD", start=start, end=end)
    candles = seeded(market.bars_bucketed, asset_id="BTCUSD", start=start, end=end, max_points=100)
    assert len(candles) == 100 and candles["bars_in_bucket"].sum() == len(bars)
    assert candles["high"].max() == bars["high"].max() and candles["low"].min() == bars["low"].min()
    assert candles["volume"].sum() == pytest.approx(bars["volume"].sum())
    assert candles["close"].iloc[-1] == bars["close"].iloc[-1]
