"""Text that reaches a figure. Plotly renders a subset of HTML in titles, axis labels,
legend entries and hover text (`<a href>`, `<b>`, `<br>`, `<span style>`): a tenant,
portfolio or asset name holding such tags would become a live link in the chart. Names
pass through `plotly_text`, which writes `<`, `>` and `&` as entities that Plotly shows
as the characters themselves."""

from __future__ import annotations

import html

import pandas as pd

__all__ = ["plotly_text", "plotly_texts"]


def plotly_text(text: str) -> str:
    """`text` with its HTML specials as entities."""
    return html.escape(str(text), quote=False)


def plotly_texts(texts: pd.Series) -> pd.Series:
    """`plotly_text` of each value of `texts`."""
    return texts.astype(str).map(plotly_text)
