"""Hand-worked tests for regime_dashboard.metrics.regimes.

The main fixture is six consecutive days

    date    01-01  01-02  01-03  01-04  01-05  01-06
    regime  bull   bull   bear   bull   bull   bull
    close   100    110    99     90     99     108.9

Every expected number below is worked out by hand in the comments.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from regime_dashboard.metrics.regimes import (
    CONFIDENCE_WINDOW,
    FORWARD_RETURN_COLUMNS,
    SPELL_COLUMNS,
    SUMMARY_COLUMNS,
    current_regime_card,
    forward_returns_by_regime,
    regime_spells,
    regime_summary,
    transition_matrix,
)

REGIMES = ["bull", "bull", "bear", "bull", "bull", "bull"]
CLOSES = [100.0, 110.0, 99.0, 90.0, 99.0, 108.9]


@pytest.fixture
def series() -> pd.DataFrame:
    return pd.DataFrame(
        {"date": pd.date_range("2024-01-01", periods=6), "regime": REGIMES, "close": CLOSES}
    )


def ts(day: str) -> pd.Timestamp:
    return pd.Timestamp(day)


# --------------------------------------------------------------------------- spells


def test_regime_spells_hand_worked(series: pd.DataFrame) -> None:
    # Runs: bull 01-01..01-02 (2 rows), bear 01-03 (1 row), bull 01-04..01-06 (3 rows).
    spells = regime_spells(series)
    assert list(spells.columns) == list(SPELL_COLUMNS)
    assert spells["regime"].tolist() == ["bull", "bear", "bull"]
    assert spells["start"].tolist() == [ts("2024-01-01"), ts("2024-01-03"), ts("2024-01-04")]
    assert spells["end"].tolist() == [ts("2024-01-02"), ts("2024-01-03"), ts("2024-01-06")]
    assert spells["days"].tolist() == [2, 1, 3]


def test_regime_spells_sorts_by_date_and_accepts_python_dates(series: pd.DataFrame) -> None:
    # Same rows, reversed, with datetime.date values: identical spells.
    shuffled = series.iloc[::-1].assign(date=lambda d: d["date"].dt.date)
    spells = regime_spells(shuffled)
    assert spells["days"].tolist() == [2, 1, 3]
    assert spells["start"].iloc[0] == ts("2024-01-01")
    assert series["date"].iloc[0] == ts("2024-01-01")  # input untouched


def test_days_count_rows_not_calendar_days() -> None:
    # Fri 01-05 and Mon 01-08 are consecutive rows: one spell of 2 rows, not 4 days.
    df = pd.DataFrame({"date": ["2024-01-05", "2024-01-08"], "regime": ["bull", "bull"]})
    spells = regime_spells(df)
    assert spells["days"].tolist() == [2]
    assert spells["end"].iloc[0] == ts("2024-01-08")


def test_duplicate_dates_and_missing_regimes_raise() -> None:
    dup = pd.DataFrame({"date": ["2024-01-01", "2024-01-01"], "regime": ["bull", "bear"]})
    with pytest.raises(ValueError, match="duplicate date 2024-01-01"):
        regime_spells(dup)
    gap = pd.DataFrame({"date": ["2024-01-01", "2024-01-02"], "regime": ["bull", None]})
    with pytest.raises(ValueError, match="missing values"):
        regime_spells(gap)
    with pytest.raises(ValueError, match="missing column"):
        regime_spells(pd.DataFrame({"date": ["2024-01-01"]}))


# --------------------------------------------------------------------------- summary


def test_regime_summary_hand_worked(series: pd.DataFrame) -> None:
    # bull: 2 + 3 = 5 rows, share 5/6, spells (2, 3) -> avg 2.5, longest 3.
    # bear: 1 row, share 1/6, one spell of 1 -> avg 1.0, longest 1.
    summary = regime_summary(series)
    assert list(summary.columns) == list(SUMMARY_COLUMNS)
    assert summary["regime"].tolist() == ["bull", "bear"]  # sorted by days desc
    assert summary["days"].tolist() == [5, 1]
    assert summary["share"].tolist() == pytest.approx([5 / 6, 1 / 6])
    assert summary["avg_spell_days"].tolist() == pytest.approx([2.5, 1.0])
    assert summary["longest_spell_days"].tolist() == [3, 1]


def test_regime_summary_ties_sorted_by_name() -> None:
    # chop 2 rows, bear 2 rows -> tie on days, bear first alphabetically.
    df = pd.DataFrame(
        {"date": pd.date_range("2024-01-01", periods=4), "regime": ["chop", "chop", "bear", "bear"]}
    )
    assert regime_summary(df)["regime"].tolist() == ["bear", "chop"]


# --------------------------------------------------------------------------- transitions


def test_transition_counts_hand_worked(series: pd.DataFrame) -> None:
    # Pairs (day t -> t+1): bull->bull, bull->bear, bear->bull, bull->bull, bull->bull.
    # bull->bull 3, bull->bear 1, bear->bull 1, bear->bear 0 (5 pairs for 6 days).
    counts = transition_matrix(series, normalize=False)
    assert counts.index.name == "from"
    assert counts.columns.name == "to"
    assert counts.index.tolist() == ["bear", "bull"]
    assert counts.columns.tolist() == ["bear", "bull"]
    assert counts.loc["bull", "bull"] == 3
    assert counts.loc["bull", "bear"] == 1
    assert counts.loc["bear", "bull"] == 1
    assert counts.loc["bear", "bear"] == 0
    assert counts.to_numpy().sum() == 5


def test_transition_probabilities_hand_worked(series: pd.DataFrame) -> None:
    # Row bull: 3 + 1 = 4 transitions -> bull 3/4, bear 1/4.  Row bear: 1 -> bull 1, bear 0.
    probs = transition_matrix(series)
    assert probs.loc["bull", "bull"] == pytest.approx(0.75)
    assert probs.loc["bull", "bear"] == pytest.approx(0.25)
    assert probs.loc["bear", "bull"] == pytest.approx(1.0)
    assert probs.loc["bear", "bear"] == pytest.approx(0.0)
    assert probs.sum(axis=1).tolist() == pytest.approx([1.0, 1.0])


def test_regime_only_on_last_day_has_no_outgoing_transitions() -> None:
    # bull, bull, crash: pairs bull->bull, bull->crash; crash has no next day.
    df = pd.DataFrame(
        {"date": pd.date_range("2024-01-01", periods=3), "regime": ["bull", "bull", "crash"]}
    )
    counts = transition_matrix(df, normalize=False)
    assert counts.loc["crash"].tolist() == [0, 0]
    probs = transition_matrix(df)
    assert probs.loc["bull"].tolist() == pytest.approx([0.5, 0.5])
    assert probs.loc["crash"].isna().all()


def test_transition_matrix_single_row() -> None:
    df = pd.DataFrame({"date": ["2024-01-01"], "regime": ["bull"]})
    assert transition_matrix(df, normalize=False).loc["bull", "bull"] == 0
    assert math.isnan(transition_matrix(df).loc["bull", "bull"])


# --------------------------------------------------------------------------- forward returns


def test_forward_returns_hand_worked(series: pd.DataFrame) -> None:
    # h=1: t0 110/100-1=+0.10 bull | t1 99/110-1=-0.10 bull | t2 90/99-1=-1/11 bear
    #      t3 99/90-1=+0.10 bull   | t4 108.9/99-1=+0.10 bull | t5 has no t+1 -> excluded.
    #   bull: [0.1, -0.1, 0.1, 0.1] count 4, mean 0.05, median 0.1, hit 3/4.
    #   bear: [-1/11] count 1, hit 0.
    # h=2: t0 99/100-1=-0.01 bull | t1 90/110-1=-2/11 bull | t2 99/99-1=0 bear
    #      t3 108.9/90-1=+0.21 bull.
    #   bull: count 3, mean (-0.01 - 2/11 + 0.21)/3, median -0.01, hit 1/3.
    #   bear: [0.0] -> hit 0 (a zero return is not a hit).
    # h=5: t0 108.9/100-1=+0.089 bull only.  h=6: no row has t+6 -> no rows at all.
    out = forward_returns_by_regime(series, horizons=(1, 2, 5, 6))
    assert list(out.columns) == list(FORWARD_RETURN_COLUMNS)
    got = out.set_index(["regime", "horizon"])
    assert got.index.tolist() == [
        ("bear", 1),
        ("bear", 2),
        ("bull", 1),
        ("bull", 2),
        ("bull", 5),
    ]
    assert got.loc[("bull", 1)].tolist() == pytest.approx([4, 0.05, 0.10, 0.75])
    assert got.loc[("bear", 1)].tolist() == pytest.approx([1, -1 / 11, -1 / 11, 0.0])
    bull_2_mean = (-0.01 - 2 / 11 + 0.21) / 3
    assert got.loc[("bull", 2)].tolist() == pytest.approx([3, bull_2_mean, -0.01, 1 / 3])
    assert got.loc[("bear", 2)].tolist() == pytest.approx([1, 0.0, 0.0, 0.0])
    assert got.loc[("bull", 5)].tolist() == pytest.approx([1, 0.089, 0.089, 1.0])


def test_forward_returns_use_rows_and_skip_missing_closes() -> None:
    # Rows Fri 01-05 (100), Mon 01-08 (NaN), Tue 01-09 (120).
    # h=1: t0 NaN/100 -> dropped, t1 120/NaN -> dropped.  h=2: t0 120/100-1 = +0.2.
    df = pd.DataFrame(
        {
            "date": ["2024-01-05", "2024-01-08", "2024-01-09"],
            "regime": ["bull", "bull", "bull"],
            "close": [100.0, np.nan, 120.0],
        }
    )
    out = forward_returns_by_regime(df, horizons=(1, 2))
    assert out[["horizon", "count"]].to_numpy().tolist() == [[2, 1]]
    assert out["mean"].iloc[0] == pytest.approx(0.2)


def test_forward_returns_validation(series: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="missing column"):
        forward_returns_by_regime(series.drop(columns="close"))
    for bad in [(0,), (-1,), (1.5,), (True,)]:
        with pytest.raises(ValueError, match="positive integers"):
            forward_returns_by_regime(series, horizons=bad)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- current regime card


def test_current_regime_card_hand_worked(series: pd.DataFrame) -> None:
    # Last spell: bull 01-04..01-06 -> 3 days since 01-04; no confidence column -> None.
    card = current_regime_card(series)
    assert card == {
        "regime": "bull",
        "days_in_regime": 3,
        "since": ts("2024-01-04"),
        "confidence_trend": None,
    }


def test_confidence_trend_uses_last_window_only() -> None:
    # 25 days: the first 5 confidences are noise (0.9, 0.1, ...); the last 20 are
    # 0.30, 0.31, ..., 0.49 -> least-squares slope exactly +0.01 per day.
    noise = [0.9, 0.1, 0.9, 0.1, 0.9]
    line = [0.30 + 0.01 * i for i in range(CONFIDENCE_WINDOW)]
    df = pd.DataFrame(
        {
            "date": pd.date_range("2024-01-01", periods=25),
            "regime": ["bull"] * 25,
            "confidence": noise + line,
        }
    )
    card = current_regime_card(df)
    assert card["confidence_trend"] == pytest.approx(0.01)
    assert card["days_in_regime"] == 25


def test_confidence_trend_is_per_calendar_day() -> None:
    # Dates 01-01, 01-02, 01-04 -> x = 0, 1, 3 days; y = 0.5, 0.6, 0.8 = 0.5 + 0.1 x.
    # Slope 0.1/day (by row index it would be 0.15/row).  The NaN row is ignored.
    df = pd.DataFrame(
        {
            "date": ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"],
            "regime": ["bear", "bull", "bull", "bull"],
            "confidence": [0.5, 0.6, np.nan, 0.8],
        }
    )
    card = current_regime_card(df)
    assert card["confidence_trend"] == pytest.approx(0.1)
    assert (card["regime"], card["days_in_regime"], card["since"]) == ("bull", 3, ts("2024-01-02"))


def test_confidence_trend_needs_two_points() -> None:
    df = pd.DataFrame(
        {"date": ["2024-01-01", "2024-01-02"], "regime": ["bull"] * 2, "confidence": [0.5, None]}
    )
    assert current_regime_card(df)["confidence_trend"] is None


# --------------------------------------------------------------------------- empty inputs


@pytest.mark.parametrize(
    "empty",
    [
        pd.DataFrame(),
        pd.DataFrame({"date": pd.Series(dtype="datetime64[ns]"), "regime": pd.Series(dtype=str)}),
    ],
)
def test_empty_inputs(empty: pd.DataFrame) -> None:
    assert list(regime_spells(empty).columns) == list(SPELL_COLUMNS)
    assert regime_spells(empty).empty
    assert list(regime_summary(empty).columns) == list(SUMMARY_COLUMNS)
    assert regime_summary(empty).empty
    assert transition_matrix(empty).shape == (0, 0)
    assert transition_matrix(empty, normalize=False).shape == (0, 0)
    returns = forward_returns_by_regime(empty)
    assert list(returns.columns) == list(FORWARD_RETURN_COLUMNS)
    assert returns.empty
    assert current_regime_card(empty) == {
        "regime": None,
        "days_in_regime": 0,
        "since": None,
        "confidence_trend": None,
    }


def test_empty_frames_have_documented_dtypes() -> None:
    spells = regime_spells(pd.DataFrame())
    assert spells["days"].dtype == "int64"
    assert spells["start"].dtype == "datetime64[ns]"
