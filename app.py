"""Entry point: the frame around every page. Signs the viewer in, builds the navigation
from their roles, runs the chosen page. Page files live in views/, not pages/ (README)."""

from __future__ import annotations

import streamlit as st

from regime_dashboard.auth.gate import CookieKeyError, signed_in_viewer
from regime_dashboard.cache import pinned_data_version
from regime_dashboard.config import get_settings
from regime_dashboard.gc_freeze import freeze_startup_heap
from regime_dashboard.navigation import PAGES, PageSpec, pages_for
from regime_dashboard.ui.alerts import sidebar_alert_count
from regime_dashboard.ui.errors import DATABASE_ERRORS, show_database_error
from regime_dashboard.ui.preload import preload_plotly
from regime_dashboard.viewer import Viewer

st.set_page_config(page_title="Regime Dashboard", page_icon="📈", layout="wide")
freeze_startup_heap()  # once per process: full garbage collections skip the libraries


def _page(spec: PageSpec) -> st.Page:
    if spec.default:
        return st.Page(spec.path, title=spec.title, icon=spec.icon, default=True)
    return st.Page(spec.path, title=spec.title, icon=spec.icon, url_path=spec.slug)


def _locked(spec: PageSpec) -> st.Page:
    """Stands in for a page the viewer's role may not open: a clear message, and the real
    page file is never registered for them."""

    def locked() -> None:
        st.error(
            f"Your role does not give access to {spec.title}. Ask an admin if you need it.",
            icon=":material/lock:",
        )

    return st.Page(locked, title=spec.title, icon=":material/lock:", url_path=spec.slug)


def navigate(viewer: Viewer) -> st.Page:
    """Register the viewer's pages (and locked stand-ins for the rest); draw the menu."""
    allowed = pages_for(viewer.roles)
    pages = {spec: _page(spec) for spec in allowed}
    locked = [_locked(spec) for spec in PAGES if spec not in pages and not spec.default]
    current = st.navigation([*pages.values(), *locked], position="hidden")
    with st.sidebar:
        for section in dict.fromkeys(spec.section for spec in allowed):
            st.caption(section)
            for spec in (s for s in allowed if s.section == section):
                st.page_link(pages[spec])
        sidebar_alert_count(viewer)
    return current


def _signed_in_viewer() -> Viewer:
    """The viewer of this session; when there is none, the sign-in form has been drawn and
    the run stops here."""
    try:
        viewer = signed_in_viewer(get_settings())
    except CookieKeyError as exc:
        st.error(str(exc), icon=":material/key:")
        st.stop()
    if viewer is None:
        # Register every page, hidden and never run, so that the requested URL (a shared
        # link) survives the sign-in and opens once the viewer is known.
        st.navigation([_page(spec) for spec in PAGES], position="hidden")
        preload_plotly()  # hidden: the browser loads Plotly.js while the viewer signs in
        st.stop()
    return viewer


try:
    with pinned_data_version():  # one read of the data version per run; every key uses it
        page = navigate(_signed_in_viewer())
        try:
            page.run()
        except DATABASE_ERRORS as exc:
            show_database_error(exc)
except DATABASE_ERRORS as exc:  # the data version or the sign-in could not be read
    show_database_error(exc)
    # Pages registered (hidden, none run) as while signed out: the page asked for stays
    # the session's page, so Retry returns to it rather than to Home.
    st.navigation([_page(spec) for spec in PAGES], position="hidden")
    st.stop()
