"""The Regimes chart: candles with regime-coloured background bands, volume, confidence.

Regimes are whatever labels the release stored: each is named with `labels.regime_label`
and coloured by `palette.regime_colors` over the labels of the chart."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ..engine_fields import FIELD_LABELS, OPTIONAL_OUTPUT_FIELDS
from ..figure_memo import by_content
from ..labels import regime_label
from .palette import PANEL_LINE_COLOR, regime_colors, regime_order
from .stacked import axis_names, candles_and_volume, stacked_figure
from .text import plotly_text

__all__ = [
    "PANEL_TITLES",
    "ordered_matrix",
    "panels_figure",
    "regime_price_figure",
    "transition_figure",
    "two_line_title",
]

PANEL_TITLES = {  # each optional field's panel title: its label (engine_fields.FIELD_LABELS)
    field: FIELD_LABELS[field] for field in OPTIONAL_OUTPUT_FIELDS
}


def two_line_title(title: str, subtitle: str = "") -> str:
    """A figure title (escaped, chart/text.py) with an optional smaller second line."""
    second = f"<br><span style='font-size:12px'>{plotly_text(subtitle)}</span>"
    return plotly_text(title) + (second if subtitle else "")


def _bands(spells: pd.DataFrame) -> list[dict]:
    """One background rectangle per regime spell (spells: regime, start, end)."""
    colors = regime_colors(regime_order(spells["regime"]))
    return [
        {
            "type": "rect",
            "xref": "x",
            "yref": "paper",
            "x0": s.start,
            "x1": s.end + pd.Timedelta(days=1),
            "y0": 0,
            "y1": 1,
            "fillcolor": colors[str(s.regime)],
            "opacity": 0.16,
            "line": {"width": 0},
            "layer": "below",
        }
        for s in spells.itertuples()
    ]


def _legend_entries(spells: pd.DataFrame) -> list[go.Scatter]:
    """Legend entries for the regimes of the bands (shapes have none)."""
    return [
        go.Scatter(
            x=[None],
            y=[None],
            mode="markers",
            name=regime_label(regime),
            marker={"color": color, "size": 10, "symbol": "square"},
        )
        for regime, color in regime_colors(regime_order(spells["regime"])).items()
    ]


def _hover_text(bars: pd.DataFrame, regimes: pd.DataFrame) -> list[str]:
    hover = bars.merge(
        regimes[["date", "regime", "confidence", "conviction"]], on="date", how="left"
    )
    return [
        f"regime {regime_label(r)} · confidence {c:.0%} · conviction {regime_label(v)}"
        if isinstance(r, str)
        else "no regime output"
        for r, c, v in zip(hover["regime"], hover["confidence"], hover["conviction"], strict=True)
    ]


@by_content
def regime_price_figure(
    bars: pd.DataFrame,
    regimes: pd.DataFrame,
    spells: pd.DataFrame,
    confidence: pd.DataFrame,
    title: str,
    subtitle: str = "",
) -> go.Figure:
    """bars: date, open, high, low, close, volume; regimes: date, regime, confidence,
    conviction (hover); spells: regime, start, end; confidence: date, confidence (already
    downsampled). Candles and confidence above, volume below, over the regime bands, with
    the unified crosshair; `subtitle` on a smaller second title line, the legend beneath
    (so neither crowds the title on a phone)."""
    candles, volume = candles_and_volume(bars, _hover_text(bars, regimes))
    traces = [
        candles,
        go.Scatter(
            x=confidence["date"],
            y=confidence["confidence"],
            name="Confidence",
            mode="lines",
            line={"color": "#1e88e5", "width": 1.2},
            xaxis="x",
            yaxis="y3",  # the price row's right-hand axis
        ),
        volume,
        *_legend_entries(spells),
    ]
    return stacked_figure(
        traces,
        heights=[0.78, 0.22],
        gap=0.03,
        crosshair=True,
        y_axes=[{"title": {"text": "Price"}}, {"title": {"text": "Volume"}}],
        layout={
            "yaxis3": {
                "title": {"text": "Confidence"},
                "range": [0, 1],
                "tickmode": "array",  # fixed quarters, not ticks aligned to the price's
                "tickvals": [0, 0.25, 0.5, 0.75, 1],
                "tickformat": ".0%",
                "overlaying": "y",
                "side": "right",
                "anchor": "x",
                "showgrid": False,
            },
            "xaxis": {"rangeslider": {"visible": False}},
            "shapes": _bands(spells),
            "title": {"text": two_line_title(title, subtitle), "x": 0.01, "xref": "container"},
            "height": 560,
            "margin": {"l": 10, "r": 10, "t": 64, "b": 10},
            "legend": {"orientation": "h", "y": -0.07, "yanchor": "top", "x": 0},
        },
    )


@by_content
def panels_figure(
    panels: dict[str, pd.DataFrame], spells: pd.DataFrame, groups: dict[str, tuple[str, ...]]
) -> go.Figure:
    """The engine's panels of the shown `groups` ({group title: its fields}) in one figure:
    one compact row per field, on a shared date axis over the regime bands, with the
    unified crosshair. panels: field -> frame with columns date and <field> (already
    downsampled); spells: regime, start, end."""
    fields = [(group, field) for group, names in groups.items() for field in names]
    traces = []
    for row, (group, field) in enumerate(fields, start=1):
        x, y = axis_names(row)
        traces.append(
            go.Scatter(
                x=panels[field]["date"],
                y=panels[field][field],
                name=PANEL_TITLES.get(field, field),
                mode="lines",
                line={"color": PANEL_LINE_COLOR, "width": 1.4},
                showlegend=False,
                xaxis=x,
                yaxis=y,
                legendgroup=group,
            )
        )
    figure = stacked_figure(
        traces,
        heights=[1.0] * len(fields),
        gap=0.045,
        crosshair=True,
        row_titles=[f"{group} · {PANEL_TITLES.get(f, f)}" for group, f in fields],
        y_axes=[{"nticks": 3} for _ in fields],
        layout={
            "shapes": _bands(spells),
            "height": 40 + 95 * len(fields),
            "margin": {"l": 10, "r": 10, "t": 30, "b": 10},
        },
    )
    return figure.update_annotations(font_size=13)


def ordered_matrix(matrix: pd.DataFrame) -> pd.DataFrame:
    """A from x to matrix with its rows and columns in the regimes' natural order."""
    rows = regime_order(matrix.index)
    columns = regime_order(matrix.columns)
    return matrix.reindex(index=rows, columns=columns)


@by_content
def transition_figure(matrix: pd.DataFrame) -> go.Figure:
    """Heatmap of a transition-probability matrix (index: from, columns: to), regimes in
    their natural order (palette.regime_order: bull, neutral, bear, crisis, then others)."""
    matrix = ordered_matrix(matrix)
    values = matrix.to_numpy(dtype="float64")
    text = [[f"{v:.1%}" if v == v else "–" for v in row] for row in values]
    fig = go.Figure(
        go.Heatmap(
            z=values,
            x=[regime_label(c) for c in matrix.columns],
            y=[regime_label(i) for i in matrix.index],
            text=text,
            texttemplate="%{text}",
            hovertemplate="From %{y} to %{x}: %{text}<extra></extra>",
            colorscale="Blues",
            zmin=0,
            zmax=1,
            colorbar={"title": "P(next day)", "tickformat": ".0%"},
        )
    )
    fig.update_layout(
        title="Regime transitions to the next day",
        xaxis_title="To",
        yaxis_title="From",
        yaxis_autorange="reversed",
        height=380,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
    )
    return fig
