"""queries.market and queries.regimes leave out rows pandas cannot hold (dated outside
1677-09-22..2262-04-11) and count them; the candle and histogram SQL also leaves out bars
whose prices are not finite; release_labels lists a release's own labels."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest

from regime_dashboard.queries import market, regimes
from tests.db.query_runner import Run, query_runner
from tests.helpers import sql as _sql

pytestmark = pytest.mark.db

T1 = "aaaaaaaa-0000-0000-0000-000000000001"
R1 = "cccccccc-0000-0000-0000-000000000001"
D0 = dt.date(2024, 1, 1)
EARLY, LATE = dt.date(1, 1, 1), dt.date(2999, 12, 31)


@pytest.fixture
def query(empty_db: str) -> Iterator[Run]:
    """AAA: five daily bars from D0 (the fourth with a NaN close, the fifth with an infinite
    adj_close) plus one bar in year 1 and one in 2999; release R1 of AAA in T1: outputs on
    D0..D0+3 and on both odd dates."""
    _sql(
        empty_db,
        "INSERT INTO assets (id, name, asset_class, calendar) VALUES ('AAA', 'A', 'equity', 'XNYS')",
    )
    rows = [  # date, close, adj_close
        (D0, 10.0, 10.0),
        (D0 + dt.timedelta(days=1), 11.0, 11.0),
        (D0 + dt.timedelta(days=2), 13.2, 13.2),
        (D0 + dt.timedelta(days=3), "NaN", 12.0),
        (D0 + dt.timedelta(days=4), 9.9, "Infinity"),
        (EARLY, 1.0, None),
        (LATE, 1.0, None),
    ]
    for day, close, adj in rows:
        _sql(
            empty_db,
            "INSERT INTO price_bars (asset_id, date, open, high, low, close, adj_close, volume) "
            "VALUES ('AAA', %s, 10, 20, 5, %s::float8, %s::float8, 100)",
            day,
            str(close),
            None if adj is None else str(adj),
        )
    _sql(empty_db, "INSERT INTO tenants (id, name) VALUES (%s, 'T1')", T1)
    _sql(
        empty_db,
        "INSERT INTO engine_releases (tenant_id, id, asset_id, release_date, version) "
        "VALUES (%s, %s, 'AAA', '2024-02-01', 'v1')",
        T1,
        R1,
    )
    outputs = [
        (D0, "risk_on", 0.9, "strong"),
        (D0 + dt.timedelta(days=1), "risk_on", 0.6, "weak"),
        (D0 + dt.timedelta(days=2), "risk_off", 0.75, "strong"),
        (D0 + dt.timedelta(days=3), "risk_off", 0.5, None),
        (EARLY, "risk_on", 0.1, "weak"),
        (LATE, "risk_on", 0.2, "weak"),
    ]
    for day, regime, confidence, conviction in outputs:
        _sql(
            empty_db,
            "INSERT INTO engine_outputs_daily (tenant_id, release_id, date, regime, confidence, "
            "conviction) VALUES (%s, %s, %s, %s, %s, %s)",
            T1,
            R1,
            day,
            regime,
            confidence,
            conviction,
        )
    with query_runner(empty_db) as run:
        yield run


def test_assets_span_only_supported_dates_and_count_the_others(query: Run) -> None:
    asset = query(market.list_assets).set_index("id").loc["AAA"]
    assert (asset["first_date"], asset["last_date"]) == (D0, D0 + dt.timedelta(days=4))
    assert asset["skipped_bars"] == 2


def test_bars_never_return_unsupported_dates_even_when_asked(query: Run) -> None:
    bars = query(market.bars, asset_id="AAA", start=EARLY, end=LATE)
    assert list(bars["date"]) == [D0 + dt.timedelta(days=i) for i in range(5)]
    assert np.isnan(bars["close"].iloc[3])  # as stored: the page counts it
    closes = query(market.closes, asset_ids=("AAA",), start=EARLY, end=LATE)
    assert len(closes) == 5
    last = query(market.last_closes, asset_ids=("AAA",), on_or_before=LATE)
    assert list(last["date"]) == [D0 + dt.timedelta(days=4)]


def test_candles_and_histogram_leave_out_non_finite_bars(query: Run) -> None:
    candles = query(
        market.bars_bucketed, asset_id="AAA", start=EARLY, end=LATE, max_points=100, adjusted=True
    )
    assert [d.day for d in candles["date"]] == [1, 2, 3, 5]
    # the fifth bar's infinite adj_close reads as missing: raw prices
    assert candles["close"].tolist() == [10.0, 11.0, 13.2, 9.9]
    assert pd.isna(candles["adj_close"].iloc[-1])
    histogram = query(
        market.return_histogram, asset_id="AAA", start=EARLY, end=LATE, adjusted=False, bins=2
    )
    # returns of the finite closes 10, 11, 13.2, 9.9: +10 %, +20 %, -25 %; two bins of
    # width 22.5 % from -25 %: [-25 %, -2.5 %) holds one, [-2.5 %, 20 %] two
    assert histogram["count"].tolist() == [1, 2]
    assert histogram["bin_start"].tolist() == pytest.approx([-0.25, -0.025])


def test_release_spans_and_series_skip_unsupported_dates(query: Run) -> None:
    spans = query(regimes.release_spans, tenant_id=T1).set_index("release_id").loc[R1]
    assert (spans["first_date"], spans["last_date"]) == (D0, D0 + dt.timedelta(days=3))
    assert spans["skipped"] == 2
    series = query(regimes.regime_series, tenant_id=T1, release_id=R1, start=EARLY, end=LATE)
    assert len(series) == 4


def test_release_labels_are_the_release_own(query: Run) -> None:
    labels = query(regimes.release_labels, tenant_id=T1, release_id=R1)
    rows = [(f, lbl, d, lo, hi) for f, lbl, d, lo, hi in labels.itertuples(index=False, name=None)]
    assert rows[:2] == [("regime", "risk_off", 2, 0.5, 0.75), ("regime", "risk_on", 2, 0.6, 0.9)]
    conviction = {None if pd.isna(lbl) else lbl: (d, lo, hi) for f, lbl, d, lo, hi in rows[2:]}
    assert conviction == {"strong": (2, 0.75, 0.9), "weak": (1, 0.6, 0.6), None: (1, 0.5, 0.5)}
