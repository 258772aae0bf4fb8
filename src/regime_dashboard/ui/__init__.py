"""Small Streamlit pieces shared by pages: URL-kept filters and row pickers, escaped user
text, period pickers, tables with their CSV export, number formats, error boxes. Views use
them; services never do."""

from .errors import show_database_error
from .params import BIND, date_range, labels_of, pick, pick_next, range_picker, section
from .tables import (
    Latest,
    csv_download,
    format_money,
    format_seconds,
    format_share,
    month_column,
    share_column,
    show_table,
    table_with_download,
    usd_column,
)
from .text import plain

__all__ = [
    "BIND",
    "Latest",
    "csv_download",
    "date_range",
    "format_money",
    "format_seconds",
    "format_share",
    "labels_of",
    "month_column",
    "pick",
    "pick_next",
    "plain",
    "range_picker",
    "section",
    "share_column",
    "show_database_error",
    "show_table",
    "table_with_download",
    "usd_column",
]
