"""Hand-worked cases for regime_dashboard.metrics.data_quality."""

from __future__ import annotations

import datetime as dt
import warnings

import pandas as pd
import pytest
from pandas.errors import Pandas4Warning

from regime_dashboard.metrics import data_quality as dq

D = dt.date


def _bars(closes: list[float], opens: list[float] | None = None, start: str = "2024-01-01"):  # type: ignore[no-untyped-def]
    days = pd.date_range(start, periods=len(closes), freq="D").date
    opens = opens or closes
    return pd.DataFrame(
        {
            "date": days,
            "open": opens,
            "high": [max(o, c) + 1 for o, c in zip(opens, closes, strict=True)],
            "low": [min(o, c) - 0.5 for o, c in zip(opens, closes, strict=True)],
            "close": closes,
            "adj_close": closes,
        }
    )


def test_missing_sessions_of_the_trading_calendar() -> None:
    # Week of 2024-07-01: Mon 1, Tue 2, Wed 3, Thu 4 (Independence Day, no session), Fri 5.
    dates = pd.Series([D(2024, 7, 1), D(2024, 7, 3), D(2024, 7, 5)])
    missing = dq.missing_sessions(dates, "XNYS", D(2024, 7, 1), D(2024, 7, 7))
    assert list(missing["date"]) == [pd.Timestamp("2024-07-02")]
    assert list(missing["weekday"]) == ["Tuesday"]


def test_missing_sessions_of_the_24_7_calendar_include_weekends() -> None:
    dates = pd.Series([D(2024, 7, 5), D(2024, 7, 8)])  # Friday, Monday
    for calendar in ("24/7", "calendar_365"):  # the name from before migration 0008 too
        missing = dq.missing_sessions(dates, calendar, D(2024, 7, 5), D(2024, 7, 8))
        assert list(missing["weekday"]) == ["Saturday", "Sunday"]


def test_missing_sessions_of_the_24_5_calendar_include_holidays() -> None:
    # Thu 2024-07-04 is a weekday, so FX has a session on it; the weekend has none.
    dates = pd.Series([D(2024, 7, 3), D(2024, 7, 5), D(2024, 7, 8)])
    missing = dq.missing_sessions(dates, "24/5", D(2024, 7, 3), D(2024, 7, 8))
    assert list(missing["date"]) == [pd.Timestamp("2024-07-04")]


def _spx_dates() -> pd.Series:
    """The session dates of an S&P 500 file 1999-2018 as a vendor delivers it: every NYSE
    session, so no bar on the exchange's closures (regular holidays, 2001-09-11..14,
    2004-06-11, 2007-01-02, 2012-10-29..30, 2018-12-05)."""
    import exchange_calendars as xc

    with warnings.catch_warnings():  # exchange-calendars' own pandas 3.1 deprecation
        warnings.simplefilter("ignore", Pandas4Warning)
        nyse = xc.get_calendar("XNYS", start="1999-01-01", end="2018-12-31")
    return pd.Series(nyse.sessions_in_range("1999-01-04", "2018-12-31").date)


def test_twenty_years_of_sp500_sessions_have_no_false_missing_sessions() -> None:
    dates = _spx_dates()
    closures = pd.to_datetime(
        [
            *("2001-09-11", "2001-09-12", "2001-09-13", "2001-09-14"),  # September 11
            *("2004-06-11", "2007-01-02", "2018-12-05"),  # national days of mourning
            *("2012-10-29", "2012-10-30"),  # Hurricane Sandy
        ]
    )
    assert not pd.DatetimeIndex(pd.to_datetime(dates)).isin(closures).any()
    assert len(dates) == 5031  # 20 years of NYSE sessions
    missing = dq.missing_sessions(dates, "XNYS", D(1999, 1, 1), D(2018, 12, 31))
    assert missing.empty and list(missing.columns) == ["date", "weekday"]


def test_a_real_gap_in_twenty_years_is_still_found() -> None:
    dates = _spx_dates()
    dates = dates[dates != D(2012, 10, 31)]  # the day trading resumed after Sandy
    missing = dq.missing_sessions(dates, "XNYS", D(1999, 1, 1), D(2018, 12, 31))
    assert list(missing["date"]) == [pd.Timestamp("2012-10-31")]
    assert list(missing["weekday"]) == ["Wednesday"]


def test_no_missing_sessions_gives_the_empty_frame() -> None:
    dates = pd.Series(pd.date_range("2024-07-08", "2024-07-12"))  # Mon..Fri, datetime64
    missing = dq.missing_sessions(dates, "XNYS", D(2024, 7, 8), D(2024, 7, 12))
    assert missing.empty and list(missing.columns) == ["date", "weekday"]


