"""Entry point: the frame around every page. Builds the navigation and runs the page."""

from __future__ import annotations

import streamlit as st
from sqlalchemy.exc import DBAPIError

from regime_dashboard.ui import show_database_error

st.set_page_config(page_title="Regime Dashboard", page_icon="📈", layout="wide")

pages = {
    "Analysis": [
        st.Page("views/regimes.py", title="Regimes", icon="🧭", url_path="regimes", default=True)
    ],
}
page = st.navigation(pages)
try:
    page.run()
except DBAPIError as exc:
    show_database_error(exc)
