"""Home: what needs the viewer's attention, by role (services/home.py), each item a link to
the page and filters that explain it; the unread alerts; which database this is."""

from __future__ import annotations

import streamlit as st

from regime_dashboard.services.home import load_home_view, load_release_mismatches
from regime_dashboard.session import current_viewer
from regime_dashboard.ui import home_widgets as widgets
from regime_dashboard.ui.alerts import unread_alerts_list
from regime_dashboard.ui.text import plain

viewer = current_viewer()
if viewer is None:
    st.warning("Please sign in to see this page.")
    st.stop()

st.title(f"Welcome, {plain(viewer.display_name)}")
roles = ", ".join(sorted(viewer.roles))
if viewer.scope.is_all:
    st.caption(f"Signed in as **{roles}**, seeing every tenant.")
else:
    count = len(viewer.scope.tenant_ids or ())
    st.caption(f"Signed in as **{roles}**, seeing **{count}** tenant{'s' * (count != 1)}.")

with st.spinner("Gathering what needs your attention…"):
    home = load_home_view(viewer, mismatches=False)
if home.leadership is not None:
    widgets.leadership_section(home.leadership)
if home.admin is not None:
    widgets.admin_section(home.admin)
if home.analyst is not None:
    widgets.analyst_section(home.analyst)
unread_alerts_list(viewer)
if home.admin is not None:  # last: re-hashing every release's bars takes seconds when cold
    with st.spinner("Checking every release's input bars…"):
        widgets.mismatches_section(load_release_mismatches(viewer))
st.caption("Every page keeps its filters in the address bar: a view can be shared as a link.")
st.caption(home.database)
