"""Pure Plotly figure builders: DataFrame in, Figure out, never a query.

Importing the package adds the app's chart defaults (`CHART_DEFAULTS`, a Plotly template
named "regime_dashboard") on top of the default template of the moment (Streamlit's, as
Streamlit sets its own when imported, which the app does first), so every figure built
afterwards carries them: the modebar stands upright and short at the figure's right edge,
where it does not cover the title on a phone (Plotly shows it always on a touch screen)."""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

__all__ = ["CHART_DEFAULTS", "TEMPLATE", "use_chart_defaults"]

TEMPLATE = "regime_dashboard"
# zoom in / out and autoscale dropped (zoom, pan and reset do their work): a shorter modebar
# covers less of the plot's right edge on a phone
CHART_DEFAULTS = {
    "modebar": {"orientation": "v", "remove": ["zoomin", "zoomout", "autoscale"]},
}


def use_chart_defaults() -> None:
    """Put CHART_DEFAULTS on top of the current default template (idempotent): done on
    import; call again after anything that replaces the default (importing Streamlit
    after this package does)."""
    pio.templates[TEMPLATE] = go.layout.Template(layout=CHART_DEFAULTS)
    base = [name for name in str(pio.templates.default).split("+") if name != TEMPLATE]
    pio.templates.default = "+".join([*base, TEMPLATE])


use_chart_defaults()
