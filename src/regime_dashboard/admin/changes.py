"""The building blocks every admin edit shares: audited, version-checked writes on the
connection of `cache.write_transaction`, and what an edit hands back (`Saved`)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from ..queries import admin as q
from ..viewer import Viewer
from .errors import ConflictError, InvalidInputError, NotFoundError

__all__ = [
    "Saved",
    "append_event",
    "audited_delete",
    "audited_insert",
    "audited_update",
    "change_subscription",
    "check_expected",
    "lock_row",
    "locked_current",
    "now_utc",
    "record",
]


@dataclass(frozen=True)
class Saved:
    """The outcome of an edit: the row as saved (None when deleted, JSON values) and the
    audit_log ids written, the edited row's own first."""

    table: str
    key: dict[str, Any]
    row: dict[str, Any] | None
    audit_ids: tuple[int, ...]

    @property
    def version(self) -> int | None:
        return None if self.row is None else self.row.get("version")


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _tenant_of(table: str, row: Mapping[str, Any]) -> str | None:
    if table == "tenants":
        return str(row["id"])
    return str(row["tenant_id"]) if "tenant_id" in row else None


def record(
    conn: Connection,
    viewer: Viewer,
    *,
    table: str,
    action: str,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    reverts: int | None = None,
) -> int:
    """Write the audit_log row of one change (same transaction); returns its id."""
    row = after if after is not None else before
    assert row is not None
    return q.insert_audit(
        conn,
        actor_user_id=viewer.user_id,
        actor_email=viewer.email,
        table=table,
        key=q.row_key(table, row),
        tenant_id=_tenant_of(table, row),
        action=action,
        before=before,
        after=after,
        reverts_audit_id=reverts,
    )


def lock_row(conn: Connection, *, table: str, key: Mapping[str, Any], gone: str) -> dict[str, Any]:
    """The row of `table` with primary key `key`, locked by one SELECT … FOR UPDATE;
    NotFoundError(`gone`) when there is no such row. Never another row in its place."""
    row = q.get_row(conn, table=table, key=key, lock=True)
    if row is None:
        raise NotFoundError(gone)
    return row


def check_expected(
    current: dict[str, Any] | None,
    *,
    table: str,
    key: Mapping[str, Any],
    expected: Mapping[str, Any],
    mine: Mapping[str, Any],
) -> dict[str, Any]:
    """`current` (a locked row, None when gone) if it still holds the `expected` values (its
    version, or its role for tenant_users); otherwise ConflictError with both sides."""
    if current is None or any(current.get(k) != v for k, v in expected.items()):
        raise ConflictError(
            table=table,
            row_key=key,
            expected_version=expected.get("version"),
            mine=q.jsonable({**mine, **expected}),
            current=current,
        )
    return current


def locked_current(
    conn: Connection,
    *,
    table: str,
    key: Mapping[str, Any],
    expected: Mapping[str, Any],
    mine: Mapping[str, Any],
) -> dict[str, Any]:
    """The row locked FOR UPDATE, after checking it still holds the `expected` values;
    otherwise ConflictError with both sides (`check_expected`)."""
    current = q.get_row(conn, table=table, key=key, lock=True)
    return check_expected(current, table=table, key=key, expected=expected, mine=mine)


def _changed(current: Mapping[str, Any], changes: Mapping[str, Any]) -> bool:
    return any(q.jsonable({k: v})[k] != current.get(k) for k, v in changes.items())


def audited_update(
    conn: Connection,
    viewer: Viewer,
    *,
    table: str,
    key: Mapping[str, Any],
    expected_version: int,
    changes: Mapping[str, Any],
    locked: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], int]:
    """UPDATE a versioned row from `expected_version` and audit it. Returns (row, audit id).
    `locked` is the row when the caller already holds it FOR UPDATE (`lock_row`), else it
    is locked here. ConflictError when someone saved in between; InvalidInputError when
    nothing changes."""
    expected = {"version": expected_version}
    if locked is None:
        current = locked_current(conn, table=table, key=key, expected=expected, mine=changes)
    else:
        current = check_expected(locked, table=table, key=key, expected=expected, mine=changes)
    if not _changed(current, changes):
        raise InvalidInputError.one("form", "Nothing to save: no field differs from the row.")
    after = q.update_versioned(
        conn, table=table, key=key, expected_version=expected_version, changes=changes
    )
    if after is None:  # cannot happen under the row lock; never overwrite regardless
        raise ConflictError(
            table=table,
            row_key=key,
            expected_version=expected_version,
            mine=q.jsonable(changes),
            current=q.get_row(conn, table=table, key=key),
        )
    return after, record(conn, viewer, table=table, action="update", before=current, after=after)


def audited_insert(
    conn: Connection, viewer: Viewer, *, table: str, row: Mapping[str, Any]
) -> tuple[dict[str, Any], int]:
    """INSERT a new row and audit it; ConflictError when its key was taken meanwhile."""
    created = q.insert_row(conn, table=table, row=row)
    if created is None:
        key = q.row_key(table, row)
        raise ConflictError(
            table=table,
            row_key=key,
            expected_version=None,
            mine=q.jsonable(row),
            current=q.get_row(conn, table=table, key=key),
        )
    return created, record(conn, viewer, table=table, action="insert", before=None, after=created)


def audited_delete(
    conn: Connection,
    viewer: Viewer,
    *,
    table: str,
    key: Mapping[str, Any],
    expected: Mapping[str, Any],
) -> tuple[dict[str, Any], int]:
    """DELETE the row while it holds `expected` (its version or role), and audit it."""
    locked_current(conn, table=table, key=key, expected=expected, mine={"deleted": True})
    gone = q.delete_row(conn, table=table, key=key, expected=expected)
    assert gone is not None  # the row is locked and matched
    return gone, record(conn, viewer, table=table, action="delete", before=gone, after=None)


def append_event(
    conn: Connection,
    viewer: Viewer,
    sub: Mapping[str, Any],
    *,
    event_type: str,
    occurred_at: dt.datetime | None = None,
) -> int:
    """Append a subscription_events row holding `sub`'s state after the change (audited as
    an insert); returns the audit id."""
    event = {
        "id": uuid.uuid4(),
        "tenant_id": sub["tenant_id"],
        "subscription_id": sub["id"],
        "event_type": event_type,
        "occurred_at": occurred_at or now_utc(),
        **{c: sub[c] for c in ("plan_id", "status", "billing_cycle", "price_cents", "currency")},
        "actor": f"admin:{viewer.email}",
    }
    return audited_insert(conn, viewer, table="subscription_events", row=event)[1]


def change_subscription(
    conn: Connection,
    viewer: Viewer,
    sub: Mapping[str, Any],
    *,
    changes: Mapping[str, Any],
    event_type: str,
    occurred_at: dt.datetime | None = None,
) -> tuple[dict[str, Any], list[int]]:
    """Update one subscription `sub` (a row the caller locked FOR UPDATE) from its version
    and append its event; returns the row after and the two audit ids."""
    key = q.row_key("subscriptions", sub)
    after, audit_id = audited_update(
        conn,
        viewer,
        table="subscriptions",
        key=key,
        expected_version=sub["version"],
        changes=changes,
        locked=dict(sub),
    )
    event = append_event(conn, viewer, after, event_type=event_type, occurred_at=occurred_at)
    return after, [audit_id, event]
