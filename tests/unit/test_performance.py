"""Tests of regime_dashboard.metrics.performance against QuantStats and by hand."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd
import pytest

from regime_dashboard.metrics import performance as perf

RTOL = 1e-9


# ---------------------------------------------------------------- fixtures


def _equity_from_returns(returns: np.ndarray, start: str = "2021-01-04") -> pd.Series:
    """Equity of 100 on the first business day, then compounded ``returns``."""
    index = pd.bdate_range(start, periods=len(returns) + 1)
    values = 100.0 * np.concatenate(([1.0], np.cumprod(1.0 + returns)))
    return pd.Series(values, index=index, name="equity")


def _random_equity() -> pd.Series:
    """~3 years of business days, seeded, with ~15 % flat (out-of-market) days."""
    rng = np.random.default_rng(20240601)
    returns = rng.normal(0.0006, 0.011, 780)
    returns[rng.random(780) < 0.15] = 0.0
    return _equity_from_returns(returns)


def _long_drawdown_equity() -> pd.Series:
    """Rally for a year, grind down ~18 months, partial recovery over a year."""
    rng = np.random.default_rng(7)
    drift = np.concatenate((np.full(252, 0.001), np.full(380, -0.0012), np.full(250, 0.0008)))
    return _equity_from_returns(drift + rng.normal(0.0, 0.009, drift.size))


@pytest.fixture(scope="module")
def qs() -> ModuleType:
    """quantstats.stats, imported lazily with its import-time warnings silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import quantstats

    return quantstats.stats


