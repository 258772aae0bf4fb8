"""The audit trail: every admin change with a readable diff, and reverting one.

A revert restores the row to the change's `before` (deletes a created row, re-creates a
deleted one), is itself audited (action 'revert', reverts_audit_id set) and is refused when
the row changed since: its current state must equal the change's `after`, version and
timestamps included. A change is reverted at most once ("already reverted by change N").
subscription_events is an append-only ledger and is never reverted; reverting a
subscription change appends a new event holding the restored state instead."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from sqlalchemy import Connection

from ...cache import run_query, write_transaction
from ...queries import admin_reads as reads
from ...queries import audited_writes as writes
from ...queries.audited_writes import REVERTABLE_TABLES, Row, jsonable
from ...viewer import Viewer
from .diff import describe_changes, diff_frame, field_changes
from .errors import NotFoundError, RevertRefusedError
from .impact import plan_change_event
from .models import Saved

__all__ = [
    "CHANGE_COLUMNS",
    "REVERTABLE_TABLES",
    "audit_filters",
    "change_diff",
    "list_changes",
    "revert_change",
    "revert_note",
]

CHANGE_COLUMNS = {**reads.AUDIT_COLUMNS, "row": "str", "changes": "str"}


def _json(value: Any) -> dict[str, Any] | None:
    return value if isinstance(value, dict) else None


def _row_label(key: Any) -> str:
    return ", ".join(f"{k}={v}" for k, v in (_json(key) or {}).items())


def list_changes(viewer: Viewer, *, limit: int = 500, **filters: str) -> pd.DataFrame:
    """The latest changes, newest first; `filters` (table_name, tenant_id, actor_email; ''
    for all) keep those of one table, tenant and actor. Columns
    CHANGE_COLUMNS: admin_reads.AUDIT_COLUMNS (occurred_at in UTC; reverts_audit_id and
    reverted_by Python ints or None, in object columns so that a missing one never turns
    the others into floats) plus `row` (its key as text) and `changes` (the field-level
    diff as one line: `field: before → after; ...`)."""
    viewer.require("admin")
    entries = run_query(reads.audit_entries, scope=viewer.scope, **filters, limit=limit)
    diffs = [
        describe_changes(field_changes(_json(b), _json(a)))
        for b, a in zip(entries["before"], entries["after"], strict=True)
    ]
    return entries.assign(
        occurred_at=pd.to_datetime(entries["occurred_at"], utc=True),
        reverts_audit_id=_ids(entries["reverts_audit_id"]),
        reverted_by=_ids(entries["reverted_by"]),
        row=[_row_label(k) for k in entries["row_key"]],
        changes=diffs,
    )


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
    """One change's fields before and after (diff.DIFF_COLUMNS), bookkeeping left out."""
    return diff_frame(_json(entry.get("before")), _json(entry.get("after")))


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
