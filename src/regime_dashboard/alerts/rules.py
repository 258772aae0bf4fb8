"""When a rule fires, over one release's outputs (pure; docs/user-settings.md).

`outputs` has the columns of `queries.alerts.OUTPUT_COLUMNS` (date, regime, confidence,
conviction), by date; its first row may precede `start` (the day the first day in the window
is compared with). A rule fires on a day of the window that differs from the output day
before it: the regime or the conviction changed, or the confidence crossed the threshold
(below: from at or above it to under it; above: from at or below it to over it). A day
without an output day before it fires nothing: a crossing needs two days."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from ..user_settings import AlertRule

__all__ = ["Firing", "firings"]


@dataclass(frozen=True)
class Firing:
    """One day a rule fired: what changed from the output day before (`from_value` ->
    `to_value`: regimes, convictions or confidences as text), and that day's regime and
    confidence."""

    date: dt.date
    from_value: str | None
    to_value: str | None
    regime: str
    confidence: float


def _text(value: object) -> str | None:
    return None if value is None or (isinstance(value, float) and value != value) else str(value)


def _changed(rule: AlertRule, now: pd.DataFrame, before: pd.DataFrame) -> pd.Series:
    """Per row of `now`: whether the rule fires against the row of `before` (same index)."""
    if rule.kind == "regime_change":
        return now["regime"] != before["regime"]
    if rule.kind == "conviction_change":
        return now["conviction"].fillna("") != before["conviction"].fillna("")
    threshold = float(rule.threshold or 0.0)
    if rule.kind == "confidence_below":
        return (before["confidence"] >= threshold) & (now["confidence"] < threshold)
    if rule.kind == "confidence_above":
        return (before["confidence"] <= threshold) & (now["confidence"] > threshold)
    return pd.Series(False, index=now.index)  # data_mismatch: not about output days


def _values(rule: AlertRule, row_now: pd.Series, row_before: pd.Series) -> tuple[str | None, ...]:
    field = {"regime_change": "regime", "conviction_change": "conviction"}.get(rule.kind)
    if field is not None:
        return _text(row_before[field]), _text(row_now[field])
    return f"{row_before['confidence']:.2f}", f"{row_now['confidence']:.2f}"


def firings(rule: AlertRule, outputs: pd.DataFrame, start: dt.date) -> list[Firing]:
    """The days from `start` on where `rule` fires, by date."""
    if len(outputs) < 2:
        return []
    outputs = outputs.reset_index(drop=True)
    now, before = outputs.iloc[1:], outputs.iloc[:-1].set_axis(outputs.index[1:])
    in_window = pd.Series([d >= start for d in now["date"]], index=now.index, dtype=bool)
    fired = now.index[in_window & _changed(rule, now, before).astype(bool)]
    result = []
    for i in fired:
        low, high = _values(rule, now.loc[i], before.loc[i])
        result.append(
            Firing(
                date=now.at[i, "date"],
                from_value=low,
                to_value=high,
                regime=str(now.at[i, "regime"]),
                confidence=float(now.at[i, "confidence"]),
            )
        )
    return result