def _quiet(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call a QuantStats function with its own warnings silenced (locally only)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return func(*args, **kwargs)


@pytest.fixture(params=["random", "long_drawdown"])
def equity(request: pytest.FixtureRequest) -> pd.Series:
    """The two reference equity curves."""
    return _random_equity() if request.param == "random" else _long_drawdown_equity()


@pytest.fixture
def returns(equity: pd.Series) -> pd.Series:
    """Daily simple returns of the reference equity curve."""
    return perf.returns_from_equity(equity)


# ---------------------------------------------------------------- QuantStats parity

SCALAR_PAIRS = [
    ("total_return", "comp"),
    ("cagr", "cagr"),
    ("annual_volatility", "volatility"),
    ("sharpe", "sharpe"),
    ("sortino", "sortino"),
    ("max_drawdown", "max_drawdown"),
    ("calmar", "calmar"),
    ("win_rate", "win_rate"),
    ("exposure", "exposure"),
]


@pytest.mark.parametrize(("ours", "theirs"), SCALAR_PAIRS)
def test_scalar_metric_matches_quantstats(
    qs: ModuleType, returns: pd.Series, ours: str, theirs: str
) -> None:
    expected = float(_quiet(getattr(qs, theirs), returns))
    assert math.isfinite(expected)
    assert getattr(perf, ours)(returns) == pytest.approx(expected, rel=RTOL)


def test_fixtures_are_meaningful(equity: pd.Series, returns: pd.Series) -> None:
    assert len(returns) == len(equity) - 1 >= 756
    assert perf.max_drawdown(returns) < -0.1
    assert 0.5 < perf.exposure(returns) <= 1.0


def test_long_drawdown_fixture_is_long() -> None:
    underwater = perf.drawdown_series(_long_drawdown_equity()) < 0
    longest = underwater.groupby((~underwater).cumsum()).sum().max()
    assert longest > 252


def test_summary_metrics_match_quantstats(qs: ModuleType, equity: pd.Series) -> None:
    returns = perf.returns_from_equity(equity)
    summary = perf.summary_metrics(equity, trades=42)
    assert list(summary) == list(perf.METRIC_KEYS)
    assert summary["trades"] == 42.0
    for ours, theirs in SCALAR_PAIRS:
        expected = float(_quiet(getattr(qs, theirs), returns))
        assert summary[ours] == pytest.approx(expected, rel=RTOL), ours


def test_drawdown_series_matches_quantstats(qs: ModuleType, equity: pd.Series) -> None:
    ours = perf.drawdown_series(equity)
    theirs = _quiet(qs.to_drawdown_series, perf.returns_from_equity(equity))
    assert ours.index.equals(equity.index)
    assert ours.iloc[0] == 0.0
    assert (ours <= 0).all()
    np.testing.assert_allclose(ours.iloc[1:].to_numpy(), theirs.to_numpy(), rtol=RTOL, atol=1e-15)
    assert ours.min() == pytest.approx(perf.max_drawdown(perf.returns_from_equity(equity)))


def test_rolling_sharpe_matches_quantstats(qs: ModuleType, returns: pd.Series) -> None:
    ours = perf.rolling_sharpe(returns, window=63)
    theirs = _quiet(qs.rolling_sharpe, returns, rolling_period=63)
    assert ours.index.equals(returns.index)
    assert ours.iloc[:62].isna().all()
    np.testing.assert_allclose(ours.iloc[62:], theirs.iloc[62:], rtol=RTOL)


def test_monthly_returns_table_matches_quantstats(qs: ModuleType, returns: pd.Series) -> None:
    ours = perf.monthly_returns_table(returns)
    theirs = _quiet(qs.monthly_returns, returns, eoy=False)
    assert list(ours.columns) == list(range(1, 13))
    assert list(ours.index) == [int(year) for year in theirs.index]
    np.testing.assert_allclose(ours.fillna(0.0).to_numpy(), theirs.to_numpy(), rtol=RTOL)


def test_monthly_table_compounds_to_total(returns: pd.Series) -> None:
    table = perf.monthly_returns_table(returns)
    compounded = float(np.nanprod(table.to_numpy() + 1.0) - 1.0)
    assert compounded == pytest.approx(perf.total_return(returns), rel=RTOL)


# ---------------------------------------------------------------- hand-worked

HAND_EQUITY = pd.Series([100.0, 110.0, 99.0, 108.9], index=pd.bdate_range("2024-01-01", periods=4))


def test_hand_worked_returns_and_drawdown() -> None:
    returns = perf.returns_from_equity(HAND_EQUITY)
    np.testing.assert_allclose(returns.to_numpy(), [0.1, -0.1, 0.1])
    assert returns.index.equals(HAND_EQUITY.index[1:])
    np.testing.assert_allclose(perf.drawdown_series(HAND_EQUITY), [0.0, 0.0, -0.1, -0.01])
    assert perf.total_return(returns) == pytest.approx(0.089)
    assert perf.max_drawdown(returns) == pytest.approx(-0.1)


def test_hand_worked_ratios() -> None:
    returns = perf.returns_from_equity(HAND_EQUITY)
    # mean 1/30, sample std sqrt(0.04/3); downside sqrt(0.01 / 3)
    assert perf.sharpe(returns) == pytest.approx((1 / 30) / math.sqrt(0.04 / 3) * math.sqrt(252))
    assert perf.sortino(returns) == pytest.approx((1 / 30) / math.sqrt(0.01 / 3) * math.sqrt(252))
    assert perf.annual_volatility(returns) == pytest.approx(math.sqrt(0.04 / 3 * 252))
    assert perf.win_rate(returns) == pytest.approx(2 / 3)
    assert perf.exposure(returns) == 1.0


def test_hand_worked_cagr_counts_bars() -> None:
    returns = perf.returns_from_equity(HAND_EQUITY)
    assert perf.cagr(returns) == pytest.approx(1.089**84 - 1)  # 3 bars = 3/252 years
    assert perf.calmar(returns) == pytest.approx((1.089**84 - 1) / 0.1)
    one_year = _equity_from_returns(np.full(252, 0.0005))
    growth = 1.0005**252 - 1
    assert perf.cagr(perf.returns_from_equity(one_year)) == pytest.approx(growth)


def test_cagr_calendar_counts_days() -> None:
    equity = pd.Series([100.0, 121.0], index=pd.to_datetime(["2020-01-01", "2021-12-31"]))
    years = (pd.Timestamp("2021-12-31") - pd.Timestamp("2020-01-01")).days / 365.25
    assert perf.cagr_calendar(equity) == pytest.approx(1.21 ** (1 / years) - 1)
    assert math.isnan(perf.cagr_calendar(equity.iloc[:1]))


def test_win_rate_and_exposure_ignore_flat_days() -> None:
    returns = pd.Series(
        [0.01, 0.0, -0.02, 0.0, 0.03, 0.0, 0.0], index=pd.bdate_range("2024", periods=7)
    )
    assert perf.win_rate(returns) == pytest.approx(2 / 3)
    assert perf.exposure(returns) == 0.43  # 3/7 = 0.4286 rounded *up* to a percent
    assert perf.exposure(returns, round_up=False) == pytest.approx(3 / 7)


def test_first_bar_loss_counts_in_max_drawdown() -> None:
    returns = perf.returns_from_equity(pd.Series([100.0, 90.0, 95.0], index=HAND_EQUITY.index[:3]))
    assert perf.max_drawdown(returns) == pytest.approx(-0.1)


def test_monthly_returns_table_hand_worked() -> None:
    dates = pd.to_datetime(["2024-01-31", "2024-02-01", "2024-02-02", "2025-03-03"])
    table = perf.monthly_returns_table(pd.Series([0.1, 0.1, -0.1, 0.05], index=dates))
    assert list(table.index) == [2024, 2025]
    assert table.loc[2024, 1] == pytest.approx(0.1)
    assert table.loc[2024, 2] == pytest.approx(1.1 * 0.9 - 1)
    assert table.loc[2025, 3] == pytest.approx(0.05)
    assert math.isnan(table.loc[2024, 3])


def test_rolling_sharpe_window() -> None:
    returns = perf.returns_from_equity(HAND_EQUITY)
    rolled = perf.rolling_sharpe(returns, window=3)
    assert rolled.iloc[:2].isna().all()
    assert rolled.iloc[2] == pytest.approx(perf.sharpe(returns))


# ---------------------------------------------------------------- edge cases


@pytest.mark.parametrize(
    "equity",
    [
        pd.Series([], dtype="float64", index=pd.DatetimeIndex([])),
        pd.Series([100.0], index=pd.bdate_range("2024-01-01", periods=1)),
    ],
    ids=["empty", "single_point"],
)
def test_summary_of_too_short_equity_is_all_nan(equity: pd.Series) -> None:
    summary = perf.summary_metrics(equity)
    assert list(summary) == list(perf.METRIC_KEYS)
    assert all(math.isnan(value) for value in summary.values())
    assert perf.returns_from_equity(equity).empty
    assert perf.monthly_returns_table(perf.returns_from_equity(equity)).shape == (0, 12)


def test_constant_equity_has_no_inf() -> None:
    equity = pd.Series(100.0, index=pd.bdate_range("2024-01-01", periods=60))
    summary = perf.summary_metrics(equity, trades=0)
    assert summary["total_return"] == 0.0
    assert summary["cagr"] == 0.0
    assert summary["annual_volatility"] == 0.0
    assert summary["max_drawdown"] == 0.0
    assert summary["exposure"] == 0.0
    assert summary["trades"] == 0.0
    for key in ("sharpe", "sortino", "calmar", "win_rate"):
        assert math.isnan(summary[key]), key
    assert (perf.drawdown_series(equity) == 0.0).all()
    assert perf.rolling_sharpe(perf.returns_from_equity(equity), window=5).isna().all()


def test_steady_growth_has_nan_ratios_not_huge_ones() -> None:
    equity = _equity_from_returns(np.full(300, 0.0004))
    returns = perf.returns_from_equity(equity)
    assert math.isnan(perf.sharpe(returns))
    assert math.isnan(perf.sortino(returns))
    assert math.isnan(perf.calmar(returns))
    assert perf.win_rate(returns) == 1.0


def test_single_return() -> None:
    returns = perf.returns_from_equity(HAND_EQUITY.iloc[:2])
    assert perf.total_return(returns) == pytest.approx(0.1)
    assert math.isnan(perf.annual_volatility(returns))
    assert math.isnan(perf.sharpe(returns))
    assert math.isnan(perf.sortino(returns))
    assert perf.max_drawdown(returns) == 0.0


def test_nan_equity_rows_are_dropped() -> None:
    equity = HAND_EQUITY.copy()
    equity.iloc[2] = np.nan
    returns = perf.returns_from_equity(equity)
    np.testing.assert_allclose(returns.to_numpy(), [0.1, 108.9 / 110 - 1])
    assert len(perf.drawdown_series(equity)) == 3


# ---------------------------------------------------------------- compare_with_stored


def test_compare_with_stored() -> None:
    computed = {"sharpe": 1.25, "cagr": 0.1, "calmar": float("nan"), "trades": 12.0, "x": 0.0}
    stored = {"sharpe": 1.25 * (1 + 1e-8), "cagr": 0.11, "calmar": 2.0, "trades": None, "y": 1}
    table = perf.compare_with_stored(computed, stored)
    assert list(table.columns) == ["metric", "computed", "stored", "agrees"]
    assert list(table["metric"]) == ["sharpe", "cagr", "calmar", "trades", "x", "y"]
    assert str(table["agrees"].dtype) == "boolean"
    agrees = dict(zip(table["metric"], table["agrees"].tolist(), strict=True))
    assert agrees["sharpe"] is True
    assert agrees["cagr"] is False
    assert agrees["calmar"] is False  # stored value but nothing computed
    assert agrees["trades"] is pd.NA  # nothing stored
    assert agrees["x"] is pd.NA
    assert agrees["y"] is False
    assert math.isnan(table.set_index("metric").loc["trades", "stored"])


def test_compare_with_stored_tolerance_and_zero() -> None:
    table = perf.compare_with_stored({"a": 0.0, "b": 1.0}, {"a": 1e-17, "b": 1.001}, rtol=1e-2)
    assert table["agrees"].tolist() == [True, True]


def test_compare_summary_with_itself() -> None:
    summary = perf.summary_metrics(_random_equity(), trades=3)
    table = perf.compare_with_stored(summary, dict(summary))
    assert table["agrees"].all()


# ---------------------------------------------------------------- tearsheet tables


def test_yearly_returns_match_quantstats(qs: ModuleType, returns: pd.Series) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from quantstats import utils

    theirs = _quiet(utils.aggregate_returns, returns, "year")
    ours = perf.yearly_returns(returns)
    assert list(ours.index) == list(theirs.index)
    np.testing.assert_allclose(ours.to_numpy(), theirs.to_numpy(), rtol=RTOL)
    eoy = _quiet(qs.monthly_returns, returns, eoy=True)["EOY"]
    np.testing.assert_allclose(ours.to_numpy(), eoy.to_numpy(), rtol=RTOL)


def _qs_worst(qs: ModuleType, returns: pd.Series, top: int = 5) -> pd.DataFrame:
    details = _quiet(qs.drawdown_details, _quiet(qs.to_drawdown_series, returns))
    return details.sort_values("max drawdown", kind="stable").head(top).reset_index(drop=True)


def test_worst_drawdowns_match_quantstats(
    qs: ModuleType, equity: pd.Series, returns: pd.Series
) -> None:
    ours = perf.worst_drawdowns(equity)
    theirs = _qs_worst(qs, returns)
    assert len(ours) == len(theirs) == min(5, len(_qs_worst(qs, returns, top=1_000)))
    assert len(ours) >= 1
    for column in ("start", "valley", "end"):
        assert list(ours[column].dt.strftime("%Y-%m-%d")) == list(theirs[column]), column
    assert list(ours["days"]) == list(theirs["days"])
    np.testing.assert_allclose(ours["depth"] * 100, theirs["max drawdown"], rtol=RTOL)
    assert ours["depth"].iloc[0] == pytest.approx(perf.max_drawdown(returns), rel=RTOL)
    unrecovered = ours["end"] == equity.index[-1]
    assert list(ours["recovered"]) == list(~unrecovered)


def test_worst_drawdowns_hand_worked() -> None:
    """100 -> 101 -> 99 -> 98 -> 102 -> 103 -> 100 -> 104 -> 97 (Mon 2024-01-01 on):
    three falls below a peak. 101 -> 98 (Jan 3-4, valley Jan 4, -2.9703 %, 2 days,
    recovered Jan 5); 103 -> 100 (Jan 9, -2.9126 %, 1 day, recovered Jan 10); 104 -> 97
    (Jan 11, -6.7308 %, not recovered). Deepest first."""
    values = [100, 101, 99, 98, 102, 103, 100, 104, 97]
    equity = pd.Series(values, index=pd.bdate_range("2024-01-01", periods=9), dtype=float)
    table = perf.worst_drawdowns(equity)
    assert list(table.columns) == list(perf.DRAWDOWN_COLUMNS)
    dates = table[["start", "valley", "end"]].apply(lambda c: c.dt.strftime("%m-%d"))
    assert dates.to_numpy().tolist() == [
        ["01-11", "01-11", "01-11"],
        ["01-03", "01-04", "01-04"],
        ["01-09", "01-09", "01-09"],
    ]
    assert list(table["recovered"]) == [False, True, True]
    assert list(table["days"]) == [1, 2, 1]
    np.testing.assert_allclose(table["depth"], [97 / 104 - 1, 98 / 101 - 1, 100 / 103 - 1])
    assert len(perf.worst_drawdowns(equity, top=2)) == 2
    assert perf.worst_drawdowns(equity.iloc[:2]).empty  # 100 -> 101: never below a peak


def test_return_histogram_shares_bins() -> None:
    rng = np.random.default_rng(5)
    a = pd.Series(rng.normal(0, 0.01, 300))
    b = pd.Series(rng.normal(0, 0.02, 200))
    hist = perf.return_histogram({"a": a, "b": b}, bins=20)
    edges = np.histogram_bin_edges(np.concatenate([a, b]), bins=20)
    for name, values in (("a", a), ("b", b)):
        part = hist[hist["series"] == name]
        np.testing.assert_allclose(part["bin_start"], edges[:-1])
        np.testing.assert_allclose(part["bin_end"], edges[1:])
        assert list(part["count"]) == list(np.histogram(values, bins=edges)[0])
        assert part["count"].sum() == len(values)
    assert perf.return_histogram({"a": pd.Series(dtype=float)}).empty


def test_buy_and_hold_uses_the_last_close_on_or_before() -> None:
    """Closes Fri 10, Mon 11, Wed 12 (no Tue bar); equity dates Sat..Wed: Sat and Sun hold
    Friday's 10 (rebased to 1.0), Mon 1.1, Tue still 1.1, Wed 1.2."""
    closes = pd.Series(
        [10.0, 11.0, 12.0], index=pd.DatetimeIndex(["2024-01-05", "2024-01-08", "2024-01-10"])
    )
    dates = pd.date_range("2024-01-06", "2024-01-10")
    held = perf.buy_and_hold(closes, dates)
    np.testing.assert_allclose(held.to_numpy(), [1.0, 1.0, 1.1, 1.1, 1.2])
    late = perf.buy_and_hold(closes.iloc[1:], pd.date_range("2024-01-06", "2024-01-10"))
    assert late.index[0] == pd.Timestamp("2024-01-08") and late.iloc[0] == 1.0
    assert perf.buy_and_hold(closes, pd.date_range("2023-01-01", periods=3)).empty


def test_common_start_growth_two_hand_made_runs() -> None:
    """Run A: 100, 110, 121, 110 on Jan 1..4; run B: 50, 55, 44 on Jan 3..5. The common
    start is Jan 3 (B's first date). A is rebased on its Jan 3 value 121: 1.0, 110/121;
    B on 50: 1.0, 1.1, 0.88. A's Jan 1-2 are cut."""
    a = pd.Series([100.0, 110.0, 121.0, 110.0], index=pd.date_range("2024-01-01", periods=4))
    b = pd.Series([50.0, 55.0, 44.0], index=pd.date_range("2024-01-03", periods=3))
    growth, start = perf.common_start_growth({"A": a, "B": b})
    assert start == pd.Timestamp("2024-01-03")
    by_run = {run: line.set_index("date")["growth"] for run, line in growth.groupby("run")}
    assert list(by_run["A"].index.strftime("%d")) == ["03", "04"]
    np.testing.assert_allclose(by_run["A"].to_numpy(), [1.0, 110 / 121])
    np.testing.assert_allclose(by_run["B"].to_numpy(), [1.0, 1.1, 0.88])
    assert list(growth["run"].unique()) == ["A", "B"]


def test_common_start_growth_off_calendar_and_disjoint() -> None:
    """B starts on a Saturday A has no point on: A is rebased on its Friday value and
    starts at 1.0 on that Saturday. A run that ends before the common start is left out."""
    a = pd.Series(
        [100.0, 120.0, 90.0], index=pd.DatetimeIndex(["2024-01-05", "2024-01-08", "2024-01-09"])
    )
    a.iloc[0] = 100.0
    b = pd.Series([10.0, 11.0], index=pd.DatetimeIndex(["2024-01-06", "2024-01-08"]))
    old = pd.Series([1.0, 2.0], index=pd.DatetimeIndex(["2023-01-02", "2023-01-03"]))
    growth, start = perf.common_start_growth({"A": a, "B": b, "old": old})
    assert start == pd.Timestamp("2024-01-06")
    line = growth[growth["run"] == "A"]
    assert list(line["date"]) == list(pd.DatetimeIndex(["2024-01-06", "2024-01-08", "2024-01-09"]))
    np.testing.assert_allclose(line["growth"], [1.0, 1.2, 0.9])
    assert set(growth["run"]) == {"A", "B"}
    assert perf.common_start_growth({})[1] is None
