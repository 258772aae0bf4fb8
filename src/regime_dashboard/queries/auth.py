"""Accounts: the only module that reads or writes `users.password_hash`,
`users.session_epoch` and `sign_in_throttle`, for sign-in, the session check of every run
and the account commands. Dashboard pages never call it for data. These functions run on
the primary as the connecting user, never as the viewer role (which cannot read these
columns and tables)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import cast as cast_type

from sqlalchemy import Connection, Text, cast, delete, func, or_, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert

from ..db.models.tenancy import SignInThrottle, Tenant, TenantUser, User

__all__ = [
    "bump_session_epoch",
    "clear_throttle",
    "credential_row",
    "existing_emails",
    "lock_throttle",
    "record_failed_sign_in",
    "record_sign_in",
    "session_account",
    "set_password",
    "throttle_for_update",
    "upsert_account",
]

STALE_THROTTLE = dt.timedelta(days=1)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def session_account(conn: Connection, *, email: str) -> dict | None:
    """The signed-in account without secrets, read fresh on every run: user_id, email,
    display_name, dashboard_roles, is_active, locked_until, session_epoch and tenant_ids
    (text ids of the tenant_users tenants, None for none). None when there is no account."""
    tenants = (
        select(func.array_agg(cast(TenantUser.tenant_id, Text)))
        .where(TenantUser.user_id == User.id)
        .scalar_subquery()
    )
    stmt = select(
        User.id.label("user_id"),
        User.email,
        User.display_name,
        User.dashboard_roles,
        User.is_active,
        User.locked_until,
        User.session_epoch,
        tenants.label("tenant_ids"),
    ).where(User.email == normalise_email(email))
    row = conn.execute(stmt).mappings().first()
    return dict(row) if row else None


def credential_row(conn: Connection, *, email: str) -> dict | None:
    """id, email, display_name, password_hash, dashboard_roles, is_active, locked_until,
    session_epoch of the account, or None."""
    row = (
        conn.execute(
            select(
                User.id,
                User.email,
                User.display_name,
                User.password_hash,
                User.dashboard_roles,
                User.is_active,
                User.locked_until,
                User.session_epoch,
            ).where(User.email == normalise_email(email))
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def throttle_for_update(conn: Connection, *, email: str, source: str) -> dict:
    """The (email, source) failure row, created when missing and locked until the
    transaction ends, in one statement: concurrent attempts for the same pair queue here, so
    each sees the failures counted by those before it (and when the row they waited for is
    deleted meanwhile, by a sign-in or a prune, the statement inserts it afresh rather than
    finding nothing). Keys failures, locks, locked_until, now."""
    key = {"email": normalise_email(email), "source": source}
    upsert = insert(SignInThrottle).values(**key)
    stmt = upsert.on_conflict_do_update(
        index_elements=[SignInThrottle.email, SignInThrottle.source],
        set_={"email": upsert.excluded.email},  # a no-op update: it takes the row lock
    ).returning(
        SignInThrottle.failures,
        SignInThrottle.locks,
        SignInThrottle.locked_until,
        func.now().label("now"),
    )
    return dict(conn.execute(stmt).mappings().one())


def record_failed_sign_in(
    conn: Connection, *, email: str, source: str, user_id: uuid.UUID | None
) -> int:
    """Count one failure of (email, source) (and on the account, when there is one);
    returns the pair's failures so far."""
    if user_id is not None:
        conn.execute(
            update(User).where(User.id == user_id).values(failed_logins=User.failed_logins + 1)
        )
    stmt = (
        update(SignInThrottle)
        .where(SignInThrottle.email == normalise_email(email), SignInThrottle.source == source)
        .values(failures=SignInThrottle.failures + 1, last_failure_at=func.now())
        .returning(SignInThrottle.failures)
    )
    return int(conn.execute(stmt).scalar_one())


def lock_throttle(conn: Connection, *, email: str, source: str, minutes: float) -> dt.datetime:
    """Lock (email, source) for `minutes` from now; failures start again from zero and the
    lock is counted for the next backoff. Returns the lock's end."""
    stmt = (
        update(SignInThrottle)
        .where(SignInThrottle.email == normalise_email(email), SignInThrottle.source == source)
        .values(
            failures=0,
            locks=SignInThrottle.locks + 1,
            locked_until=func.now() + dt.timedelta(minutes=minutes),
        )
        .returning(SignInThrottle.locked_until)
    )
    return cast_type(dt.datetime, conn.execute(stmt).scalar_one())  # set just above


