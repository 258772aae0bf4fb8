"""Hand-worked cases for regime_dashboard.metrics.release_diff."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from regime_dashboard.metrics import release_diff as rd

NAN = float("nan")


def _release(
    days: list[int], regimes: list[str], confidence: list[float], **more: list
) -> pd.DataFrame:  # type: ignore[type-arg]
    dates = [pd.Timestamp("2025-01-01") + pd.Timedelta(days=d) for d in days]
    return pd.DataFrame({"date": dates, "regime": regimes, "confidence": confidence, **more})


# A covers days 0..4, B days 1..5: common days 1..4.
A = _release(
    [0, 1, 2, 3, 4],
    ["bull", "bull", "bear", "bear", "neutral"],
    [0.9, 0.8, 0.7, 0.6, 0.5],
    conviction=["high", "high", "medium", None, "low"],
    risk_level=[0.1, 0.2, NAN, 0.4, 0.5],
)
B = _release(
    [1, 2, 3, 4, 5],
    ["bull", "crisis", "bear", "bull", "bull"],
    [0.8, 0.95, 0.6 + 1e-15, 0.55, 0.5],
    conviction=["high", "high", None, "low", "low"],
    risk_level=[0.2, NAN, 0.1, 0.5, 0.5],
)


def test_agreement_counts_common_days_only() -> None:
    agreement = rd.regime_agreement(A, B)
    # common days 1..4: bull/bull agree, bear/crisis differ, bear/bear agree, neutral/bull differ
    assert agreement == {
        "days_a": 5,
        "days_b": 5,
        "common_days": 4,
        "agreeing_days": 2,
        "share_agreeing": 0.5,
        "only_a": 1,
        "only_b": 1,
    }


def test_regime_differences_list_the_days_that_differ() -> None:
    diff = rd.regime_differences(A, B)
    assert list(diff["date"].dt.day) == [3, 5]  # 2025-01-03 and 2025-01-05
    assert list(diff["regime_a"]) == ["bear", "neutral"]
    assert list(diff["regime_b"]) == ["crisis", "bull"]
    assert diff["confidence_a"].tolist() == [0.7, 0.5]
    assert diff["confidence_b"].tolist() == [0.95, 0.55]


def test_field_differences() -> None:
    fields = rd.field_differences(A, B).set_index("field")
    assert list(fields.index) == ["regime", "confidence", "conviction", "risk_level"]
    assert (fields["days_compared"] == 4).all()
    # regime: 2 of 4 differ; text fields have no numeric difference
    assert fields.loc["regime", "days_differing"] == 2
    assert math.isnan(fields.loc["regime", "max_abs_diff"])
    # confidence: 0.8/0.8 same, 0.7/0.95 (0.25), 0.6/0.6+1e-15 same within tolerance,
    # 0.5/0.55 (0.05): 2 differ; max 0.25, mean (0 + 0.25 + 1e-15 + 0.05) / 4
    assert fields.loc["confidence", "days_differing"] == 2
    assert fields.loc["confidence", "max_abs_diff"] == pytest.approx(0.25)
    assert fields.loc["confidence", "mean_abs_diff"] == pytest.approx(0.3 / 4)
    # conviction: high/high, medium/high, None/None (equal), low/low: 1 differs
    assert fields.loc["conviction", "days_differing"] == 1
    assert fields.loc["conviction", "share_differing"] == 0.25
    # risk_level: 0.2/0.2, NaN/NaN (equal), 0.4/0.1 (0.3), 0.5/0.5: 1 differs; mean over 3
    assert fields.loc["risk_level", "days_differing"] == 1
    assert fields.loc["risk_level", "max_abs_diff"] == pytest.approx(0.3)
    assert fields.loc["risk_level", "mean_abs_diff"] == pytest.approx(0.1)


def test_one_missing_value_is_a_difference() -> None:
    a = _release([0], ["bull"], [0.5], risk_level=[NAN])
    b = _release([0], ["bull"], [0.5], risk_level=[0.3])
    fields = rd.field_differences(a, b).set_index("field")
    assert fields.loc["risk_level", "days_differing"] == 1
    assert np.isnan(fields.loc["risk_level", "max_abs_diff"])


def test_identical_releases_agree_everywhere() -> None:
    agreement = rd.regime_agreement(A, A)
    assert agreement["share_agreeing"] == 1.0 and agreement["only_a"] == 0
    assert rd.regime_differences(A, A).empty
    assert (rd.field_differences(A, A)["days_differing"] == 0).all()


def test_disjoint_releases_have_no_common_days() -> None:
    later = _release([10], ["bull"], [0.5])
    agreement = rd.regime_agreement(A, later)
    assert agreement["common_days"] == 0 and math.isnan(agreement["share_agreeing"])
    assert rd.field_differences(A, later)["share_differing"].isna().all()


def test_align_releases_accepts_dates_and_rejects_duplicates() -> None:
    a = A.assign(date=A["date"].dt.date)
    aligned = rd.align_releases(a, B)
    assert list(aligned.columns[:3]) == ["date", "regime_a", "confidence_a"]
    assert len(aligned) == 4
    with pytest.raises(ValueError, match="duplicate"):
        rd.align_releases(pd.concat([A, A.iloc[:1]]), B)
