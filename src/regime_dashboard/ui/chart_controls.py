"""Chart controls shared by the Regimes and Prices pages, each kept in the URL (ui/params.py):
the range presets (1M, 3M, YTD, 1Y, All) feeding the "Date range" picker, the shown panel
groups, and how a chart opens for the viewer (their saved default view,
docs/user-settings.md).

A preset sets the date range; a date range picked by hand clears the preset ("custom").
The viewer's saved view gives the widgets' defaults, so a shared link, which seeds the
widgets, still wins; opening another asset in the same session applies that asset's view."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import streamlit as st

from ..services.user_settings import chart_defaults
from ..user_settings import CHART_RANGES, ChartDefaults, range_start
from ..viewer import Viewer
from .params import BIND, date_range

__all__ = [
    "PANEL_GROUPS",
    "PLOTLY_CONFIG",
    "open_chart_view",
    "panel_groups",
    "range_and_dates",
    "saved_chart",
]

# The toolbar only while the pointer is over a chart (never over its title on a phone),
# without the selection tools the pages do not use.
PLOTLY_CONFIG: dict[str, Any] = {
    "displayModeBar": "hover",
    "displaylogo": False,
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d", "toggleSpikelines"],
}
PANEL_GROUPS = {"risk": "Risk", "components": "Components"}
_OPENED = "_chart_opened"  # the (tenant, asset) whose saved view the widgets were set to


def saved_chart(viewer: Viewer, tenant_id: str | None, asset_id: str) -> ChartDefaults:
    """How `asset_id`'s charts open for the viewer in `tenant_id`: their saved view, else
    the defaults (also for a viewer without an account, who keeps no settings)."""
    if tenant_id is None or viewer.user_id is None or not viewer.scope.allows(tenant_id):
        return ChartDefaults()
    return chart_defaults(viewer, tenant_id, asset_id)


def open_chart_view(
    opened: tuple[str | None, str], chart: ChartDefaults, values: dict[str, Any]
) -> None:
    """When the viewer switches to another asset (`opened`: tenant, asset) in this session,
    set the controls `values` ({widget key: value from `chart`}) to its saved view. The
    first asset of a session opens with them as the widgets' defaults (a link wins)."""
    before = st.session_state.get(_OPENED)
    st.session_state[_OPENED] = opened
    if before is None or before[1] == opened[1] or "range" not in st.session_state:
        return
    for key, value in values.items():
        st.session_state[key] = value


def _preset_spans(first: dt.date, last: dt.date) -> dict[str, tuple[dt.date, dt.date]]:
    return {p: (range_start(p, first, last), last) for p in CHART_RANGES}


def _preset_chosen(first: dt.date, last: dt.date) -> None:
    """The preset's callback: its date range, from the preset's first date to `last`."""
    preset = st.session_state.get("range")
    if preset is not None:
        st.session_state["dates"] = _preset_spans(first, last)[preset]


def _dates_chosen(first: dt.date, last: dt.date) -> None:
    """The date range's callback: a range no preset gives clears the preset (custom)."""
    chosen = tuple(st.session_state.get("dates") or ())
    matching = [p for p, span in _preset_spans(first, last).items() if span == chosen]
    if st.session_state.get("range") not in matching:
        st.session_state["range"] = matching[0] if matching else None


def _link_dates_first(first: dt.date, last: dt.date) -> None:
    """On a page's first run, a link with dates but no preset shows the preset those dates
    are (none: custom), so the buttons never claim a range the chart does not show."""
    if "range" in st.session_state or "range" in st.query_params:
        return
    linked = st.query_params.get_all("dates")
    if len(linked) == 2:
        try:
            span = tuple(sorted(dt.date.fromisoformat(d) for d in linked))
        except ValueError:
            return
        matching = [p for p, s in _preset_spans(first, last).items() if s == span]
        st.session_state["range"] = matching[0] if matching else None


def range_and_dates(
    preset_where: Any, dates_where: Any, first: dt.date, last: dt.date, chart: ChartDefaults
) -> tuple[tuple[dt.date, dt.date], str | None]:
    """The Range presets (URL `range`, default the viewer's saved preset) and the Date range
    (URL `dates`) within [first, last]; returns ((start, end) shown, the preset or None
    for a custom range)."""
    _link_dates_first(first, last)
    preset = preset_where.segmented_control(
        "Range",
        list(CHART_RANGES),
        default=chart.range,
        key="range",
        bind=BIND,
        on_change=_preset_chosen,
        args=(first, last),
    )
    spans = _preset_spans(first, last)
    default = spans[preset or chart.range]
    chosen = date_range(
        dates_where,
        "Date range",
        key="dates",
        default=default,
        low=first,
        high=last,
        on_change=_dates_chosen,
        args=(first, last),
    )
    return chosen, preset


def panel_groups(where: Any, chart: ChartDefaults) -> tuple[str, ...]:
    """The panel groups to draw under the price chart (URL `panels`, by label; by default
    the viewer's saved ones): keys of PANEL_GROUPS, none to draw no panels."""
    default: Sequence[str] = [PANEL_GROUPS[p] for p in chart.panels if p in PANEL_GROUPS]
    shown = where.segmented_control(
        "Panels",
        list(PANEL_GROUPS.values()),
        selection_mode="multi",
        default=default,
        key="panels",
        bind=BIND,
    )
    return tuple(key for key, label in PANEL_GROUPS.items() if label in shown)
