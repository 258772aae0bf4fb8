"""Price charts: candles with volume, and the histogram of daily returns."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ..figure_memo import by_content
from .stacked import candles_and_volume, stacked_figure
from .text import plotly_text

__all__ = ["price_figure", "returns_histogram_figure"]


@by_content
def price_figure(candles: pd.DataFrame, title: str, *, log_scale: bool) -> go.Figure:
    """candles: date, open, high, low, close, volume (already merged for long ranges)."""
    return stacked_figure(
        candles_and_volume(candles),
        heights=[0.78, 0.22],
        gap=0.03,
        crosshair=True,
        y_axes=[
            {"title": {"text": "Price"}, "type": "log" if log_scale else "linear"},
            {"title": {"text": "Volume"}},
        ],
        layout={
            "title": {"text": plotly_text(title), "x": 0.01, "xref": "container"},
            "height": 520,
            "xaxis": {"rangeslider": {"visible": False}},
            "margin": {"l": 10, "r": 10, "t": 50, "b": 10},
        },
    )


@by_content
def returns_histogram_figure(histogram: pd.DataFrame, title: str) -> go.Figure:
    """histogram: bin_start, bin_end, count (returns as fractions)."""
    centers = (histogram["bin_start"] + histogram["bin_end"]) / 2
    fig = go.Figure(
        go.Bar(
            x=centers,
            y=histogram["count"],
            width=histogram["bin_end"] - histogram["bin_start"],
            customdata=histogram[["bin_start", "bin_end"]].to_numpy(),
            hovertemplate="%{customdata[0]:.2%} to %{customdata[1]:.2%}: %{y:,} days"
            "<extra></extra>",
            marker_color="#1e88e5",
            name="Days",
        )
    )
    fig.update_layout(
        title=plotly_text(title),
        height=360,
        xaxis={"title": "Daily return", "tickformat": ".1%"},
        yaxis={"title": "Days"},
        bargap=0.02,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
    )
    return fig
