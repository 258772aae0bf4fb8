"""Tables with their CSV export, table column formats, and the number formats of metric
cards: money in dollars, shares in percent, durations in seconds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from ..exports import csv_bytes
from ..labels import money_text
from . import columns as column_defaults

MISSING = "—"  # what a table shows for a missing value


@dataclass(frozen=True)
class Latest:
    """Show at most `rows` rows of a long table: those with the latest `by` (a column of
    dates or times); `what` names them in the caption ("by day")."""

    by: str
    rows: int = 500
    what: str = "by date"


__all__ = [
    "Latest",
    "csv_download",
    "format_money",
    "format_seconds",
    "format_share",
    "latest_rows",
    "month_column",
    "share_column",
    "show_table",
    "table_with_download",
    "usd_column",
]


def csv_download(frame: pd.DataFrame, file_name: str, label: str = "Download CSV") -> None:
    """A button that downloads `frame` as CSV. The file is written only when the button is
    pressed (deferred data), not on every rerun, and pressing it does not rerun the page.
    Text a spreadsheet would run as a formula is neutralised (`exports.csv_bytes`)."""
    name = (file_name if file_name.endswith(".csv") else f"{file_name}.csv").replace(" ", "_")
    st.download_button(
        label,
        lambda: csv_bytes(frame),
        file_name=name,
        mime="text/csv",
        key=f"csv_{name}",
        on_click="ignore",
    )


def latest_rows(frame: pd.DataFrame, latest: Latest | None) -> tuple[pd.DataFrame, str]:
    """At most `latest.rows` rows of `frame`, those with the latest `latest.by` values, in
    the frame's own order, and the caption that says so ("" when every row is shown)."""
    if latest is None or len(frame) <= latest.rows:
        return frame, ""
    kept = frame[latest.by].rank(method="first", ascending=False) <= latest.rows
    caption = (
        f"The latest {latest.rows:,} of {len(frame):,} rows ({latest.what}); "
        "Download CSV has every row."
    )
    return frame[kept.to_numpy()], caption


def table_with_download(
    frame: pd.DataFrame,
    file_name: str,
    column_config: dict | None = None,
    column_order: list[str] | None = None,
    latest: Latest | None = None,
) -> None:
    """A table and, under it, its CSV export (every column and row of `frame`, raw values).
    Headings and formats come from `ui/columns.py` (internal columns hidden), `column_config`
    over them; stored identifiers by their labels (`columns.VALUES`: "API calls"); shares in
    the one percentage style ("57.3 %", `columns.in_percent`; the CSV keeps 0.573); missing
    and infinite numbers show as `—`. With `latest`, a long table shows only its latest rows
    (`latest_rows`): the browser is sent and draws those, the CSV keeps them all."""
    shown, caption = latest_rows(frame, latest)
    shown = shown.replace([np.inf, -np.inf], np.nan) if _has_infinity(shown) else shown
    shown = column_defaults.with_value_labels(shown)  # `api_calls` reads "API calls"
    config = column_defaults.column_config(frame, column_config)
    shown, config = column_defaults.in_percent(shown, config)  # 0.573 shows "57.3 %"
    st.dataframe(
        shown,
        hide_index=True,
        column_config=config,
        column_order=column_order,
        placeholder=MISSING,
    )
    if caption:
        st.caption(caption)
    csv_download(frame, file_name)


def _has_infinity(frame: pd.DataFrame) -> bool:
    floats = frame.select_dtypes("number")
    return bool(np.isinf(floats.to_numpy(dtype="float64", na_value=np.nan)).any())


def show_table(
    frame: pd.DataFrame,
    file_name: str,
    order: list[str] | None = None,
    latest: Latest | None = None,
    **columns: Any,
) -> None:
    """`table_with_download` with each column's config as a keyword (column name: config or
    heading; names that are not identifiers go in a `**{...}`)."""
    table_with_download(frame, file_name, columns, order, latest)


def format_money(amount: float | None, currency: str = "USD", decimals: int = 2) -> str:
    """The one money format (`labels.money_text`, which services use too): '$1,234.50',
    '−$800.00' (a true minus sign before the symbol), 'CHF 1,234.50' without a symbol; '—'
    when missing."""
    return money_text(amount, currency, decimals)


def format_share(share: float | None) -> str:
    """'12.3 %' (or '—' when undefined)."""
    return "—" if share is None or pd.isna(share) else f"{share:.1%}".replace("%", " %")


def format_seconds(seconds: float | None) -> str:
    """'12.3 s' (or '—' when undefined)."""
    return "—" if seconds is None or pd.isna(seconds) else f"{seconds:,.1f} s"


def usd_column(label: str) -> Any:
    """A table column of US dollars ($1,234.57)."""
    return st.column_config.NumberColumn(label, format="dollar")


def share_column(label: str | None = None) -> Any:
    """A table column of shares shown as percentages, "57.3 %" (headed by the column's name
    unless `label`): `table_with_download` shows its values ×100 (`columns.in_percent`); a
    frame shown otherwise must hold percentages (share × 100)."""
    return st.column_config.NumberColumn(label, format=column_defaults.PERCENT_FORMAT)


def month_column(label: str = "Month") -> Any:
    return st.column_config.DateColumn(label, format="MMM YYYY")
