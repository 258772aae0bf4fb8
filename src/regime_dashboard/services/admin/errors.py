"""What an admin edit can fail with. Each carries what the page needs to explain it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...queries.audited_writes import jsonable

__all__ = [
    "AdminError",
    "ConflictError",
    "InvalidInputError",
    "NotFoundError",
    "RevertRefusedError",
    "conflict",
]


class AdminError(Exception):
    """Base of every refused admin edit; nothing was written."""


class InvalidInputError(AdminError):
    """Input broke a rule. `errors` maps each offending field to a message for the user."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{field}: {msg}" for field, msg in self.errors.items()))

    @classmethod
    def one(cls, field: str, message: str) -> InvalidInputError:
        return cls({field: message})


class NotFoundError(AdminError):
    """The row to edit does not exist (any more)."""


class ConflictError(AdminError):
    """Someone saved the row after the editor loaded it. `mine` is what the editor tried to
    save (with the version it started from), `current` the row as saved now (None when it
    was deleted), both as JSON. Nothing was overwritten. Built only by `conflict`."""

    def __init__(
        self,
        *,
        table: str,
        row_key: Mapping[str, Any],
        expected_version: int | None,
        mine: Mapping[str, Any],
        current: Mapping[str, Any] | None,
    ) -> None:
        self.table = table
        self.row_key = dict(row_key)
        self.expected_version = expected_version
        self.mine = dict(mine)
        self.current = dict(current) if current is not None else None
        now = "deleted" if current is None else f"version {current.get('version', '?')}"
        super().__init__(
            f"{table} {self.row_key} changed since you loaded version {expected_version}: "
            f"it is now {now}"
        )

    @property
    def current_version(self) -> int | None:
        return None if self.current is None else self.current.get("version")


def conflict(
    table: str,
    key: Mapping[str, Any],
    *,
    expected: Mapping[str, Any],
    mine: Mapping[str, Any],
    current: Mapping[str, Any] | None,
) -> ConflictError:
    """The ConflictError of an edit that started from `expected` (the row's version, or a
    member's role; empty for a create) and found `current` (Python values)."""
    return ConflictError(
        table=table,
        row_key=jsonable(key),
        expected_version=expected.get("version"),
        mine=jsonable({**mine, **expected}),
        current=None if current is None else jsonable(current),
    )


class RevertRefusedError(AdminError):
    """A change cannot be reverted: its row changed since (or the table is append-only)."""

    def __init__(
        self, message: str, *, current: Mapping[str, Any] | None, expected: Mapping[str, Any] | None
    ) -> None:
        self.current = dict(current) if current is not None else None
        self.expected = dict(expected) if expected is not None else None
        super().__init__(message)
