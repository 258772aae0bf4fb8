"""Home: who you are, what you can open, which database this is (its address: admins only)."""

from __future__ import annotations

import streamlit as st

from regime_dashboard.services.home import database_line
from regime_dashboard.session import current_viewer
from regime_dashboard.ui.alerts import unread_alerts_list
from regime_dashboard.ui.text import plain

viewer = current_viewer()
if viewer is None:
    st.warning("Please sign in to see this page.")
    st.stop()

st.title(f"Welcome, {plain(viewer.display_name)}")
roles = ", ".join(sorted(viewer.roles))
if viewer.scope.is_all:
    st.write(f"You are signed in as **{roles}** and see every tenant.")
else:
    count = len(viewer.scope.tenant_ids or ())
    st.write(f"You are signed in as **{roles}** and see **{count}** tenant{'s' * (count != 1)}.")
st.write(
    "Use the pages in the sidebar. Every page keeps its filters in the address bar, so a "
    "view can be shared as a link."
)
unread_alerts_list(viewer)
st.caption(database_line(viewer))
