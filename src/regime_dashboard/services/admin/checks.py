"""The checks every admin edit shares, on the rows its write transaction locked: the row
exists, still holds what the editor loaded, and the edit changes it."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from ...queries.audited_writes import Row
from .errors import InvalidInputError, NotFoundError, conflict

__all__ = [
    "PLAN_GONE",
    "TENANT_GONE",
    "check_expected",
    "found",
    "is_uuid",
    "now_utc",
    "require_change",
]

PLAN_GONE = "This plan no longer exists: reload the page to pick another one."
TENANT_GONE = "This tenant no longer exists: reload the page to pick another one."


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def is_uuid(value: object) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def found(row: Row | None, gone: str) -> Row:
    """`row`, or NotFoundError(`gone`): a row that no longer exists is never edited in
    place of another."""
    if row is None:
        raise NotFoundError(gone)
    return row


def check_expected(
    table: str,
    key: Mapping[str, Any],
    locked: Row | None,
    *,
    expected: Mapping[str, Any],
    mine: Mapping[str, Any],
) -> Row:
    """`locked` if it still holds the `expected` values (its version, or a member's role);
    otherwise ConflictError with both sides."""
    if locked is None or any(locked.get(k) != v for k, v in expected.items()):
        raise conflict(table, key, expected=expected, mine=mine, current=locked)
    return locked


def require_change(locked: Row, changes: Mapping[str, Any]) -> None:
    """InvalidInputError when every field of `changes` already holds its value."""
    if all(locked.get(k) == v for k, v in changes.items()):
        raise InvalidInputError.one("form", "Nothing to save: no field differs from the row.")
