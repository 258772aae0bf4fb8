"""Entry point: the frame around every page. Signs the viewer in, builds the navigation
from their roles, runs the chosen page. Page files live in views/, not pages/ (README)."""

from __future__ import annotations

import streamlit as st
from sqlalchemy.exc import DBAPIError

from regime_dashboard.auth.gate import CookieKeyError, signed_in_viewer
from regime_dashboard.config import get_settings
from regime_dashboard.navigation import PAGES, PageSpec, pages_for
from regime_dashboard.ui import show_database_error
from regime_dashboard.viewer import Viewer

st.set_page_config(page_title="Regime Dashboard", page_icon="📈", layout="wide")


def _page(spec: PageSpec) -> st.Page:
    if spec.default:
        return st.Page(spec.path, title=spec.title, icon=spec.icon, default=True)
    return st.Page(spec.path, title=spec.title, icon=spec.icon, url_path=spec.slug)


def navigation_for(viewer: Viewer) -> dict[str, list[st.Page]]:
    sections: dict[str, list[st.Page]] = {}
    for spec in pages_for(viewer.roles):
        sections.setdefault(spec.section, []).append(_page(spec))
    return sections


try:
    viewer = signed_in_viewer(get_settings())
except CookieKeyError as exc:
    st.error(str(exc), icon="🔑")
    st.stop()
except DBAPIError as exc:
    show_database_error(exc)
    st.stop()
if viewer is None:
    # Register every page, hidden and never run, so that the requested URL (a shared link)
    # survives the sign-in and opens once the viewer is known.
    st.navigation([_page(spec) for spec in PAGES], position="hidden")
    st.stop()

page = st.navigation(navigation_for(viewer))
try:
    page.run()
except DBAPIError as exc:
    show_database_error(exc)
