"""Plotly.js loaded by the browser while the viewer signs in.

Streamlit's frontend fetches its Plotly chunk (4.7 MB of JavaScript) only when a page's
first chart arrives, then evaluates it (0.8 s of the main thread on a 2-core machine) and
only then draws: after a sign-in, the first chart page waited 1–2 s for it
(docs/performance.md). A hidden one-point chart drawn at the end of the sign-in form's run
makes the browser load the chunk while the viewer types; the pages they then open in that
tab find it loaded.

It is drawn in that run only. A signed-in run does not draw it: a page opened by its URL
in a new document loads the chunk with its own first chart, and a page without charts
(Home, Backtests' run list, the admin pages) never loads it. Drawn in every run, it held
such a page's first table back by 1.1 s in a new tab (the browser evaluated Plotly.js
first). It is the run's last element, so nothing below it moves when it goes."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit import dataframe_util, string_util

__all__ = ["PRELOAD_KEY", "preload_plotly", "warm_streamlit"]

PRELOAD_KEY = "plotly_preload"
_HIDE = f"<style>.st-key-{PRELOAD_KEY}{{display:none}}</style>"
_CONFIG = {"staticPlot": True, "displayModeBar": False}
_figure: go.Figure | None = None


def _blank() -> go.Figure:
    """One empty figure per process (building a Figure validates it: a few ms)."""
    global _figure
    if _figure is None:
        _figure = go.Figure(layout={"height": 10, "margin": {"l": 0, "r": 0, "t": 0, "b": 0}})
    return _figure


def preload_plotly() -> None:
    """The hidden chart (in a container that CSS hides, so it takes no space)."""
    st.html(_HIDE)
    with st.container(key=PRELOAD_KEY):
        st.plotly_chart(_blank(), config=_CONFIG, key=PRELOAD_KEY + "_chart")


def warm_streamlit(frame: pd.DataFrame) -> None:
    """Streamlit's first-use work, done at start-up (gc_freeze): its emoji table, loaded
    the first time app.py's page icon is checked, and a first DataFrame turned into Arrow."""
    string_util.is_emoji("📈")
    dataframe_util.convert_pandas_df_to_arrow_bytes(frame)
