"""The audit trail: every admin change with a readable diff, and reverting one.

A revert restores the row to the change's `before` (deletes a created row, re-creates a
deleted one), is itself audited (action 'revert', reverts_audit_id set) and is refused when
the row changed since: its current state must equal the change's `after`, version and
timestamps included. A change is reverted at most once ("already reverted by change N").
subscription_events is an append-only ledger and is never reverted; reverting a
subscription change appends a new event holding the restored state instead."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import pandas as pd
from sqlalchemy import Connection

from ...cache import run_query, write_transaction
from ...labels import value_label
from ...metered import metric_label
from ...queries import admin_reads as reads
from ...queries import audited_writes as writes
from ...queries.audited_writes import REVERTABLE_TABLES, Row, jsonable
from ...viewer import Viewer
from .diff import ABSENT, change_text, field_changes, readable_diff
from .errors import NotFoundError, RevertRefusedError
from .impact import plan_change_event
from .models import Saved

__all__ = [
    "ACTION_COLUMNS",
    "CHANGE_COLUMNS",
    "REVERTABLE_TABLES",
    "audit_filters",
    "change_diff",
    "group_actions",
    "list_changes",
    "revert_change",
    "revert_note",
    "row_label",
]

CHANGE_COLUMNS = {**reads.AUDIT_COLUMNS, "row": "str", "changes": "str"}


def _json(value: Any) -> dict[str, Any] | None:
    return value if isinstance(value, dict) else None


_LABELS = {  # table -> how a row of it is named (from its JSON), never by a UUID
    "plans": lambda r, _: f"{r.get('name')} ({r.get('id')})",
    "tenants": lambda r, _: str(r.get("name")),
    "subscriptions": lambda r, _: f"{r.get('plan_id')} subscription ({r.get('billing_cycle')})",
    "subscription_events": lambda r, _: (
        f"{value_label(r.get('event_type'))} event ({r.get('plan_id')})"
    ),
    "tenant_users": lambda r, email: f"{email or 'a member'} ({r.get('role')})",
    "tenant_quota_overrides": lambda r, _: f"{metric_label(r.get('metric'))} override",
}


def row_label(table: str, key: Any, row: Any, user_email: Any = None) -> str:
    """A row named as people know it (plan name, tenant name, member email…), from the audit
    entry's `row` (its after, else before, JSON); other tables: the key's non-UUID parts."""
    named = _LABELS.get(table)
    if named is not None and _json(row):
        return str(named(_json(row), None if pd.isna(user_email) else user_email))
    parts = [f"{k}={v}" for k, v in (_json(key) or {}).items() if not _is_uuid(v)]
    return ", ".join(parts) or table.replace("_", " ")


def _keys(change: Any) -> bool:
    """Whether a field change only sets or clears a UUID (a key the row's name says)."""
    values = (change.before, change.after)
    return any(_is_uuid(v) for v in values) and all(
        v is None or v is ABSENT or _is_uuid(v) for v in values
    )


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def list_changes(viewer: Viewer, *, limit: int = 500, **filters: str) -> pd.DataFrame:
    """The latest changes, newest first; `filters` (table_name, tenant_id, actor_email; ''
    for all) keep those of one table, tenant and actor. Columns
    CHANGE_COLUMNS: admin_reads.AUDIT_COLUMNS (occurred_at in UTC; reverts_audit_id and
    reverted_by Python ints or None, in object columns so that a missing one never turns
    the others into floats) plus `row` (its key as text) and `changes` (the field-level
    diff as one line, `diff.change_text`: `Price: $49.00 → $50.00; ...`)."""
    viewer.require("admin")
    entries = run_query(reads.audit_entries, scope=viewer.scope, **filters, limit=limit)
    diffs = [
        change_text([c for c in field_changes(b, a) if not _keys(c)], b, a)
        for b, a in zip(map(_json, entries["before"]), map(_json, entries["after"]), strict=True)
    ]
    return entries.assign(
        occurred_at=pd.to_datetime(entries["occurred_at"], utc=True),
        reverts_audit_id=_ids(entries["reverts_audit_id"]),
        reverted_by=_ids(entries["reverted_by"]),
        row=[
            row_label(t, k, a if a is not None else b, e)
            for t, k, b, a, e in zip(
                entries["table_name"],
                entries["row_key"],
                entries["before"],
                entries["after"],
                entries["user_email"],
                strict=True,
            )
        ],
        changes=diffs,
    )


ACTION_COLUMNS = {
    "action_id": "int64",
    "occurred_at": "datetime64[us, UTC]",
    "actor_email": "str",
    "what": "str",
    "tenants": "str",
    "rows": "int64",
}


def group_actions(changes: pd.DataFrame) -> pd.DataFrame:
    """`changes` (list_changes) as admin actions, newest first: one row per action_id (the
    rows one edit wrote in one transaction). Columns ACTION_COLUMNS: occurred_at and
    actor_email of the action, `what` = its first row's action, table and row plus how many
    rows of each other table it wrote (e.g. "update plans Pro (pro) + 3 subscriptions, 3
    subscription events"), `tenants` = the tenant names it touched, `rows` = its rows."""
    if changes.empty:
        return pd.DataFrame({c: pd.Series(dtype=d) for c, d in ACTION_COLUMNS.items()})
    actions = []
    for action_id, rows in changes.sort_values("id").groupby("action_id", sort=False):
        first, rest = rows.iloc[0], rows.iloc[1:]
        what = f"{first['action']} {first['table_name'].replace('_', ' ')}: {first['row']}"
        counts = rest["table_name"].value_counts(sort=False)
        more = ", ".join(f"{n} {t.replace('_', ' ')}" for t, n in counts.items())
        names = sorted({str(n) for n in rows["tenant_name"] if not pd.isna(n) and n})
        actions.append(
            {
                "action_id": int(action_id),
                "occurred_at": first["occurred_at"],
                "actor_email": first["actor_email"],
                "what": what + (f" + {more}" if more else ""),
                "tenants": ", ".join(names[:3]) + (f" +{len(names) - 3}" if len(names) > 3 else ""),
                "rows": len(rows),
            }
        )
    return pd.DataFrame(actions).sort_values("action_id", ascending=False, key=_newest)


def _newest(ids: pd.Series) -> pd.Series:
    """Sort key: actions by when they happened (ids of old, backfilled actions are negative)."""
    return ids.abs()


def _ids(column: pd.Series) -> pd.Series:
    """Audit ids as Python ints, None where there is none (an object column)."""
    ids = [None if pd.isna(v) else int(v) for v in column]
    return pd.Series(ids, index=column.index, dtype=object)


def revert_note(entry: Mapping[str, Any]) -> str:
    """What the Audit page says under a change about reverts: "Reverted by change 11.",
    "Reverts change 10.", both, or "" when neither applies."""
    notes = []
    if _present(entry.get("reverts_audit_id")):
        notes.append(f"Reverts change {int(entry['reverts_audit_id'])}.")
    if _present(entry.get("reverted_by")):
        notes.append(f"Reverted by change {int(entry['reverted_by'])}.")
    return " ".join(notes)


def _present(value: Any) -> bool:
    return value is not None and not pd.isna(value)


def audit_filters(viewer: Viewer) -> pd.DataFrame:
    """The values of the table, tenant and actor filters (admin_reads.OPTION_COLUMNS)."""
    viewer.require("admin")
    return run_query(reads.audit_filter_options, scope=viewer.scope)


def change_diff(entry: Mapping[str, Any]) -> pd.DataFrame:
    """One change's fields before and after (diff.DIFF_COLUMNS: field labels and values as
    `diff.change_text` words them), bookkeeping and keys (fields that only set or clear a
    UUID: the row's name says which row) left out."""
    before, after = _json(entry.get("before")), _json(entry.get("after"))
    changes = [c for c in field_changes(before, after) if not _keys(c)]
    return readable_diff(before, after, changes)


def _refused(message: str) -> RevertRefusedError:
    return RevertRefusedError(message, current=None, expected=None)


def _revertable(conn: Connection, audit_id: int) -> tuple[Row, Row | None]:
    """The audit entry and its row now (locked), if the row is still as the change left it."""
    entry = writes.lock_audit_entry(conn, int(audit_id))
    if entry is None:
        raise NotFoundError(f"There is no change {int(audit_id)}.")
    reverted_by = writes.first_revert(conn, entry["id"])
    if reverted_by is not None:
        raise _refused(
            f"Change {entry['id']} was already reverted by change {reverted_by}: nothing to "
            f"do (revert change {reverted_by} to apply it again)."
        )
    if entry["table_name"] not in REVERTABLE_TABLES:
        raise _refused(
            f"{entry['table_name']} is an append-only ledger: revert the subscription change "
            "instead."
        )
    current = writes.lock_audited_row(conn, entry["table_name"], entry["row_key"])
    now = None if current is None else jsonable(current)
    if now != entry["after"]:
        raise RevertRefusedError(
            "The row changed since this change: reverting would overwrite a later edit. "
            "Compare both versions and edit the row instead.",
            current=now,
            expected=entry["after"],
        )
    return entry, current


def revert_change(viewer: Viewer, audit_id: int) -> Saved:
    """Undo one audited change, if its row is still as the change left it."""
    viewer.require("admin")
    with write_transaction(viewer) as conn:
        entry, current = _revertable(conn, audit_id)
        written = writes.revert_row(conn, viewer, entry=entry, current=current)
        if written is None:
            now = writes.lock_audited_row(conn, entry["table_name"], entry["row_key"])
            raise RevertRefusedError(
                "A row with this key exists again.",
                current=None if now is None else jsonable(now),
                expected=None,
            )
        ledger: tuple[int, ...] = ()
        if entry["table_name"] == "subscriptions" and current and written.row:
            ledger = (_ledger_event(conn, viewer, current, written.row),)
    return Saved.of(entry["row_key"], written, *ledger)


def _ledger_event(conn: Connection, viewer: Viewer, current: Row, restored: Row) -> int:
    """A subscription revert appends an event holding the restored state."""
    event = "price_changed"
    if current["plan_id"] != restored["plan_id"]:
        old = writes.plan_row(conn, current["plan_id"])
        new = writes.plan_row(conn, restored["plan_id"])
        assert old is not None and new is not None
        event = plan_change_event(old["price_monthly_cents"], new["price_monthly_cents"])
    return writes.append_subscription_event(conn, viewer, restored, event_type=event)
