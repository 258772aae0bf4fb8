"""ui/columns.py: the one place that heads and formats table columns, and how a page's own
column config goes over it; tables show shares in the one percentage style and labels of
stored values, while their CSV exports stay raw (docs/architecture.md, tables)."""

from __future__ import annotations

import io
import json
from typing import Any

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from regime_dashboard.ui.columns import COLUMNS, HIDDEN, column_config, config_for, label_of


def test_known_columns_get_their_heading_unit_and_format() -> None:
    money = config_for("realized_pnl_cum")
    assert money is not None
    assert money["label"] == "Realized P&L, cumulative ($)"
    assert money["type_config"]["format"] == "dollar"
    share = config_for("confidence_score")
    assert share is not None and share["type_config"]["format"] == "%.1f %%"  # "57.3 %"
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


def _csv_of(at: AppTest, index: int = 0) -> pd.DataFrame:
    """The CSV the `index`th download button of the run writes (its deferred data, kept by
    the script in session state under "_csv"), read back raw."""
    button = at.get("download_button")[index]
    data = at.session_state["_csv"][button.proto.deferred_file_id]
    return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)


def _keep_csvs() -> None:
    """In an AppTest script: keep every download button's data in session state."""
    from streamlit import runtime

    deferred: Any = runtime.get_instance().media_file_mgr._deferred_callables
    st.session_state["_csv"] = {key: item["callable"]() for key, item in deferred.items()}


def _shares_script() -> None:
    import pandas as pd
    import streamlit as st

    from regime_dashboard.ui.tables import share_column, show_table
    from tests.unit.test_table_columns import _keep_csvs

    frame = pd.DataFrame(
        {
            "asset_id": ["SPY", "QQQ"],
            "confidence": [0.5734, None],  # kind "share" (ui/columns)
            "gap": [0.25, -0.031],  # a page's own share_column
            "Own": [0.5, 1.0],  # a page's own Streamlit "percent" config
            "field": ["realized_vol", "dsr"],
        }
    )
    show_table(
        frame,
        "shares",
        gap=share_column("Gap"),
        Own=st.column_config.NumberColumn("Own", format="percent"),
    )
    _keep_csvs()


def test_a_table_shows_shares_like_the_cards_and_exports_them_raw() -> None:
    at = AppTest.from_function(_shares_script, default_timeout=60).run()
    assert not at.exception
    table = at.dataframe[0]
    shown = table.value
    config = json.loads(table.proto.columns)
    for column in ("confidence", "gap", "Own"):  # one style: "57.3 %", as format_share
        assert config[column]["type_config"] == {"type": "number", "format": "%.1f %%"}
    assert shown["confidence"].iloc[0] == pytest.approx(57.34)  # a number: it sorts
    assert pd.isna(shown["confidence"].iloc[1])
    assert list(shown["gap"]) == pytest.approx([25.0, -3.1])
    assert list(shown["Own"]) == pytest.approx([50.0, 100.0])
    assert list(shown["field"]) == ["Realized volatility", "DSR · drawdown"]
    csv = _csv_of(at)
    assert list(csv.columns) == ["asset_id", "confidence", "gap", "Own", "field"]
    assert csv.to_dict("records")[0] == {
        "asset_id": "SPY",
        "confidence": "0.5734",
        "gap": "0.25",
        "Own": "0.5",
        "field": "realized_vol",
    }


def _limits_script() -> None:
    import pandas as pd

    from regime_dashboard.ui.admin_widgets import table
    from regime_dashboard.ui.columns import limit_texts
    from tests.unit.test_table_columns import _keep_csvs

    usage = pd.DataFrame(
        {
            "metric": ["api_calls", "seats", "tokens"],
            "used": [1234, 3, 0],
            "limit_value": [100_000, 10, None],
        }
    )
    headings = {"metric": "Metric", "used": "Used", "limit_value": "Limit"}
    table(usage, "usage against limits", headings, read=limit_texts)
    _keep_csvs()


def test_an_admin_table_shows_limits_with_units_and_exports_them_raw() -> None:
    at = AppTest.from_function(_limits_script, default_timeout=60).run()
    assert not at.exception
    shown = at.dataframe[0].value
    assert list(shown["Metric"]) == ["API calls", "Seats", "Tokens"]
    assert list(shown["Limit"]) == ["100,000 calls/month", "10 seats", "unlimited"]
    csv = _csv_of(at)
    assert list(csv.columns) == ["Metric", "Used", "Limit"]
    assert csv.to_dict("records") == [
        {"Metric": "api_calls", "Used": "1234", "Limit": "100000"},
        {"Metric": "seats", "Used": "3", "Limit": "10"},
        {"Metric": "tokens", "Used": "0", "Limit": ""},
    ]


def test_limits_and_features_read_as_words() -> None:
    from regime_dashboard.ui.admin_widgets import mapping_text

    limits = {"api_calls": 1000, "backtests": None, "tokens": 2_000_000, "seats": 10}
    assert mapping_text(limits) == (
        "API calls 1,000/month · Backtests unlimited · Tokens 2,000,000/month · Seats 10"
    )
    features = {"backtests": True, "api_access": False, "support": "email"}
    assert mapping_text(features) == "Backtests · Support: email"  # a flag, not a limit
    assert mapping_text({}) == "—" and mapping_text(None) == "—"


def _latest_script() -> None:
    import pandas as pd

    from regime_dashboard.ui.tables import Latest, show_table
    from tests.unit.test_table_columns import _keep_csvs

    placed = ["2026-03-01", "2026-01-01", "2026-04-01", "2026-02-01", "2026-05-01"]
    frame = pd.DataFrame({"order_timestamp": pd.to_datetime(placed), "quantity": [1, 2, 3, 4, 5]})
    show_table(frame, "orders", latest=Latest("order_timestamp", rows=3, what="by time placed"))
    show_table(frame, "short", latest=Latest("order_timestamp", rows=5))
    _keep_csvs()


def test_a_long_table_shows_its_latest_rows_and_exports_them_all() -> None:
    """Five orders, the latest three shown (April, May, March: the frame's own order), the
    caption says how many of how many, the CSV has all five; a table within the limit is
    shown whole without a caption."""
    at = AppTest.from_function(_latest_script, default_timeout=60).run()
    assert not at.exception
    assert list(at.dataframe[0].value["quantity"]) == [1, 3, 5]
    assert [c.value for c in at.caption] == [
        "The latest 3 of 5 rows (by time placed); Download CSV has every row."
    ]
    assert list(_csv_of(at, 0)["quantity"]) == ["1", "2", "3", "4", "5"]
    assert list(at.dataframe[1].value["quantity"]) == [1, 2, 3, 4, 5]
