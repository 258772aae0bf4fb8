"""ui/columns.py: the one place that heads and formats table columns, and how a page's own
column config goes over it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from regime_dashboard.ui.columns import COLUMNS, HIDDEN, column_config, config_for, label_of


def test_known_columns_get_their_heading_unit_and_format() -> None:
    money = config_for("realized_pnl_cum")
    assert money is not None
    assert money["label"] == "Realized P&L, cumulative ($)"
    assert money["type_config"]["format"] == "dollar"
    share = config_for("confidence_score")
    assert share is not None and share["type_config"]["format"] == "percent"
    day = config_for("date")
    assert day is not None and day["type_config"] == {**day["type_config"], "type": "date"}
    assert day["type_config"]["format"] == "YYYY-MM-DD"


def test_every_heading_is_written_for_people() -> None:
    for column, heading in COLUMNS.items():
        assert heading.label[:1].isupper(), column
        assert "_" not in heading.label, column


def test_unknown_names_read_as_words_and_headings_stay() -> None:
    assert label_of("first_seen_at") == "First seen at"
    assert label_of("Regime A (v1)") == "Regime A (v1)"


def test_internal_columns_are_hidden_and_dates_lose_their_midnight() -> None:
    frame = pd.DataFrame(
        {
            "order_id": ["a"],
            "asset_id": ["SPY"],
            "Day": pd.to_datetime(["2025-01-01"]),
            "At": pd.to_datetime(["2025-01-01 19:30"], utc=True),
        }
    )
    config = column_config(frame)
    assert config["order_id"] is None and "order_id" in HIDDEN
    assert config["asset_id"]["label"] == "Asset"
    assert config["Day"]["type_config"]["type"] == "date"
    assert config["At"]["type_config"] == {
        **config["At"]["type_config"],
        "type": "datetime",
        "format": "YYYY-MM-DD HH:mm",
    }


def test_a_pages_own_config_goes_over_the_default() -> None:
    frame = pd.DataFrame({"fees": [1.0], "side": ["BUY"], "order_id": ["a"], "Other": [1]})
    config = column_config(
        frame,
        {
            "fees": "Fees paid ($)",  # a heading keeps the default's format
            "side": st.column_config.TextColumn(width="small"),  # keeps the default heading
            "order_id": "Order",  # shown after all
        },
    )
    assert config["fees"]["label"] == "Fees paid ($)"
    assert config["fees"]["type_config"]["format"] == "dollar"
    assert config["side"]["label"] == "Side" and config["side"]["width"] == "small"
    assert config["order_id"] == "Order"
    assert config["Other"]["label"] == "Other"
