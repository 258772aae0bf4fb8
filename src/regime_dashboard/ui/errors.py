"""A clear message instead of a traceback when the database fails a page."""

from __future__ import annotations

import streamlit as st

__all__ = ["show_database_error"]


def show_database_error(exc: BaseException) -> None:
    """A clear message instead of a traceback; the next rerun tries again."""
    text = str(getattr(exc, "orig", exc)).lower()
    if "statement timeout" in text or "canceling statement" in text:
        st.error(
            "This query took longer than the database's statement timeout and was stopped. "
            "Narrow the date range or filters and try again.",
            icon="⏱️",
        )
    else:
        st.error(
            "The database is not answering right now. The page will work again as soon "
            "as it is back: press R or use the button below to retry.",
            icon="🛑",
        )
    st.button("Retry", key="_retry_database")
