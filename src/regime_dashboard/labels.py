"""How stored engine labels (regimes, conviction) and stored enum values (statuses, run
kinds, event types, feature keys) are shown: one function for every chart and page, so a
label reads the same everywhere; and the one plain-text money format (no Streamlit here,
so services may use it too).

Labels are whatever the release stored (`bull`, `risk_off`, `High-Vol`, ...). Underscores
become spaces, runs of spaces collapse, and an all-lowercase label gets a capital first
letter; anything else keeps its letters as stored (so `VIX spike` stays, where
`str.title()` would turn `risk_off` into `Risk_Off`)."""

from __future__ import annotations

import math

__all__ = ["CURRENCY_SYMBOLS", "MINUS", "MISSING", "money_text", "regime_label", "value_label"]

MISSING = "–"
MINUS = "\u2212"  # a true minus sign: −$800.00
CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CAD": "CA$", "AUD": "A$"}


def regime_label(label: object) -> str:
    """`risk_off` -> "Risk off", `bull` -> "Bull", `VIX_spike` -> "VIX spike"; a missing
    label (None, NaN, blank) -> "–"."""
    if label is None or (isinstance(label, float) and math.isnan(label)):
        return MISSING
    text = " ".join(str(label).replace("_", " ").split())
    if not text:
        return MISSING
    return text[0].upper() + text[1:] if text.islower() else text


def value_label(value: object) -> str:
    """A stored enum value in words, the way `regime_label` writes a regime: `paper_trade`
    -> "Paper trade", `past_due` -> "Past due", `price_changed` -> "Price changed"."""
    return regime_label(value)


def money_text(amount: float | None, currency: str = "USD", decimals: int = 2) -> str:
    """`amount` in currency units as "$1,234.50", "−$800.00" (a true minus sign before the
    symbol), "CHF 1,234.50" for a currency without a symbol; "—" when missing (None, NaN,
    pd.NA) or infinite. The one money formatter: `ui/tables.format_money` calls it."""
    try:
        number = float(amount)  # type: ignore[arg-type]  # None, pd.NA: missing
    except (TypeError, ValueError):
        return "—"
    if not math.isfinite(number):
        return "—"
    sign, symbol = MINUS if number < 0 else "", CURRENCY_SYMBOLS.get(currency, currency + " ")
    return f"{sign}{symbol}{abs(number):,.{decimals}f}"
