"""Readable field-level differences between two JSON rows (audit before/after, conflicts).

`describe_changes` and `diff_frame` show the stored JSON as it is (field names, JSON
values); `change_text` and `readable_diff` show a change as the Audit page says it: fields
by their labels ("Price", "API calls limit", "Paper trading feature"), money in the row's
currency ("$49.00 → $50.00"), limits with their units ("1,000 calls/month", "unlimited"),
enum values in words ("Past due"), times as "YYYY-MM-DD HH:MM UTC" (a day alone at midnight).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ...labels import money_text, value_label
from ...metered import metric_label, quantity_text

__all__ = [
    "ABSENT",
    "BOOKKEEPING",
    "DIFF_COLUMNS",
    "FIELD_NAMES",
    "FieldChange",
    "change_text",
    "describe_changes",
    "diff_frame",
    "field_changes",
    "format_value",
    "readable_diff",
]

BOOKKEEPING = frozenset({"version", "updated_at", "created_at"})
DIFF_COLUMNS = ["field", "before", "after"]


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()  # the field did not exist on that side (row created or deleted)


@dataclass(frozen=True)
class FieldChange:
    """One changed field; nested JSON keys are dotted (`limits_json.api_calls`)."""

    field: str
    before: Any
    after: Any


def _same(a: Any, b: Any) -> bool:
    """Equal as JSON (so true and 1 differ, key order does not matter)."""
    if a is ABSENT or b is ABSENT:
        return a is b
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)


def field_changes(
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    *,
    skip: frozenset[str] = BOOKKEEPING,
) -> list[FieldChange]:
    """The fields that differ, in the rows' column order; JSON objects are compared key by
    key. Bookkeeping columns (version, timestamps) are skipped at the top level."""
    old, new = dict(before or {}), dict(after or {})
    keys = list(old) + [k for k in new if k not in old]
    changes: list[FieldChange] = []
    for key in keys:
        a, b = old.get(key, ABSENT), new.get(key, ABSENT)
        if key in skip or _same(a, b):
            continue
        if isinstance(a, dict) and isinstance(b, dict):
            nested = field_changes(a, b, skip=frozenset())
            changes += [FieldChange(f"{key}.{c.field}", c.before, c.after) for c in nested]
        else:
            changes.append(FieldChange(key, a, b))
    return changes


def format_value(value: Any) -> str:
    """How a value reads in a diff: JSON text, `—` when absent."""
    if value is ABSENT:
        return "—"
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def describe_changes(changes: list[FieldChange]) -> str:
    """One line: `name: "Pro" → "Pro Plus"; limits_json.api_calls: 1000 → 500`."""
    if not changes:
        return "no field changed"
    return "; ".join(
        f"{c.field}: {format_value(c.before)} → {format_value(c.after)}" for c in changes
    )


def diff_frame(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> pd.DataFrame:
    """The changes as a table: columns field, before, after (formatted text)."""
    rows = [
        (c.field, format_value(c.before), format_value(c.after))
        for c in field_changes(before, after)
    ]
    return pd.DataFrame(rows, columns=DIFF_COLUMNS)


FIELD_NAMES = {  # the audited tables' columns by their labels (units go with the values)
    "name": "Name",
    "price_monthly_cents": "Monthly price",
    "price_annual_cents": "Annual price",
    "price_cents": "Price",
    "currency": "Currency",
    "is_active": "Offered",
    "plan_id": "Plan",
    "status": "Status",
    "billing_cycle": "Billing cycle",
    "started_at": "Started",
    "ends_at": "Ends",
    "trial_ends_at": "Trial ends",
    "current_period_start": "Period starts",
    "current_period_end": "Period ends",
    "cancel_at_period_end": "Cancels at period end",
    "stripe_customer_id": "Stripe customer",
    "stripe_subscription_id": "Stripe subscription",
    "event_type": "Event",
    "occurred_at": "When",
    "actor": "By",
    "role": "Tenant role",
    "metric": "Metric",
    "limit_value": "Limit",
    "reason": "Reason",
    "expires_at": "Expires",
    "created_by": "Set by",
}
_WORDS = frozenset({"status", "billing_cycle", "event_type", "role"})  # enum values
_QUOTED = frozenset({"name", "reason"})  # free text, in quotes; other texts as stored


def _field_name(field: str) -> str:
    """`price_cents` -> "Price", `limits_json.api_calls` -> "API calls limit",
    `features_json.paper_trading` -> "Paper trading feature"."""
    top, _, key = field.partition(".")
    nested = {
        "limits_json": "{} limit",
        "features_json": "{} feature",
        "settings_json": "{} setting",
    }
    if key and top in nested:
        named = metric_label(key) if top == "limits_json" else value_label(key)
        return nested[top].format(named)
    return FIELD_NAMES.get(field, value_label(field))


def _when(value: str) -> str | None:
    """An ISO time as "YYYY-MM-DD HH:MM UTC" ("YYYY-MM-DD" at midnight), None if not one."""
    try:
        stamp = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(dt.UTC)
    return f"{stamp:%Y-%m-%d}" if stamp.time() == dt.time() else f"{stamp:%Y-%m-%d %H:%M} UTC"


def _value_text(field: str, value: Any, row: Mapping[str, Any]) -> str:
    """How one value of `field` reads; `row` (the row after, else before) gives the
    currency of money and the metric of a limit."""
    if value is ABSENT:
        return "—"
    top, _, key = field.partition(".")
    if top == "limits_json" or field == "limit_value":
        return quantity_text(key or row.get("metric"), value)
    if value is None:
        return "—"
    if field.endswith("_cents") and isinstance(value, int | float):
        return money_text(value / 100, str(row.get("currency") or "USD"))
    if isinstance(value, bool):
        return ("on" if value else "off") if top == "features_json" else ("yes" if value else "no")
    if field == "metric":
        return metric_label(value)
    if field in _WORDS:
        return value_label(value)
    if isinstance(value, int | float):
        return f"{value:,}"
    if isinstance(value, str):
        quoted = field in _QUOTED or top == "settings_json"
        return json.dumps(value, ensure_ascii=False) if quoted else _when(value) or value
    return format_value(value)


def _readable(
    changes: list[FieldChange], before: Mapping[str, Any] | None, after: Mapping[str, Any] | None
) -> list[tuple[str, str, str]]:
    row = dict(after or before or {})
    texts = [
        (
            _field_name(c.field),
            _value_text(c.field, c.before, row),
            _value_text(c.field, c.after, row),
        )
        for c in changes
    ]
    return [t for t in texts if t[1] != t[2]]  # a created row's empty field: "—" → "—"


def change_text(
    changes: list[FieldChange],
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> str:
    """`changes` (of the row `before` -> `after`) in one line, as people read them:
    `Price: $49.00 → $50.00; API calls limit: 1,000 calls/month → unlimited` (a change
    that reads the same on both sides, such as a created row's empty field, left out)."""
    if not changes:
        return "no field changed"
    return "; ".join(f"{f}: {a} → {b}" for f, a, b in _readable(changes, before, after))


def readable_diff(
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    changes: list[FieldChange] | None = None,
) -> pd.DataFrame:
    """The changes (default: every `field_changes`) as a table of texts: columns field
    (its label), before, after (`change_text`'s wording)."""
    changed = field_changes(before, after) if changes is None else changes
    return pd.DataFrame(_readable(changed, before, after), columns=DIFF_COLUMNS)