def test_non_positive_prices_name_the_field() -> None:
    bars = _bars([10.0, 0.0, 12.0], opens=[10.0, 5.0, 12.0])
    bars = bars.assign(adj_close=[10.0, float("nan"), -1.0])
    bars.loc[2, "low"] = -0.5
    found = dq.non_positive_prices(bars)
    # Row 1: open 5, close 0, so low = min(5, 0) - 0.5 = -0.5; its missing adj_close is fine.
    # Row 2: low -0.5 and adj_close -1.
    assert list(zip(found["date"].dt.day, found["field"], found["value"], strict=True)) == [
        (2, "low", -0.5),
        (2, "close", 0.0),
        (3, "low", -0.5),
        (3, "adj_close", -1.0),
    ]


def test_high_below_low() -> None:
    bars = _bars([10.0, 11.0, 12.0])
    bars.loc[1, ["high", "low"]] = [10.5, 11.5]
    found = dq.high_below_low(bars)
    assert list(found["date"]) == [pd.Timestamp("2024-01-02")]
    assert (found["high"].iloc[0], found["low"].iloc[0]) == (10.5, 11.5)
    assert dq.high_below_low(_bars([1.0, 2.0])).empty


def test_stale_runs_of_identical_closes() -> None:
    # closes 1, 2, 2, 2, 3, 3, 4, 4, 4, 4: runs of 3 (close 2) and 4 (close 4) reach 3.
    closes = [1.0, 2, 2, 2, 3, 3, 4, 4, 4, 4]
    runs = dq.stale_runs(_bars(closes), min_run=3)
    assert list(runs["bars"]) == [3, 4]
    assert list(runs["close"]) == [2.0, 4.0]
    assert list(runs["start"].dt.day) == [2, 7] and list(runs["end"].dt.day) == [4, 10]
    assert list(dq.stale_runs(_bars(closes), min_run=2)["bars"]) == [3, 2, 4]
    assert dq.stale_runs(_bars(closes), min_run=5).empty
    with pytest.raises(ValueError, match="at least 2"):
        dq.stale_runs(_bars(closes), min_run=1)


def test_stale_runs_sort_by_date_first() -> None:
    bars = _bars([5.0, 5.0, 6.0, 5.0]).iloc[[3, 0, 2, 1]]  # shuffled: 5 on days 1, 2, 4
    runs = dq.stale_runs(bars, min_run=2)
    assert list(runs["start"].dt.day) == [1] and list(runs["bars"]) == [2]


def test_close_to_open_gaps() -> None:
    # previous closes 100, 100, 110; opens 100 (day 1), 106 (+6 %), 104 (-5.45 %)
    bars = _bars([100.0, 110.0, 104.0], opens=[100.0, 106.0, 104.0])
    gaps = dq.price_gaps(bars, 0.05, "close_to_open")
    assert list(gaps["date"].dt.day) == [2, 3]
    assert gaps["gap"].tolist() == pytest.approx([0.06, 104 / 110 - 1])
    assert gaps["previous_close"].tolist() == [100.0, 110.0]
    assert gaps["price"].tolist() == [106.0, 104.0]
    assert list(dq.price_gaps(bars, 0.055, "close_to_open")["date"].dt.day) == [2]


def test_close_to_close_gaps() -> None:
    # closes 100 -> 110 (+10 %) -> 104 (-5.45 %): only the first exceeds 6 %
    bars = _bars([100.0, 110.0, 104.0], opens=[100.0, 100.0, 110.0])
    gaps = dq.price_gaps(bars, 0.06, "close_to_close")
    assert list(gaps["date"].dt.day) == [2]
    assert gaps["gap"].iloc[0] == pytest.approx(0.1)
    with pytest.raises(ValueError, match="kind"):
        dq.price_gaps(bars, 0.06, "open_to_close")  # type: ignore[arg-type]


def test_zero_volume_bars_are_flagged_and_missing_volume_is_not() -> None:
    bars = _bars([10.0, 11.0, 12.0, 13.0]).assign(volume=[1200.0, 0.0, float("nan"), 0.0])
    found = dq.zero_volume(bars.iloc[::-1])  # any order
    assert list(found["date"]) == [pd.Timestamp("2024-01-02"), pd.Timestamp("2024-01-04")]
    assert found["close"].tolist() == [11.0, 13.0]
    assert dq.zero_volume(bars.assign(volume=float("nan"))).empty
    assert list(dq.zero_volume(_bars([1.0])).columns) == ["date", "close"]  # no volume column


def test_empty_bars_give_empty_frames_with_columns() -> None:
    empty = _bars([])
    assert list(dq.zero_volume(empty.assign(volume=[])).columns) == ["date", "close"]
    assert list(dq.non_positive_prices(empty).columns) == ["date", "field", "value"]
    assert list(dq.high_below_low(empty).columns) == ["date", "high", "low"]
    assert list(dq.stale_runs(empty, 3).columns) == ["start", "end", "bars", "close"]
    assert list(dq.price_gaps(empty, 0.1).columns) == ["date", "previous_close", "price", "gap"]
