"""The Releases chart: two releases' regimes as coloured lanes, with the days they differ."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ..memo import by_content
from .palette import REGIME_COLORS, regime_color

__all__ = ["DIFFER_COLOR", "release_lanes_figure"]

DIFFER_COLOR = "#e53935"
_DAY = pd.Timedelta(days=1)


def _lane(spells: pd.DataFrame, y0: float, color_of: object) -> list[dict]:
    """One rectangle per spell (columns start, end, and regime when coloured by regime)."""
    return [
        {
            "type": "rect",
            "xref": "x",
            "yref": "y",
            "x0": s.start,
            "x1": s.end + _DAY,
            "y0": y0,
            "y1": y0 + 0.8,
            "fillcolor": color_of(s) if callable(color_of) else color_of,
            "line": {"width": 0},
        }
        for s in spells.itertuples()
    ]


def _legend(fig: go.Figure) -> None:
    entries = {**{r.title(): c for r, c in REGIME_COLORS.items()}, "Regimes differ": DIFFER_COLOR}
    for name, color in entries.items():
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                name=name,
                marker={"color": color, "size": 10, "symbol": "square"},
            )
        )


@by_content
def release_lanes_figure(
    spells_a: pd.DataFrame,
    spells_b: pd.DataFrame,
    differing: pd.DataFrame,
    label_a: str,
    label_b: str,
) -> go.Figure:
    """Lanes (top to bottom): release A's regimes, release B's regimes, the days on which
    they differ. spells_*: regime, start, end; differing: start, end."""
    fig = go.Figure()
    shapes = [
        *_lane(spells_a, 2.1, lambda s: regime_color(s.regime)),
        *_lane(spells_b, 1.1, lambda s: regime_color(s.regime)),
        *_lane(differing, 0.1, DIFFER_COLOR),
    ]
    _legend(fig)
    starts = pd.concat([spells_a["start"], spells_b["start"]])
    ends = pd.concat([spells_a["end"], spells_b["end"]]) + _DAY
    fig.update_layout(
        shapes=shapes,
        title=f"Regimes of {label_a} and {label_b}",
        height=300,
        xaxis={"type": "date", "range": [starts.min(), ends.max()] if len(starts) else None},
        yaxis={
            "range": [0, 3],
            "tickvals": [2.5, 1.5, 0.5],
            "ticktext": [label_a, label_b, "Differ"],
            "showgrid": False,
            "zeroline": False,
        },
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        legend={"orientation": "h", "y": -0.2},
    )
    return fig
