"""How stored engine labels (regimes, conviction) are shown: one function for every chart
and page, so a label reads the same everywhere.

Labels are whatever the release stored (`bull`, `risk_off`, `High-Vol`, ...). Underscores
become spaces, runs of spaces collapse, and an all-lowercase label gets a capital first
letter; anything else keeps its letters as stored (so `VIX spike` stays, where
`str.title()` would turn `risk_off` into `Risk_Off`)."""

from __future__ import annotations

import math

__all__ = ["MISSING", "regime_label"]

MISSING = "–"


def regime_label(label: object) -> str:
    """`risk_off` -> "Risk off", `bull` -> "Bull", `VIX_spike` -> "VIX spike"; a missing
    label (None, NaN, blank) -> "–"."""
    if label is None or (isinstance(label, float) and math.isnan(label)):
        return MISSING
    text = " ".join(str(label).replace("_", " ").split())
    if not text:
        return MISSING
    return text[0].upper() + text[1:] if text.islower() else text
