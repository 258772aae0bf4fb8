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

from ..cache import run_query, write_transaction
from ..queries import admin as q
from ..viewer import Viewer
from .changes import Saved, append_event, record
from .diff import BOOKKEEPING, describe_changes, diff_frame, field_changes
from .errors import NotFoundError, RevertRefusedError
from .impact import plan_change_event

__all__ = [
    "CHANGE_COLUMNS",
    "REVERTABLE_TABLES",
    "audit_filters",
    "change_diff",
    "list_changes",
    "revert_change",
    "revert_note",
]

REVERTABLE_TABLES = ("plans", "tenants", "subscriptions", "tenant_quota_overrides", "tenant_users")
CHANGE_COLUMNS = [*q.AUDIT_COLUMNS, "row", "changes"]


def _json(value: Any) -> dict[str, Any] | None:
    return value if isinstance(value, dict) else None


def _row_label(key: Any) -> str:
    return ", ".join(f"{k}={v}" for k, v in (_json(key) or {}).items())


def list_changes(
    *,
    viewer: Viewer,
    table_name: str = "",
    tenant_id: str = "",
    actor_email: str = "",
    limit: int = 500,
) -> pd.DataFrame:
    """The latest changes, newest first, optionally of one table, tenant and actor. Columns
    CHANGE_COLUMNS: queries.admin.AUDIT_COLUMNS (occurred_at in UTC; reverts_audit_id and
    reverted_by Python ints or None, in object columns so that a missing one never turns
    the others into floats) plus `row` (its key as text) and `changes` (the field-level
    diff as one line: `field: before → after; ...`)."""
    viewer.require("admin")
    entries = run_query(
        q.audit_entries,
        scope=viewer.scope,
        table_name=table_name,
        tenant_id=tenant_id,
        actor_email=actor_email,
        limit=limit,
    )
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


def audit_filters(*, viewer: Viewer) -> pd.DataFrame:
    """The values of the table, tenant and actor filters (queries.admin.OPTION_COLUMNS)."""
    viewer.require("admin")
    return run_query(q.audit_filter_options, scope=viewer.scope)


def change_diff(entry: Mapping[str, Any]) -> pd.DataFrame:
    """One change's fields before and after (diff.DIFF_COLUMNS), bookkeeping left out."""
    return diff_frame(_json(entry.get("before")), _json(entry.get("after")))


def _revertable(conn: Connection, audit_id: int) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The audit entry and its row now (locked), if the row is still as the change left it."""
    entry = q.audit_entry(conn, audit_id=int(audit_id))
    if entry is None:
        raise NotFoundError(f"There is no change {int(audit_id)}.")
    reverted_by = q.first_revert(conn, audit_id=entry["id"])
    if reverted_by is not None:
        raise RevertRefusedError(
            f"Change {entry['id']} was already reverted by change {reverted_by}: nothing to "
            f"do (revert change {reverted_by} to apply it again).",
            current=None,
            expected=None,
        )
    if entry["table_name"] not in REVERTABLE_TABLES:
        raise RevertRefusedError(
            f"{entry['table_name']} is an append-only ledger: revert the subscription change "
            "instead.",
            current=None,
            expected=None,
        )
    current = q.get_row(conn, table=entry["table_name"], key=entry["row_key"], lock=True)
    if current != entry["after"]:
        raise RevertRefusedError(
            "The row changed since this change: reverting would overwrite a later edit. "
            "Compare both versions and edit the row instead.",
            current=current,
            expected=entry["after"],
        )
    return entry, current


def revert_change(*, viewer: Viewer, audit_id: int) -> Saved:
    """Undo one audited change, if its row is still as the change left it."""
    viewer.require("admin")
    with write_transaction(viewer) as conn:
        entry, current = _revertable(conn, audit_id)
        table, key = entry["table_name"], entry["row_key"]
        restored = _restore(conn, table, key, current, entry["before"])
        ids = [
            record(
                conn,
                viewer,
                table=table,
                action="revert",
                before=current,
                after=restored,
                reverts=entry["id"],
            )
        ]
        if table == "subscriptions" and current is not None and restored is not None:
            ids.append(_ledger_event(conn, viewer, current, restored))
    return Saved(table, dict(key), restored, tuple(ids))


def _restore(
    conn: Connection,
    table: str,
    key: Mapping[str, Any],
    current: dict[str, Any] | None,
    target: Mapping[str, Any] | None,
) -> dict[str, Any] | None:
    """Bring the row to `target` (None: delete it); returns the row after."""
    if target is None:
        q.delete_row(conn, table=table, key=key, expected={})
        return None
    if current is None:
        return _recreate(conn, table, target, key)
    changes = {k: v for k, v in target.items() if k not in BOOKKEEPING and k not in key}
    if "version" in current:
        return q.update_versioned(
            conn, table=table, key=key, expected_version=current["version"], changes=changes
        )
    return q.update_matching(conn, table=table, key=key, expected={}, changes=changes)


def _recreate(
    conn: Connection, table: str, target: Mapping[str, Any], key: Mapping[str, Any]
) -> dict[str, Any]:
    row = {k: v for k, v in target.items() if k != "updated_at"}
    if "version" in row:
        row["version"] = int(row["version"]) + 1  # editors holding the old row must reload
    created = q.insert_row(conn, table=table, row=row)
    if created is None:
        raise RevertRefusedError(
            "A row with this key exists again.",
            current=q.get_row(conn, table=table, key=key),
            expected=None,
        )
    return created


def _ledger_event(
    conn: Connection, viewer: Viewer, current: Mapping[str, Any], restored: Mapping[str, Any]
) -> int:
    """A subscription revert appends an event holding the restored state."""
    event = "price_changed"
    if current["plan_id"] != restored["plan_id"]:
        old = q.get_row(conn, table="plans", key={"id": current["plan_id"]})
        new = q.get_row(conn, table="plans", key={"id": restored["plan_id"]})
        assert old is not None and new is not None
        event = plan_change_event(old["price_monthly_cents"], new["price_monthly_cents"])
    return append_event(conn, viewer, restored, event_type=event)
