"""Issue 15's leadership charts and cards, on small hand-made frames: ARR on exactly 12 × the
MRR axis with round ticks, cancellations as a positive count on their own axis, the cost
scatter on log axes, Operations' two legends and sparse log ticks, the Net line in a
theme-safe colour, the labelled 80 % / 100 % lines and the blocked bar, and the cards'
compact values and signed deltas."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from regime_dashboard.charts.billing import (
    margin_figure,
    movements_figure,
    mrr_figure,
    nice_ticks,
    status_figure,
)
from regime_dashboard.charts.ops import runs_figure, timings_figure
from regime_dashboard.charts.palette import NET_LINE_COLOR
from regime_dashboard.charts.usage import tenant_usage_figure, usage_share_figure
from regime_dashboard.ui.cards import card_value, delta_text, exact_value
from regime_dashboard.ui.leadership import share_text, usage_percent, usage_texts
from regime_dashboard.ui.tables import format_money

MONTHS = pd.to_datetime(["2026-01-01", "2026-02-01", "2026-03-01"])


def test_nice_ticks_by_hand() -> None:
    assert nice_ticks(3776.0) == (4000.0, 1000.0)  # 755 -> step 1000, 4 steps
    assert nice_ticks(512.0) == (600.0, 200.0)  # 102 -> 200
    assert nice_ticks(0.0) == (1.0, 0.2)


def test_arr_sits_on_twelve_times_the_mrr_axis() -> None:
    moves = pd.DataFrame({"month": MONTHS, "closing_mrr": [597.0, 1713.84, 3775.84]})
    fig = mrr_figure(moves.assign(arr=moves["closing_mrr"] * 12))
    left, right = fig.layout.yaxis, fig.layout.yaxis2
    assert tuple(right.range) == (0, 12 * left.range[1]) and right.dtick == 12 * left.dtick
    assert left.tickformat == "$~s" and left.range[1] == 4000.0
    # a point's height on its axis is the same share of the axis for MRR and ARR
    for mrr, arr in zip(fig.data[0].y, fig.data[1].y, strict=True):
        assert mrr / left.range[1] == pytest.approx(arr / right.range[1])


def test_cancellations_are_a_positive_count_on_their_own_axis() -> None:
    statuses = pd.DataFrame(
        {
            "month": MONTHS,
            "active": [3, 4, 5],
            "past_due": [0, 1, 0],
            "trialing": [1, 0, 1],
            "canceled_in_month": [0, 2, 1],
        }
    )
    fig = status_figure(statuses)
    canceled = next(t for t in fig.data if t.name == "Canceled in month")
    assert list(canceled.y) == [0, 2, 1] and canceled.yaxis == "y2"
    assert all(v >= 0 for t in fig.data for v in t.y)


def test_the_net_line_reads_in_both_themes() -> None:
    moves = pd.DataFrame(
        {"month": MONTHS, "net": [1.0, -2.0, 3.0]}
        | {m: [0.0, 0.0, 0.0] for m in ("new", "expansion", "reactivation")}
        | {m: [0.0, 0.0, 0.0] for m in ("contraction", "churn")}
    )
    fig = movements_figure(moves)
    net = next(t for t in fig.data if t.name == "Net")
    assert net.line.color == NET_LINE_COLOR and NET_LINE_COLOR not in ("#212121", "#000000")
    bars = [t for t in fig.data if t.type == "bar"]
    assert [t.customdata[0] for t in bars] == [
        "new", "expansion", "reactivation", "contraction", "churn",
    ]  # fmt: skip


def test_the_cost_scatter_uses_log_axes_and_keeps_zero_revenue_visible() -> None:
    tenants = pd.DataFrame(
        {
            "tenant_name": ["A", "B", "C"],
            "revenue_usd": [2000.0, 0.0, 150.0],
            "cost_usd": [40.0, 12.0, 3.0],
        }
    ).assign(margin_usd=lambda f: f["revenue_usd"] - f["cost_usd"])
    fig = margin_figure(tenants)
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.type == "log"
    loss = next(t for t in fig.data if t.name == "Loss")
    assert list(loss.y) == [fig.layout.yaxis.tickvals[0]]  # no revenue: on the bottom edge
    assert fig.layout.yaxis.ticktext[0] == "none"
    assert list(loss.customdata[0]) == [12.0, 0.0]  # the hover shows the true amounts


def test_operations_has_one_legend_per_panel_and_sparse_log_ticks() -> None:
    days = pd.to_datetime(["2026-11-01", "2026-11-02"])
    by_kind = pd.DataFrame({"day": days, "kind": ["backtest", "agent"], "runs": [3, 4]})
    by_status = pd.DataFrame({"day": days, "status": ["succeeded", "failed"], "runs": [5, 2]})
    daily = pd.DataFrame({"day": days, "failure_rate": [0.0, 0.5]})
    fig = runs_figure(by_kind, by_status, daily)
    legends = {t.name: t.legend for t in fig.data if t.type == "bar"}
    assert legends["Backtest"] in (None, "legend") and legends["Failed"] == "legend2"
    assert fig.layout.legend.title.text == "Kind" and fig.layout.legend2.title.text == "Status"
    timings = pd.DataFrame(
        {"kind": ["agent", "all"]}
        | {f"{p}_{q}_s": [5.0, 60.0] for p in ("queue", "run") for q in ("p50", "p95")}
    )
    timing = timings_figure(timings)
    assert all(bar.orientation == "h" for bar in timing.data)  # kind names on the y axis
    assert list(timing.data[0].y) == ["Agent", "All"]
    ticks = timing.layout.xaxis.tickvals
    assert all(round(v / 10 ** math.floor(math.log10(v)), 6) in (1, 2, 5) for v in ticks)


def test_usage_lines_are_labelled_and_a_zero_limit_is_blocked() -> None:
    rows = pd.DataFrame(
        {
            "tenant_id": ["t1", "t2"],
            "tenant_name": ["A", "B"],
            "metric": ["tokens", "api_calls"],
            "limit_value": [0.0, 100.0],
            "pct_used": [math.inf, 0.5],
            "projected_pct": [math.inf, 0.9],
            "state": ["over", "ok"],
        }
    )
    fig = usage_share_figure(rows)
    assert list(fig.data[0].y) == ["A · Tokens", "B · API calls"]  # metrics by their labels
    assert [a.text for a in fig.layout.annotations] == ["80 % near", "100 % limit"]
    # both labels left of their lines, one above the other: they never overlap on a phone
    labels = fig.layout.annotations
    assert [a.xanchor for a in labels] == ["right", "right"]
    assert labels[1].yshift - (labels[0].yshift or 0) >= labels[0].font.size
    assert list(fig.data[0].customdata) == ["t1", "t2"]
    assert fig.data[0].text[0] == "blocked (limit 0)" and math.isfinite(fig.data[0].x[0])
    shown = usage_texts(rows)
    assert list(shown["pct_used_text"]) == ["blocked (limit 0)", "50.0 %"]
    assert list(shown["state_text"]) == ["Blocked", "Ok"]
    assert usage_percent(math.nan, math.nan) == "—"


def test_card_values_fit_and_deltas_are_signed() -> None:
    assert card_value(3776.0, "usd") == "$3,776"
    assert card_value(45_310.08, "usd") == "$45.3k"
    assert card_value(947_412.0, "usd") == "$947.4k"
    assert card_value(1_249_999.0, "count") == "1.2M"
    assert card_value(-0.027, "share") == "−2.7 %"
    assert card_value(None, "usd") == card_value(math.inf, "usd") == "—"
    assert exact_value(45_310.08, "usd") == "$45,310.08"
    assert delta_text(3776.0, 447.0, "usd") == "+$3,329"
    assert delta_text(447.0, 3776.0, "usd") == "−$3,329"
    assert delta_text(45_310.0, 5_364.0, "usd") == "+$39.9k"
    assert delta_text(7, 3, "count") == "+4"
    assert delta_text(0.028, 0.001, "share") == "+2.7 pts"
    assert delta_text(1.0, None, "usd") is None
    # a change that rounds to zero has no sign
    assert delta_text(0.5, 0.5004, "share") == "0.0 pts"
    assert delta_text(0.5004, 0.5, "share") == "0.0 pts"
    assert delta_text(0.5, 0.51, "share") == "−1.0 pts"
    assert delta_text(1.0, 1.04, "seconds") == "0.0 s"
    assert delta_text(3, 3, "count") == "0"
    assert delta_text(10.001, 10.0, "usd") == "$0.00"
    assert format_money(-800.0) == "−$800.00" and format_money(None) == "—"
    assert share_text(math.nan) == "—" and share_text(0.75) == "75.0 %"


def test_a_tenants_usage_rows_are_titled_by_the_metrics_labels() -> None:
    days = pd.to_datetime(["2026-11-01", "2026-11-02"])
    daily = pd.DataFrame(
        {
            "day": list(days) * 2,
            "metric": ["api_calls"] * 2 + ["tokens"] * 2,
            "quantity": [5.0, 7.0, 100.0, 50.0],
            "cumulative": [5.0, 12.0, 100.0, 150.0],
        }
    )
    limits = pd.DataFrame({"metric": ["api_calls", "tokens"], "limit_value": [100.0, math.nan]})
    projection = pd.DataFrame({"metric": ["api_calls"], "day": [days[-1]], "projected": [180.0]})
    fig = tenant_usage_figure(daily, limits, projection, "Harbor")
    titles = [a.text for a in fig.layout.annotations if a.text in ("API calls", "Tokens")]
    assert titles == ["API calls", "Tokens"]
    assert not [a.text for a in fig.layout.annotations if a.text in ("api_calls", "tokens")]
