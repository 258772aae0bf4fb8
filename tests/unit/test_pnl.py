"""Hand-worked and property-based tests for regime_dashboard.metrics.pnl (FIFO)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regime_dashboard.metrics.pnl import (
    DAILY_EQUITY_COLUMNS,
    HOLDING_COLUMNS,
    OPEN_LOT_COLUMNS,
    REALIZED_COLUMNS,
    daily_equity,
    fifo_book,
    fifo_realized,
    holdings,
    open_lots,
    signal_outcomes,
)

Fill = tuple[str, str, str, float, float, float]  # filled_at, asset_id, side, qty, price, fees


def make_fills(rows: list[Fill]) -> pd.DataFrame:
    frame = pd.DataFrame(
        rows, columns=["filled_at", "asset_id", "side", "quantity", "price", "fees"]
    )
    return frame.assign(filled_at=pd.to_datetime(frame["filled_at"]))


@pytest.fixture
def brief_fills() -> pd.DataFrame:
    # buy 10 @ 100, buy 10 @ 110, sell 15 @ 120 — no fees.
    return make_fills(
        [
            ("2024-01-01 10:00", "AAA", "BUY", 10, 100, 0),
            ("2024-01-02 10:00", "AAA", "BUY", 10, 110, 0),
            ("2024-01-03 10:00", "AAA", "SELL", 15, 120, 0),
        ]
    )


@pytest.fixture
def fee_fills() -> pd.DataFrame:
    # Same trades with fees: buy fees 10 and 5, sell fee 15.
    return make_fills(
        [
            ("2024-01-01 10:00", "AAA", "BUY", 10, 100, 10),
            ("2024-01-02 10:00", "AAA", "BUY", 10, 110, 5),
            ("2024-01-03 10:00", "AAA", "SELL", 15, 120, 15),
        ]
    )


# --------------------------------------------------------------------------- fifo_realized


def test_fifo_realized_brief_example(brief_fills: pd.DataFrame) -> None:
    # The sell of 15 takes the whole first lot, then 5 of the second (FIFO):
    #   10 x (120 - 100) = 200
    #    5 x (120 - 110) =  50      total realized 250
    realized = fifo_realized(brief_fills)
    assert list(realized.columns) == list(REALIZED_COLUMNS)
    assert realized["quantity"].tolist() == [10, 5]
    assert realized["buy_price"].tolist() == [100, 110]
    assert realized["sell_price"].tolist() == [120, 120]
    assert realized["realized_pnl"].tolist() == pytest.approx([200, 50])
    assert (realized["sell_at"] == pd.Timestamp("2024-01-03 10:00")).all()
    assert (realized["asset_id"] == "AAA").all()
    # 5 units of the second lot remain, at 110.
    lots = open_lots(brief_fills)
    assert lots.to_dict("records") == [{"asset_id": "AAA", "quantity": 5.0, "avg_cost": 110.0}]


def test_fifo_realized_with_fees(fee_fills: pd.DataFrame) -> None:
    # Unit cost lot 1: 100 + 10/10 = 101.   Unit cost lot 2: 110 + 5/10 = 110.5.
    # Sell net unit price: 120 - 15/15 = 119.
    #   10 x (119 - 101)   = 180
    #    5 x (119 - 110.5) =  42.5      total 222.5
    # buy_price/sell_price stay the raw fill prices.
    realized = fifo_realized(fee_fills)
    assert realized["realized_pnl"].tolist() == pytest.approx([180.0, 42.5])
    assert realized["buy_price"].tolist() == [100, 110]
    assert realized["sell_price"].tolist() == [120, 120]
    lots = open_lots(fee_fills)
    assert lots["quantity"].tolist() == [5.0]
    assert lots["avg_cost"].tolist() == pytest.approx([110.5])


def test_holdings_with_fees_and_identity(fee_fills: pd.DataFrame) -> None:
    # Open 5 @ 110.5, last price 130: market value 5 x 130 = 650,
    # unrealized 5 x (130 - 110.5) = 97.5.
    # Identity: sell proceeds 15 x 120 = 1800, market value 650,
    # buy cost 1000 + 1100 = 2100, fees 10 + 5 + 15 = 30:
    #   1800 + 650 - 2100 - 30 = 320 = 222.5 realized + 97.5 unrealized.
    held = holdings(fee_fills, {"AAA": 130.0, "UNUSED": 1.0})
    assert list(held.columns) == list(HOLDING_COLUMNS)
    row = held.iloc[0]
    assert (row["quantity"], row["last_price"]) == (5.0, 130.0)
    assert row["market_value"] == pytest.approx(650.0)
    assert row["unrealized_pnl"] == pytest.approx(97.5)
    total = fifo_realized(fee_fills)["realized_pnl"].sum() + held["unrealized_pnl"].sum()
    assert total == pytest.approx(1800 + 650 - 2100 - 30)


def test_open_lots_avg_cost_is_weighted_by_remaining_quantity() -> None:
    # buy 10 @ 100, buy 10 @ 200, sell 5 @ 150 -> sells 5 of the first lot:
    # realized 5 x (150 - 100) = 250; remaining 5 @ 100 and 10 @ 200:
    # avg cost (5 x 100 + 10 x 200) / 15 = 2500 / 15 = 166.67.
    # A second asset, fully closed, does not appear.
    fills = make_fills(
        [
            ("2024-01-01", "AAA", "BUY", 10, 100, 0),
            ("2024-01-02", "AAA", "BUY", 10, 200, 0),
            ("2024-01-03", "AAA", "SELL", 5, 150, 0),
            ("2024-01-01", "BBB", "BUY", 3, 10, 0),
            ("2024-01-04", "BBB", "SELL", 3, 12, 0),
        ]
    )
    realized = fifo_realized(fills)
    # Time order: AAA sell on 01-03, BBB sell (3 x (12 - 10) = 6) on 01-04.
    assert realized["asset_id"].tolist() == ["AAA", "BBB"]
    assert realized["realized_pnl"].tolist() == pytest.approx([250.0, 6.0])
    lots = open_lots(fills)
    assert lots["asset_id"].tolist() == ["AAA"]
    assert lots["quantity"].tolist() == [15.0]
    assert lots["avg_cost"].tolist() == pytest.approx([2500 / 15])


def test_fills_are_replayed_in_time_order() -> None:
    # Rows given newest first; sorted by filled_at the sell comes after both buys.
    fills = make_fills(
        [
            ("2024-01-03", "AAA", "SELL", 15, 120, 0),
            ("2024-01-02", "AAA", "BUY", 10, 110, 0),
            ("2024-01-01", "AAA", "BUY", 10, 100, 0),
        ]
    )
    assert fifo_realized(fills)["realized_pnl"].tolist() == pytest.approx([200, 50])


def test_same_timestamp_keeps_input_order() -> None:
    buy = ("2024-01-01 10:00", "AAA", "BUY", 1.0, 10.0, 0.0)
    sell = ("2024-01-01 10:00", "AAA", "SELL", 1.0, 11.0, 0.0)
    assert fifo_realized(make_fills([buy, sell]))["realized_pnl"].tolist() == [1.0]
    with pytest.raises(ValueError, match="exceeds the open quantity"):
        fifo_realized(make_fills([sell, buy]))


def test_oversell_raises_naming_asset_and_time() -> None:
    # Open 10, sell 11 -> not allowed (long only).
    fills = make_fills(
        [
            ("2024-01-01 09:30", "AAA", "BUY", 10, 100, 0),
            ("2024-01-02 10:00", "AAA", "SELL", 11, 100, 0),
        ]
    )
    with pytest.raises(ValueError, match=r"SELL of 11 'AAA' at 2024-01-02 10:00:00 exceeds"):
        fifo_realized(fills)
    with pytest.raises(ValueError, match="'AAA'"):
        open_lots(fills)


def test_sell_without_position_raises() -> None:
    fills = make_fills([("2024-01-01", "ZZZ", "SELL", 1, 5, 0)])
    with pytest.raises(ValueError, match=r"'ZZZ' at 2024-01-01.*open quantity 0"):
        fifo_realized(fills)


def test_float_residues_count_as_closed() -> None:
    # 0.3 - 0.1 leaves 0.19999999999999998 < 0.2 in floating point: the second sell
    # must still close the lot instead of raising.  Realized 0.1 x 1 + 0.2 x 1 = 0.3.
    fills = make_fills(
        [
            ("2024-01-01", "BTC", "BUY", 0.3, 100, 0),
            ("2024-01-02", "BTC", "SELL", 0.1, 101, 0),
            ("2024-01-03", "BTC", "SELL", 0.2, 101, 0),
        ]
    )
    assert fifo_realized(fills)["realized_pnl"].sum() == pytest.approx(0.3)
    assert open_lots(fills).empty


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("side", "HOLD", "side must be"),
        ("quantity", 0.0, "quantity must be > 0"),
        ("price", -1.0, "price must be > 0"),
        ("fees", -0.5, "fees must be >= 0"),
        ("fees", np.nan, "fees must be >= 0"),
    ],
)
def test_invalid_fills_raise(column: str, value: object, message: str) -> None:
    fills = make_fills([("2024-01-01", "AAA", "BUY", 1, 10, 0)])
    fills[column] = fills[column].astype(object)
    fills.loc[0, column] = value
    with pytest.raises(ValueError, match=message):
        fifo_realized(fills)


def test_side_is_case_insensitive() -> None:
    fills = make_fills(
        [("2024-01-01", "AAA", "buy", 2, 10, 0), ("2024-01-02", "AAA", " Sell ", 2, 12, 0)]
    )
    assert fifo_realized(fills)["realized_pnl"].tolist() == [4.0]


def test_missing_fill_column_raises() -> None:
    fills = make_fills([("2024-01-01", "AAA", "BUY", 1, 10, 0)]).drop(columns="fees")
    with pytest.raises(ValueError, match=r"missing column.*fees"):
        open_lots(fills)


def test_holdings_missing_price_raises(brief_fills: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match=r"no last price for open asset.*AAA"):
        holdings(brief_fills, {"BBB": 1.0})


# --------------------------------------------------------------------------- daily_equity


@pytest.fixture
def mixed_fills() -> pd.DataFrame:
    # Fri 01-05: buy 10 BTC @ 95 (fee 5) and 20 SPY @ 50.  Sun 01-07: sell 4 BTC @ 118 (fee 2).
    return make_fills(
        [
            ("2024-01-05 10:00", "BTC", "BUY", 10, 95, 5),
            ("2024-01-05 15:00", "SPY", "BUY", 20, 50, 0),
            ("2024-01-07 12:00", "BTC", "SELL", 4, 118, 2),
        ]
    )


@pytest.fixture
def mixed_closes() -> pd.DataFrame:
    # BTC trades every day; SPY has no weekend bars (Sat 01-06, Sun 01-07).
    return pd.DataFrame(
        {
            "date": pd.to_datetime(
                ["2024-01-05", "2024-01-06", "2024-01-07", "2024-01-08", "2024-01-05", "2024-01-08"]
            ),
            "asset_id": ["BTC", "BTC", "BTC", "BTC", "SPY", "SPY"],
            "close": [100.0, 110.0, 120.0, 100.0, 50.0, 55.0],
        }
    )


def test_daily_equity_hand_worked(mixed_fills: pd.DataFrame, mixed_closes: pd.DataFrame) -> None:
    # Start 10 000.
    # 01-05: cash 10000 - (950 + 5) - 1000 = 8045; MV 10x100 + 20x50 = 2000; equity 10045;
    #        open basis 955 + 1000 = 1955 -> unrealized 45; daily 45.
    # 01-06: MV 10x110 + 20x50 (SPY carried) = 2100; equity 10145; unrealized 145; daily 100.
    # 01-07: sell 4 BTC: net 4x118 - 2 = 470 -> cash 8515; BTC unit cost 955/10 = 95.5,
    #        realized 4 x (117.5 - 95.5) = 88; MV 6x120 + 20x50 = 1720; equity 10235;
    #        open basis 1955 - 4x95.5 = 1573 -> unrealized 147; daily 90.
    # 01-08: MV 6x100 + 20x55 = 1700; equity 10215; unrealized 127; daily -20.
    curve = daily_equity(mixed_fills, mixed_closes, 10_000)
    assert list(curve.columns) == list(DAILY_EQUITY_COLUMNS)
    assert curve["date"].tolist() == list(pd.date_range("2024-01-05", "2024-01-08"))
    expected = {
        "cash": [8045, 8045, 8515, 8515],
        "market_value": [2000, 2100, 1720, 1700],
        "equity": [10045, 10145, 10235, 10215],
        "realized_pnl_cum": [0, 0, 88, 88],
        "unrealized_pnl": [45, 145, 147, 127],
        "daily_pnl": [45, 100, 90, -20],
    }
    for column, values in expected.items():
        assert curve[column].tolist() == pytest.approx(values), column
    identity = curve["realized_pnl_cum"] + curve["unrealized_pnl"]
    assert (curve["equity"] - 10_000).tolist() == pytest.approx(identity.tolist())


def test_fifo_book_is_the_three_views_from_one_replay(
    mixed_fills: pd.DataFrame, mixed_closes: pd.DataFrame
) -> None:
    # Same book as above, marked to last prices BTC 100, SPY 55 (the 01-08 closes):
    # open 6 BTC at unit cost 95.5 and 20 SPY at 50 -> unrealized 6x4.5 + 20x5 = 127;
    # one realized match: 4 BTC 95 -> 118, P&L 88.
    held, realized, curve = fifo_book(mixed_fills, mixed_closes, {"BTC": 100, "SPY": 55}, 10_000)
    assert held["asset_id"].tolist() == ["BTC", "SPY"]
    assert held["quantity"].tolist() == pytest.approx([6, 20])
    assert held["unrealized_pnl"].tolist() == pytest.approx([27, 100])
    assert list(realized.columns) == list(REALIZED_COLUMNS)
    assert realized[["quantity", "buy_price", "sell_price", "realized_pnl"]].values.tolist() == [
        pytest.approx([4, 95, 118, 88])
    ]
    assert curve["equity"].tolist() == pytest.approx([10045, 10145, 10235, 10215])
    pd.testing.assert_frame_equal(held, holdings(mixed_fills, {"BTC": 100, "SPY": 55}))
    pd.testing.assert_frame_equal(realized, fifo_realized(mixed_fills))
    pd.testing.assert_frame_equal(curve, daily_equity(mixed_fills, mixed_closes, 10_000))


def test_daily_equity_fill_day_without_any_bar() -> None:
    # Closes only on 01-05 (100) and 01-07 (120); buy 1 @ 105 (fee 1) on 01-06.
    # 01-05: cash 1000, MV 0, equity 1000.
    # 01-06: cash 1000 - 106 = 894; MV 1 x 100 (carried from 01-05); equity 994;
    #        unrealized 100 - 106 = -6; daily -6.
    # 01-07: MV 120; equity 1014; unrealized 14; daily 20.
    fills = make_fills([("2024-01-06 12:00", "BTC", "BUY", 1, 105, 1)])
    closes = pd.DataFrame(
        {"date": ["2024-01-05", "2024-01-07"], "asset_id": ["BTC", "BTC"], "close": [100.0, 120.0]}
    )
    curve = daily_equity(fills, closes, 1000.0)
    assert curve["date"].dt.day.tolist() == [5, 6, 7]
    assert curve["cash"].tolist() == pytest.approx([1000, 894, 894])
    assert curve["equity"].tolist() == pytest.approx([1000, 994, 1014])
    assert curve["unrealized_pnl"].tolist() == pytest.approx([0, -6, 14])
    assert curve["daily_pnl"].tolist() == pytest.approx([0, -6, 20])


def test_daily_equity_tz_aware_fills_bucket_by_utc_date() -> None:
    # 2024-01-05 23:30 New York (UTC-5) is 2024-01-06 04:30 UTC -> applies on 01-06.
    fills = make_fills([("2024-01-05 23:30", "BTC", "BUY", 1, 100, 0)])
    fills["filled_at"] = fills["filled_at"].dt.tz_localize("America/New_York")
    closes = pd.DataFrame(
        {"date": ["2024-01-05", "2024-01-06"], "asset_id": ["BTC", "BTC"], "close": [90.0, 110.0]}
    )
    curve = daily_equity(fills, closes, 100.0)
    assert curve["cash"].tolist() == pytest.approx([100, 0])
    assert curve["equity"].tolist() == pytest.approx([100, 110])


def test_daily_equity_raises_when_held_asset_has_no_close(
    mixed_fills: pd.DataFrame, mixed_closes: pd.DataFrame
) -> None:
    btc_only = mixed_closes[mixed_closes["asset_id"] == "BTC"]
    with pytest.raises(ValueError, match="no close for open asset 'SPY' on or before 2024-01-05"):
        daily_equity(mixed_fills, btc_only, 10_000)


def test_daily_equity_without_fills_is_flat(mixed_closes: pd.DataFrame) -> None:
    no_fills = make_fills([]).iloc[:0]
    curve = daily_equity(no_fills, mixed_closes, 500.0)
    assert len(curve) == 4
    assert curve["equity"].tolist() == [500.0] * 4
    assert curve["daily_pnl"].tolist() == [0.0] * 4
    assert curve["market_value"].tolist() == [0.0] * 4


# --------------------------------------------------------------------------- signal_outcomes


def test_signal_outcomes_hand_worked() -> None:
    # BUY  100 -> 110: 110/100 - 1 = +0.10 win
    # SELL 100 ->  80: 100/80  - 1 = +0.25 win
    # SELL 100 -> 125: 100/125 - 1 = -0.20 loss
    # BUY  100 -> 100: 0.0, not a win
    # BUY  100 -> (open): NaN, win <NA>
    orders = pd.DataFrame(
        {
            "signal_id": ["s1", "s2", "s3", "s4", "s5"],
            "confidence": [0.9, 0.8, 0.7, 0.6, 0.5],
            "side": ["BUY", "SELL", "sell", "BUY", "BUY"],
            "entry_price": [100.0, 100.0, 100.0, 100.0, 100.0],
            "exit_price": [110.0, 80.0, 125.0, 100.0, np.nan],
        }
    )
    out = signal_outcomes(orders)
    assert list(out.columns) == [*orders.columns, "outcome_return", "win"]
    assert out["outcome_return"].iloc[:4].tolist() == pytest.approx([0.10, 0.25, -0.20, 0.0])
    assert np.isnan(out["outcome_return"].iloc[4])
    assert out["win"].dtype == "boolean"
    assert out["win"].iloc[:4].tolist() == [True, True, False, False]
    assert out["win"].iloc[4] is pd.NA
    assert out["win"].mean() == pytest.approx(0.5)  # hit rate of the 4 closed orders
    assert "outcome_return" not in orders.columns  # input untouched


def test_signal_outcomes_validation() -> None:
    bad_side = pd.DataFrame({"side": ["HOLD"], "entry_price": [1.0], "exit_price": [1.0]})
    with pytest.raises(ValueError, match="'HOLD'"):
        signal_outcomes(bad_side)
    bad_price = pd.DataFrame({"side": ["BUY"], "entry_price": [0.0], "exit_price": [1.0]})
    with pytest.raises(ValueError, match="entry_price must be > 0"):
        signal_outcomes(bad_price)
    with pytest.raises(ValueError, match="missing column"):
        signal_outcomes(pd.DataFrame({"side": ["BUY"]}))


# --------------------------------------------------------------------------- empty inputs


@pytest.mark.parametrize("empty", [pd.DataFrame(), make_fills([])])
def test_empty_fills(empty: pd.DataFrame) -> None:
    for frame, columns in [
        (fifo_realized(empty), REALIZED_COLUMNS),
        (open_lots(empty), OPEN_LOT_COLUMNS),
        (holdings(empty, {}), HOLDING_COLUMNS),
        (daily_equity(empty, pd.DataFrame(), 1000.0), DAILY_EQUITY_COLUMNS),
    ]:
        assert frame.empty
        assert list(frame.columns) == list(columns)
        assert frame.dtypes.astype(str).tolist() == list(columns.values())


def test_empty_orders() -> None:
    orders = pd.DataFrame(
        {"signal_id": [], "confidence": [], "side": [], "entry_price": [], "exit_price": []}
    )
    out = signal_outcomes(orders)
    assert out.empty
    assert list(out.columns) == [*orders.columns, "outcome_return", "win"]
    assert list(signal_outcomes(pd.DataFrame()).columns) == ["outcome_return", "win"]


# --------------------------------------------------------------------------- properties

ASSETS = ("AAA", "BBB", "CCC")
step = st.tuples(
    st.sampled_from(ASSETS),
    st.booleans(),  # True: try to sell
    st.floats(0.001, 1_000.0),  # buy quantity
    st.floats(0.01, 1.0),  # sell fraction of the open quantity
    st.floats(0.01, 10_000.0),  # price
    st.floats(0.0, 50.0),  # fees
)


def build_fills(steps: list[tuple[str, bool, float, float, float, float]]) -> pd.DataFrame:
    """Turn random steps into a valid long-only fill sequence (sells never exceed open qty)."""
    open_qty = dict.fromkeys(ASSETS, 0.0)
    rows: list[Fill] = []
    start = pd.Timestamp("2024-01-01")
    for i, (asset, sell, buy_qty, fraction, price, fees) in enumerate(steps):
        when = str(start + pd.Timedelta(hours=7 * i))
        if sell and open_qty[asset] > 0:
            quantity = open_qty[asset] if fraction > 0.9 else open_qty[asset] * fraction
            open_qty[asset] -= quantity
            rows.append((when, asset, "SELL", quantity, price, fees))
        else:
            open_qty[asset] += buy_qty
            rows.append((when, asset, "BUY", buy_qty, price, fees))
    return make_fills(rows)


@settings(max_examples=200, deadline=None, database=None)
@given(
    steps=st.lists(step, max_size=40),
    prices=st.fixed_dictionaries({asset: st.floats(0.01, 10_000.0) for asset in ASSETS}),
)
def test_fifo_pnl_identity(
    steps: list[tuple[str, bool, float, float, float, float]], prices: dict[str, float]
) -> None:
    # realized + unrealized == sell proceeds + market value - buy cost - all fees
    fills = build_fills(steps)
    gross = fills["quantity"] * fills["price"]
    is_sell = fills["side"] == "SELL"
    held = holdings(fills, prices)
    terms = [
        gross[is_sell].sum(),
        held["market_value"].sum(),
        -gross[~is_sell].sum(),
        -fills["fees"].sum(),
    ]
    pnl = fifo_realized(fills)["realized_pnl"].sum() + held["unrealized_pnl"].sum()
    scale = sum(abs(term) for term in terms) + 1.0
    assert pnl == pytest.approx(sum(terms), rel=0, abs=1e-9 * scale)
    # Quantities are conserved: open = bought - sold, per asset (0 when not held).
    signed = fills["quantity"].where(~is_sell, -fills["quantity"])
    net = signed.groupby(fills["asset_id"]).sum().reindex(list(ASSETS), fill_value=0.0)
    open_qty = held.set_index("asset_id")["quantity"].reindex(list(ASSETS), fill_value=0.0)
    assert (held["quantity"] > 0).all()
    assert open_qty.tolist() == pytest.approx(
        net.tolist(), rel=0, abs=1e-9 * (1 + fills["quantity"].sum())
    )


@settings(max_examples=50, deadline=None, database=None)
@given(steps=st.lists(step, min_size=1, max_size=25))
def test_daily_equity_identity(steps: list[tuple[str, bool, float, float, float, float]]) -> None:
    # Every day: equity - starting cash == realized (cumulative) + unrealized.
    fills = build_fills(steps)
    days = pd.date_range("2024-01-01", periods=10)
    closes = pd.DataFrame(
        [
            (day, asset, 50.0 + 10 * i + j)
            for i, day in enumerate(days)
            for j, asset in enumerate(ASSETS)
        ],
        columns=["date", "asset_id", "close"],
    )
    curve = daily_equity(fills, closes, 1_000.0)
    lhs = curve["equity"] - 1_000.0
    rhs = curve["realized_pnl_cum"] + curve["unrealized_pnl"]
    scale = 1.0 + (fills["quantity"] * fills["price"]).sum()
    assert lhs.tolist() == pytest.approx(rhs.tolist(), rel=0, abs=1e-9 * scale)
