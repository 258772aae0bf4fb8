"""The Releases chart: two releases' regimes as coloured lanes, with the days they differ.

The lanes are horizontal bars on a date axis (a Gantt chart: each bar starts at a spell's
first day and is as long as the spell), one trace per regime the releases stored (named by
`labels.regime_label`), so the legend names them."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ..figure_memo import by_content
from ..labels import regime_label
from .palette import HIGHLIGHT_COLOR, regime_colors, regime_order
from .text import plotly_text

__all__ = ["DIFFER_COLOR", "DIFFER_NAME", "release_lanes_figure"]

DIFFER_COLOR = HIGHLIGHT_COLOR  # neutral: not Bear's red nor any regime's colour
DIFFER_NAME = "Regimes differ"
DIFFER_LANE = "Differ"
_DAY = pd.Timedelta(days=1)
_DAY_MS = 86_400_000


def _spans(spells: pd.DataFrame, lane: str, name: str, color: str) -> go.Bar:
    """One bar per spell (columns start, end; inclusive days) on `lane`."""
    starts = pd.to_datetime(spells["start"])
    days = (pd.to_datetime(spells["end"]) - starts).dt.days + 1
    return go.Bar(
        orientation="h",
        y=[lane] * len(spells),
        base=starts.dt.strftime("%Y-%m-%d"),
        x=days.to_numpy() * _DAY_MS,
        customdata=list(zip(starts.dt.strftime("%d %b %Y"), days, strict=True)),
        name=name,
        marker={"color": color, "line": {"width": 0}},
        width=0.8,
        hovertemplate=f"{name} · %{{customdata[0]}} · %{{customdata[1]}} d<extra>%{{y}}</extra>",
    )


def _by_regime(spells_a: pd.DataFrame, spells_b: pd.DataFrame, lanes: tuple[str, str]) -> list:
    both = pd.concat(
        [spells_a.assign(lane=lanes[0]), spells_b.assign(lane=lanes[1])], ignore_index=True
    )
    traces = []
    for regime, color in regime_colors(regime_order(both["regime"])).items():
        rows = both[both["regime"] == regime]
        bar = _spans(rows, "", regime_label(regime), color)
        bar.y = list(rows["lane"])
        traces.append(bar)
    return traces


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
    label_a, label_b = plotly_text(label_a), plotly_text(label_b)
    traces = [
        *_by_regime(spells_a, spells_b, (label_a, label_b)),
        _spans(differing, DIFFER_LANE, DIFFER_NAME, DIFFER_COLOR),
    ]
    starts = pd.concat([spells_a["start"], spells_b["start"]])
    ends = pd.concat([spells_a["end"], spells_b["end"]]) + _DAY
    return go.Figure(
        data=traces,
        layout={
            "barmode": "overlay",
            "title": {"text": f"Regimes of {label_a} and {label_b}"},
            "height": 300,
            "xaxis": {
                "type": "date",
                "range": [starts.min(), ends.max()] if len(starts) else None,
            },
            "yaxis": {
                "type": "category",
                "categoryorder": "array",
                "categoryarray": [DIFFER_LANE, label_b, label_a],  # drawn bottom to top
                "showgrid": False,
            },
            "margin": {"l": 10, "r": 10, "t": 50, "b": 10},
            "legend": {"orientation": "h", "y": -0.2},
        },
    )