def clear_throttle(conn: Connection, *, email: str, source: str) -> None:
    """After a successful sign-in: forget the pair's failures and locks, and drop a few
    rows nobody has failed with for a day (unknown emails must not pile up for ever)."""
    conn.execute(
        delete(SignInThrottle).where(
            SignInThrottle.email == normalise_email(email), SignInThrottle.source == source
        )
    )
    prune_stale_throttle(conn)


def prune_stale_throttle(conn: Connection, limit: int = 200) -> None:
    """Drop up to `limit` rows without a failure for a day and with no lock running."""
    cutoff = func.now() - STALE_THROTTLE
    stale = (
        select(SignInThrottle.email, SignInThrottle.source)
        .where(
            SignInThrottle.last_failure_at < cutoff,
            or_(SignInThrottle.locked_until.is_(None), SignInThrottle.locked_until < func.now()),
        )
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    pairs = [tuple(r) for r in conn.execute(stale)]
    if pairs:
        conn.execute(
            delete(SignInThrottle).where(
                tuple_(SignInThrottle.email, SignInThrottle.source).in_(pairs)
            )
        )


def record_sign_in(conn: Connection, *, user_id: uuid.UUID) -> None:
    conn.execute(
        update(User).where(User.id == user_id).values(last_login_at=func.now(), failed_logins=0)
    )


def bump_session_epoch(conn: Connection, *, email: str) -> int | None:
    """End every session of the account (sign-out): returns the new epoch, None when
    there is no such account."""
    stmt = (
        update(User)
        .where(User.email == normalise_email(email))
        .values(session_epoch=User.session_epoch + 1)
        .returning(User.session_epoch)
    )
    return conn.execute(stmt).scalar()


def upsert_account(
    conn: Connection,
    *,
    email: str,
    display_name: str,
    password_hash: str,
    roles: list[str],
    tenant_names: list[str],
) -> list[str]:
    """Create or update a dashboard account and add its memberships; returns unknown tenants.
    An update replaces the password and roles, which ends the account's sessions (the
    `users_session_epoch` trigger)."""
    stmt = insert(User).values(
        email=email, display_name=display_name, password_hash=password_hash, dashboard_roles=roles
    )
    user_id = conn.execute(
        stmt.on_conflict_do_update(
            index_elements=["email"],
            set_={
                "password_hash": stmt.excluded.password_hash,
                "dashboard_roles": stmt.excluded.dashboard_roles,
                "failed_logins": 0,
                "locked_until": None,
                "is_active": True,
            },
        ).returning(User.id)
    ).scalar_one()
    found = dict(
        conn.execute(select(Tenant.name, Tenant.id).where(Tenant.name.in_(tenant_names))).all()
    )
    for tenant_id in found.values():
        conn.execute(
            insert(TenantUser)
            .values(tenant_id=tenant_id, user_id=user_id, role="member")
            .on_conflict_do_nothing()
        )
    return [name for name in tenant_names if name not in found]


def set_password(conn: Connection, *, email: str, password_hash: str) -> bool:
    """New password; clears the account's lock and every (email, source) lock. The new
    hash ends the account's sessions (the `users_session_epoch` trigger)."""
    address = normalise_email(email)
    # throttle rows first, then the user: the order sign-in takes its locks in
    conn.execute(delete(SignInThrottle).where(SignInThrottle.email == address))
    result = conn.execute(
        update(User)
        .where(User.email == address)
        .values(password_hash=password_hash, failed_logins=0, locked_until=None)
    )
    return result.rowcount == 1


def existing_emails(conn: Connection, *, emails: Iterable[str]) -> list[str]:
    """Which of `emails` have an account that holds a password, sorted."""
    stmt = (
        select(User.email)
        .where(User.email.in_([normalise_email(e) for e in emails]))
        .where(User.password_hash.is_not(None))
        .order_by(User.email)
    )
    return list(conn.execute(stmt).scalars())


__all__ += ["STALE_THROTTLE", "normalise_email", "prune_stale_throttle"]
