"""Who is looking: the viewer, taken from the signed-in session only (never from a widget
or the URL). `app.py` stores it under VIEWER_KEY after sign-in."""

from __future__ import annotations

import streamlit as st

from .scope import TenantScope
from .viewer import Viewer

__all__ = ["VIEWER_KEY", "current_viewer", "page_viewer", "viewer_scope"]

VIEWER_KEY = "_viewer"


def current_viewer() -> Viewer | None:
    viewer = st.session_state.get(VIEWER_KEY)
    return viewer if isinstance(viewer, Viewer) else None


def viewer_scope() -> TenantScope:
    """The signed-in viewer's scope; nobody signed in sees no tenant at all."""
    viewer = current_viewer()
    return viewer.scope if viewer else TenantScope.only(())


def page_viewer(area: str) -> Viewer:
    """For the top of a page: the viewer if allowed into `area`, else a message and stop."""
    viewer = current_viewer()
    if viewer is None:
        st.warning("Please sign in to see this page.")
        st.stop()
    if not viewer.can(area):
        st.error(f"Your role does not give access to this page ({area} pages).", icon="🔒")
        st.stop()
    return viewer
