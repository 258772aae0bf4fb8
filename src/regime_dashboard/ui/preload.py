"""Plotly.js loaded by the browser while the server is still working.

Streamlit's frontend fetches its Plotly chunk (4.7 MB of JavaScript) only when a page's
first chart arrives, then parses it and only then draws: on a page opened by its URL, or
the first chart page after the sign-in, that is 1–2 s of the wait for the first chart
(docs/performance.md). A hidden one-point chart at the top of every run makes the browser
load the chunk as soon as the run starts: during the sign-in form, and in parallel with
the server's queries for the page. It is drawn in every run, in the same place, so the
page below never moves (a layout block drawn in one run only above the page breaks the
URL binding of the page's widgets)."""

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
