"""Names reach figures as text: Plotly's HTML subset (links, bold) is written as entities."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from regime_dashboard.charts.prices import price_figure
from regime_dashboard.charts.text import plotly_text
from regime_dashboard.charts.usage import usage_share_figure

LINK = '<a href="http://127.0.0.1:9/">Acme</a> & <b>Co</b>'
ESCAPED = '&lt;a href="http://127.0.0.1:9/"&gt;Acme&lt;/a&gt; &amp; &lt;b&gt;Co&lt;/b&gt;'


def test_plotly_text_writes_tags_and_ampersands_as_entities() -> None:
    assert plotly_text(LINK) == ESCAPED
    assert plotly_text("S&P 500") == "S&amp;P 500"
    assert plotly_text("Risk off") == "Risk off"


def test_a_tenant_name_with_a_link_is_shown_as_text_in_the_usage_chart() -> None:
    rows = pd.DataFrame(
        {
            "tenant_id": ["00000000-0000-0000-0000-000000000001"],
            "tenant_name": [LINK],
            "metric": ["api_calls"],
            "limit_value": [1000.0],
            "pct_used": [0.9],
            "state": ["near"],
        }
    )
    figure = usage_share_figure(rows)
    assert list(figure.data[0].y) == [f"{ESCAPED} · API calls"]  # metered.metric_label


def test_a_title_with_a_link_is_shown_as_text_on_the_price_chart() -> None:
    candles = pd.DataFrame(
        {
            "date": [dt.date(2024, 1, 2)],
            "open": [1.0],
            "high": [2.0],
            "low": [0.5],
            "close": [1.5],
            "volume": [100.0],
        }
    )
    figure = price_figure(candles, LINK, log_scale=False)
    assert figure.layout.title.text == ESCAPED


def test_a_tenant_name_with_a_link_is_text_in_the_margin_hover() -> None:
    from regime_dashboard.charts.billing import margin_figure

    tenants = pd.DataFrame(
        {"tenant_name": [LINK], "revenue_usd": [10.0], "cost_usd": [20.0], "margin_usd": [-10.0]}
    )
    figure = margin_figure(tenants)
    assert [list(t.text) for t in figure.data if t.text is not None] == [[], [ESCAPED]]


def test_release_versions_with_a_link_are_text_in_the_lanes() -> None:
    from regime_dashboard.charts.releases import release_lanes_figure

    day = pd.Timestamp("2024-01-02")
    spells = pd.DataFrame({"regime": ["bull"], "start": [day], "end": [day]})
    no_days = pd.DataFrame({"start": pd.Series([], dtype="datetime64[ns]"), "end": []})
    figure = release_lanes_figure(spells, spells, no_days, LINK, "v2")
    assert figure.layout.title.text == f"Regimes of {ESCAPED} and v2"
    assert ESCAPED in figure.layout.yaxis.categoryarray
