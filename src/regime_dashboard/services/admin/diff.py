"""Readable field-level differences between two JSON rows (audit before/after, conflicts)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

__all__ = [
    "ABSENT",
    "BOOKKEEPING",
    "DIFF_COLUMNS",
    "FieldChange",
    "describe_changes",
    "diff_frame",
    "field_changes",
    "format_value",
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
