"""metrics/regime_split.py on a case worked by hand, and its look-ahead rule."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from regime_dashboard.metrics.regime_split import (
    ALL_DAYS,
    SPLIT_COLUMNS,
    attribute_regimes,
    split_by_regime,
)

DAYS = pd.bdate_range("2024-01-01", periods=9)  # d0 = Mon 1 Jan ... d8 = Thu 11 Jan
RETURNS = pd.Series([0.10, -0.10, 0.05, 0.0, -0.20, 0.25, 0.02, -0.01], index=DAYS[1:])
REGIMES = pd.Series(
    ["bull", "bull", "bear", "bull", "bear", "bear", "bull", "bull", "bear"], index=DAYS
)


def test_hand_worked_eight_days_two_regimes() -> None:
    """Returns on d1..d8: +10 %, -10 %, +5 %, 0, -20 %, +25 %, +2 %, -1 %. Outputs on
    d0..d8: bull, bull, bear, bull, bear, bear, bull, bull, bear. Each return takes the
    output of the day before (d1 <- d0 ...); d8's own output (bear) is never used.

    bull: d1 +10 %, d2 -10 %, d4 0, d7 +2 %, d8 -1 % (5 days, share 5/8 = 0.625).
      return 1.1 * 0.9 * 1 * 1.02 * 0.99 - 1 = 0.999702 - 1 = -0.000298;
      annualised 0.999702 ** (252 / 5) - 1 = -0.0149092;
      mean 0.01 / 5 = 0.002, deviations .098 -.102 -.002 .018 -.012, squares sum 0.02048,
      sample std sqrt(0.02048 / 4) = 0.0715542, Sharpe 0.002 / 0.0715542 * sqrt(252) =
      0.443706; hit rate 2 / 5 (the flat day is a miss); curve 1 1.1 .99 .99 1.0098
      .999702: max drawdown .99 / 1.1 - 1 = -0.10.
    bear: d3 +5 %, d5 -20 %, d6 +25 % (3 days, share 0.375).
      return 1.05 * 0.8 * 1.25 - 1 = 0.05; annualised 1.05 ** 84 - 1 = 59.2422;
      mean 0.1 / 3, deviations .016667 -.233333 .216667, squares sum 0.1016667, std
      sqrt(0.1016667 / 2) = 0.2254625, Sharpe 2.346955; hit rate 2 / 3; curve 1 1.05
      .84 1.05: max drawdown .84 / 1.05 - 1 = -0.20.
    All days: return 0.999702 * 1.05 - 1 = 0.0496871; annualised 1.0496871 ** (252 / 8)
      - 1 = 3.606654; mean 0.11 / 8 = 0.01375, std 0.1330883, Sharpe 1.640072; hit
      rate 4 / 8; curve peaks at 1.1 then falls to 0.99 * 1.05 * 0.8 = 0.8316: max
      drawdown 0.8316 / 1.1 - 1 = -0.244.
    """
    table, unattributed = split_by_regime(RETURNS, REGIMES, order=["bull", "bear"])
    assert unattributed == 0
    assert list(table.columns) == list(SPLIT_COLUMNS)
    assert list(table["regime"]) == ["bull", "bear", ALL_DAYS]
    rows = table.set_index("regime")
    expected = {
        "bull": (5, 0.625, -0.000298, 0.999702 ** (252 / 5) - 1, 0.443706, 0.4, -0.10),
        "bear": (3, 0.375, 0.05, 1.05**84 - 1, 2.346955, 2 / 3, -0.20),
        ALL_DAYS: (8, 1.0, 0.0496871, 1.0496871 ** (252 / 8) - 1, 1.640072, 0.5, -0.244),
    }
    for regime, values in expected.items():
        row = rows.loc[regime]
        assert row["days"] == values[0]
        got = [row[c] for c in SPLIT_COLUMNS[2:]]
        np.testing.assert_allclose(got, values[1:], rtol=1e-6, err_msg=regime)
    assert rows.loc["bull", "annualised_return"] == pytest.approx(-0.0149092, rel=1e-5)
    assert rows.loc["bear", "annualised_return"] == pytest.approx(59.2422, rel=1e-5)


def test_a_days_own_output_is_never_used() -> None:
    """Changing day t's own label never changes the regime of day t's return (only the
    returns after t move), and each return takes the label of the day before it."""
    before = attribute_regimes(RETURNS, REGIMES)
    assert list(before) == list(REGIMES.iloc[:-1])
    for day in range(1, 9):
        changed = REGIMES.copy()
        changed.iloc[day] = "crisis"
        after = attribute_regimes(RETURNS, changed)
        assert after.iloc[day - 1] == before.iloc[day - 1]
        assert list(after.iloc[day:]) == ["crisis", *before.iloc[day + 1 :]][: 8 - day]


def test_days_before_the_first_output_are_left_out() -> None:
    """Outputs from d2 on: d1's and d2's returns have no earlier output (d2's own does not
    count) and are left out; d3 takes d2's label."""
    table, unattributed = split_by_regime(RETURNS, REGIMES.iloc[2:])
    assert unattributed == 2
    assert table.set_index("regime").loc[ALL_DAYS, "days"] == 6
    assert attribute_regimes(RETURNS, REGIMES.iloc[2:]).iloc[2] == "bear"
    assert math.isnan(attribute_regimes(RETURNS, REGIMES.iloc[2:]).iloc[1])


def test_gaps_take_the_latest_earlier_output() -> None:
    """Weekly outputs (Mondays) label every return of the following days of that week."""
    weekly = pd.Series(["bull", "bear"], index=pd.DatetimeIndex(["2024-01-01", "2024-01-08"]))
    labels = attribute_regimes(RETURNS, weekly)
    assert list(labels) == ["bull"] * 5 + ["bear"] * 3  # d1..d5 <- Jan 1, d6..d8 <- Jan 8


def test_regimes_not_in_order_follow_alphabetically_and_empty_input() -> None:
    table, _ = split_by_regime(RETURNS, REGIMES, order=["crisis"])
    assert list(table["regime"]) == ["bear", "bull", ALL_DAYS]
    empty, left_out = split_by_regime(pd.Series(dtype=float), REGIMES)
    assert list(empty["regime"]) == [ALL_DAYS] and left_out == 0
    assert empty.loc[0, "days"] == 0 and math.isnan(empty.loc[0, "total_return"])
