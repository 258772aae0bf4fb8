"""Small Streamlit helpers shared by pages: URL-kept filters, period pickers, tables with
their CSV export, number formats, error boxes. Views use them; services never do."""

from .errors import show_database_error
from .params import date_param, pick_param
from .tables import (
    csv_download,
    format_seconds,
    format_share,
    format_usd,
    month_column,
    share_column,
    table_with_download,
    usd_column,
)

__all__ = [
    "csv_download",
    "date_param",
    "format_seconds",
    "format_share",
    "format_usd",
    "month_column",
    "pick_param",
    "share_column",
    "show_database_error",
    "table_with_download",
    "usd_column",
]
