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
