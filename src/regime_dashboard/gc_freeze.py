"""Keeping Python's full garbage collections short in a long-running server process.

A full (generation 2) collection walks every object the collector tracks. In a server that
has shown every page that is about 280,000 objects, nearly all of them the imported
libraries (Plotly's validators, pandas, SQLAlchemy, Streamlit), and one pass takes about
170 ms on the benchmark machine. It comes whenever enough objects have survived, inside
whichever page render happens to be running, so that render is 170 ms slower.

`freeze_startup_heap` imports what the pages use, builds and drops one figure of every
trace type so that Plotly loads its validators, then moves everything alive into the
permanent generation (`gc.freeze()`), which later collections skip. It runs once per
process, before any page data or figure is cached: at server start-up when the server is
started by `regime_dashboard.launch` (as `regime-dashboard run` does), otherwise on the
first page view (app.py calls it on every run; later calls return at once). Frozen objects
are never collected, so nothing that could later become cyclic garbage is frozen.
"""

from __future__ import annotations

import gc
import importlib
import pkgutil
import threading

import plotly.graph_objects as go

__all__ = ["freeze_startup_heap"]

PAGE_PACKAGES = ("auth", "queries", "metrics", "charts", "services", "ui")
_LOCK = threading.Lock()
_FROZEN = False


def _import_page_modules() -> None:
    for package_name in PAGE_PACKAGES:
        package = importlib.import_module(f"{__package__}.{package_name}")
        for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            importlib.import_module(module.name)


def _load_figure_validators() -> None:
    """One figure with every trace type and layout part the charts use, serialised once."""
    figure = go.Figure(
        data=[
            go.Candlestick(x=[0], open=[1], high=[1], low=[1], close=[1], text=[""]),
            go.Scatter(x=[0], y=[0], line={"color": "#000"}, marker={"color": "#000"}),
            go.Bar(x=[0], y=[0], marker={"color": [0], "colorscale": [[0, "#000"], [1, "#fff"]]}),
            go.Heatmap(z=[[0]], colorscale="RdYlGn", colorbar={"title": {"text": ""}}),
            go.Waterfall(x=["a"], y=[0], measure=["relative"]),
        ],
        layout={
            "shapes": [{"type": "rect", "line": {"width": 0}}],
            "annotations": [{"text": "", "font": {"size": 1}}],
            "xaxis2": {"matches": "x", "rangeslider": {"visible": False}},
            "yaxis3": {"overlaying": "y", "title": {"text": ""}},
            "legend": {"orientation": "h"},
            "title": {"text": ""},
            "margin": {"l": 0},
        },
    )
    figure.to_json()


def _first_use_work() -> None:
    """What a process's first page view would otherwise pay once (py-spy over a server's
    first view: 0.3–0.7 s): the database driver's import, a first figure made of pandas
    columns, and Streamlit's own first-use work (`ui.preload.warm_streamlit`)."""
    import pandas as pd
    import psycopg  # noqa: F401  (the engine's dialect imports it on first create_engine)

    from .ui.preload import warm_streamlit

    frame = pd.DataFrame({"day": pd.to_datetime(["2026-01-02"], utc=True), "value": [1.5]})
    # Plotly reads pandas columns through narwhals, whose pandas backend loads on first use
    go.Figure(go.Scatter(x=frame["day"], y=frame["value"])).to_json()
    warm_streamlit(frame)


def freeze_startup_heap() -> bool:
    """Freeze the startup heap (once per process); True when this call froze it."""
    global _FROZEN
    with _LOCK:
        if _FROZEN:
            return False
        _import_page_modules()
        _load_figure_validators()
        _first_use_work()
        gc.collect()
        gc.freeze()
        _FROZEN = True
        return True
