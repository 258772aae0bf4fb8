"""Hand-worked tests of metrics.saas and the pure parts of services.periods."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from regime_dashboard.metrics.saas import (
    cents_to_units,
    churn_summary,
    ltv_estimate,
    monthly_churn_rates,
    net_movements,
    ratio,
    tenant_margins,
    trial_summary,
    usage_projection,
)
from regime_dashboard.services.periods import (
    Period,
    add_months,
    default_usage_month,
    month_as_of,
    previous_period,
    resolve_period,
    same_day_months_before,
)
from regime_dashboard.ui import format_money, format_share

MOVES = pd.DataFrame(
    {
        "month": [dt.date(2026, 1, 1), dt.date(2026, 2, 1)],
        "opening_mrr_cents": [100_000, 110_000],
        "new_cents": [20_000, 0],
        "expansion_cents": [5_000, 10_000],
        "reactivation_cents": [0, 3_000],
        "contraction_cents": [-5_000, 0],
        "churn_cents": [-10_000, -23_000],
        "closing_mrr_cents": [110_000, 100_000],
        "opening_customers": [10, 11],
        "closing_customers": [11, 9],
        "new_customers": [2, 0],
        "reactivated_customers": [0, 1],
        "churned_customers": [1, 3],
    }
)


def test_net_movements_flags_a_month_that_does_not_reconcile() -> None:
    good = net_movements(MOVES)
    # January: 100000 + 20000 + 5000 - 5000 - 10000 = 110000; February: 110000 + 10000 +
    # 3000 - 23000 = 100000
    assert list(good["net_cents"]) == [10_000, -10_000]
    assert good["reconciles"].all()
    broken = net_movements(MOVES.assign(closing_mrr_cents=[110_000, 100_001]))
    assert list(broken["reconciles"]) == [True, False]


def test_monthly_churn_rates_by_hand() -> None:
    rates = monthly_churn_rates(MOVES)
    # January: 1 of 10 customers; lost 15000 of 100000; net (15000 - 5000) / 100000
    assert list(rates["customer_churn_rate"]) == pytest.approx([0.1, 3 / 11])
    assert list(rates["gross_revenue_churn_rate"]) == pytest.approx([0.15, 23_000 / 110_000])
    assert list(rates["net_revenue_churn_rate"]) == pytest.approx([0.10, 10_000 / 110_000])


def test_churn_summary_over_the_period_by_hand() -> None:
    s = churn_summary(MOVES)
    assert (s.mrr_cents, s.arr_cents, s.customers) == (100_000, 1_200_000, 9)
    assert s.arpa_cents == pytest.approx(100_000 / 9)
    # customers: (1 + 3) churned / (10 + 11) at risk
    assert s.customer_churn_rate == pytest.approx(4 / 21)
    # gross: (5000 + 10000 + 23000) / (100000 + 110000); net subtracts 15000 + 3000
    assert s.gross_revenue_churn_rate == pytest.approx(38_000 / 210_000)
    assert s.net_revenue_churn_rate == pytest.approx(20_000 / 210_000)
    assert s.ltv_cents == pytest.approx((100_000 / 9) / (4 / 21))


def test_ratios_without_a_denominator_are_undefined() -> None:
    assert ratio(1, 0) is None and ratio(1, 4) == 0.25
    assert ltv_estimate(500.0, 0.0) is None and ltv_estimate(None, 0.1) is None
    assert ltv_estimate(500.0, 0.05) == pytest.approx(10_000.0)
    quiet = MOVES.assign(churned_customers=[0, 0], opening_customers=[0, 0])
    assert churn_summary(quiet).customer_churn_rate is None
    assert churn_summary(quiet).ltv_cents is None


def test_trial_summary_converted_over_ended() -> None:
    trials = pd.DataFrame({"started": [2, 1, 1], "ended": [2, 1, 0], "converted": [2, 0, 0]})
    summary = trial_summary(trials)
    assert (summary.started, summary.ended, summary.converted) == (4, 3, 2)
    assert summary.conversion_rate == pytest.approx(2 / 3)
    assert trial_summary(trials.iloc[:0]).conversion_rate is None


def _usage(rows: list[tuple]) -> pd.DataFrame:
    columns = ["tenant_id", "tenant_name", "metric", "used", "limit_value", "reached_on"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.assign(
        plan_id="basic",
        status="active",
        limit_source="plan",
        month_start=dt.date(2026, 2, 1),
        elapsed_days=7,
        days_in_month=28,
    )


def test_usage_projection_by_hand() -> None:
    """February 2026 (28 days), 7 days elapsed."""
    rows = usage_projection(
        _usage(
            [
                ("a", "A", "api_calls", 350.0, 1000.0, None),  # 50/day -> 1400; day 20
                ("b", "B", "api_calls", 1200.0, 1000.0, dt.date(2026, 2, 6)),  # over
                ("c", "C", "api_calls", 70.0, 1000.0, None),  # 10/day -> 280, not in Feb
                ("d", "D", "api_calls", 5.0, float("nan"), None),  # unlimited
                ("e", "E", "tokens", 840.0, 1000.0, None),  # 84 % near; 120/day -> day 9
                ("f", "F", "tokens", 0.0, 0.0, None),  # a zero limit, nothing used
            ]
        )
    )
    assert list(rows["tenant_name"]) == ["B", "E", "A", "C", "F", "D"]
    got = rows.set_index("tenant_name")
    assert got.loc["A", "projected"] == pytest.approx(1400.0)
    assert got.loc["A", "projected_pct"] == pytest.approx(1.4)
    assert got.loc["A", "crosses_on"] == dt.date(2026, 2, 20)  # ceil(1000 / 50) = 20
    assert got.loc["B", "pct_used"] == pytest.approx(1.2)
    assert got.loc["B", "crosses_on"] == dt.date(2026, 2, 6)  # the day it did
    assert got.loc["C", "crosses_on"] is None  # day 100 is after February
    assert got.loc["E", "crosses_on"] == dt.date(2026, 2, 9)  # ceil(1000 / 120) = 9
    assert list(got["state"]) == ["over", "near", "ok", "ok", "ok", "unlimited"]
    assert pd.isna(got.loc["D", "pct_used"]) and got.loc["F", "pct_used"] == 0.0


def test_usage_projection_of_nothing_keeps_the_columns() -> None:
    empty = usage_projection(_usage([]))
    assert {"pct_used", "projected", "crosses_on", "state"} <= set(empty.columns)


def test_tenant_margins_by_hand() -> None:
    revenue = pd.DataFrame(
        {
            "tenant_id": ["a", "b", "c"],
            "tenant_name": ["A", "B", "C"],
            "revenue_usd": [300.0, 50.0, 0.0],
        }
    )
    costs = pd.DataFrame(
        {
            "tenant_id": ["a", "b", "d"],
            "tenant_name": ["A", "B", "D"],
            "runs": [10, 40, 5],
            "tokens_input": [1, 2, 3],
            "tokens_output": [1, 1, 1],
            "compute_seconds": [1.0, 2.0, 3.0],
            "cost_usd": [60.0, 80.0, 12.5],
        }
    )
    margins = tenant_margins(revenue, costs)
    # A: 300 - 60 = 240 (80 %); B: 50 - 80 = -30 (-60 %); C: 0 - 0; D: 0 - 12.5
    assert list(margins["tenant_name"]) == ["B", "D", "C", "A"]
    got = margins.set_index("tenant_name")
    assert list(got["margin_usd"]) == [-30.0, -12.5, 0.0, 240.0]
    assert got.loc["A", "gross_margin"] == pytest.approx(0.8)
    assert got.loc["B", "gross_margin"] == pytest.approx(-0.6)
    assert pd.isna(got.loc["D", "gross_margin"]) and got.loc["D", "runs"] == 5
    assert got.loc["C", "runs"] == 0


def test_cents_to_units() -> None:
    frame = cents_to_units(pd.DataFrame({"x_cents": [12345, -5]}), {"x_cents": "x"})
    assert list(frame["x"]) == [123.45, -0.05]


def test_periods_are_whole_months_ending_on_the_as_of_day() -> None:
    """ "Last N months" is N whole months, then the as-of month to date (issue 15)."""
    as_of, month_end = dt.date(2026, 11, 20), dt.date(2026, 11, 30)
    assert resolve_period("3m", as_of) == Period(dt.date(2026, 8, 1), as_of)
    assert resolve_period("12m", as_of) == Period(dt.date(2025, 11, 1), as_of)
    assert resolve_period("24m", as_of).months == 25
    assert resolve_period("24m", as_of).whole_months == 24
    assert resolve_period("12m", month_end) == Period(dt.date(2025, 12, 1), month_end)
    assert resolve_period("3m", month_end).whole_months == 3
    assert resolve_period("ytd", as_of) == Period(dt.date(2026, 1, 1), as_of)
    assert add_months(dt.date(2026, 1, 31), -1) == dt.date(2025, 12, 1)
    assert add_months(dt.date(2026, 12, 5), 1) == dt.date(2027, 1, 1)
    assert month_as_of(dt.date(2026, 2, 1), as_of) == dt.date(2026, 2, 28)
    assert month_as_of(dt.date(2026, 11, 1), as_of) == as_of
    assert Period(dt.date(2025, 11, 1), as_of).label == (
        "Nov 2025 – Oct 2026 (12 whole months) + 1–20 Nov 2026 to date"
    )
    assert Period(dt.date(2025, 12, 1), month_end).label == "Dec 2025 – Nov 2026 (12 whole months)"


def test_the_previous_period_and_the_usage_month_by_hand() -> None:
    as_of = dt.date(2026, 11, 20)
    three = resolve_period("3m", as_of)  # Aug 1 – Nov 20: four months long
    assert previous_period(three) == Period(dt.date(2026, 4, 1), dt.date(2026, 7, 20))
    year = resolve_period("12m", dt.date(2026, 11, 30))
    assert previous_period(year) == Period(dt.date(2024, 12, 1), dt.date(2025, 11, 30))
    ytd = resolve_period("ytd", as_of)  # a year to date: the same dates a year earlier
    assert previous_period(ytd) == Period(dt.date(2025, 1, 1), dt.date(2025, 11, 20))
    assert same_day_months_before(dt.date(2026, 3, 31), 1) == dt.date(2026, 2, 28)
    assert same_day_months_before(dt.date(2026, 11, 30), 3) == dt.date(2026, 8, 31)
    assert default_usage_month(dt.date(2026, 12, 1)) == dt.date(2026, 11, 1)
    assert default_usage_month(dt.date(2026, 12, 6)) == dt.date(2026, 11, 1)
    assert default_usage_month(dt.date(2026, 12, 7)) == dt.date(2026, 12, 1)
    assert default_usage_month(dt.date(2026, 11, 20)) == dt.date(2026, 11, 1)


def test_formats() -> None:
    assert format_money(1234.4, decimals=0) == "$1,234" and format_money(1234.5) == "$1,234.50"
    assert format_money(-30.0, decimals=0) == "−$30" and format_money(None) == "—"
    assert format_money(-1234.5, "EUR") == "−€1,234.50" and format_money(5, "CHF") == "CHF 5.00"
    assert format_money(float("inf")) == "—"
    assert format_share(0.1234) == "12.3 %" and format_share(None) == "—"
