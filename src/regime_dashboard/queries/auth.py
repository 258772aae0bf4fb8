"""Accounts: the only module that reads or writes `users.password_hash`, for sign-in and
the account commands. Dashboard pages never call it for data."""

from __future__ import annotations

import datetime as dt
import uuid

import pandas as pd
from sqlalchemy import Connection, Text, case, cast, func, select, update
from sqlalchemy.dialects.postgresql import insert

from ..db.models import Tenant, TenantUser, User
from ..scope import TenantScope
from ._frames import frame

__all__ = [
    "VIEWER_COLUMNS",
    "credential_row",
    "record_failed_sign_in",
    "record_sign_in",
    "upsert_account",
    "viewer_account",
]

VIEWER_COLUMNS = ["user_id", "email", "display_name", "dashboard_roles", "is_active", "tenant_ids"]


def viewer_account(conn: Connection, *, scope: TenantScope, email: str) -> pd.DataFrame:
    """The signed-in account without secrets: one row or none. Columns VIEWER_COLUMNS;
    tenant_ids is the list of tenants the user belongs to (tenant_users), None for none."""
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
        tenants.label("tenant_ids"),
    ).where(User.email == email.strip().lower())
    return frame(conn, stmt, VIEWER_COLUMNS)


def credential_row(conn: Connection, *, email: str) -> dict | None:
    """id, email, display_name, password_hash, dashboard_roles, is_active, locked_until."""
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
            ).where(User.email == email.strip().lower())
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def record_failed_sign_in(
    conn: Connection, *, user_id: uuid.UUID, max_attempts: int, lock_minutes: int
) -> dt.datetime | None:
    """Count a failure; the `max_attempts`-th locks the account. Returns the lock's end."""
    failures = User.failed_logins + 1
    stmt = (
        update(User)
        .where(User.id == user_id)
        .values(
            failed_logins=case((failures >= max_attempts, 0), else_=failures),
            locked_until=case(
                (failures >= max_attempts, func.now() + dt.timedelta(minutes=lock_minutes)),
                else_=User.locked_until,
            ),
        )
        .returning(User.locked_until)
    )
    return conn.execute(stmt).scalar()


def record_sign_in(conn: Connection, *, user_id: uuid.UUID) -> None:
    conn.execute(
        update(User)
        .where(User.id == user_id)
        .values(last_login_at=func.now(), failed_logins=0, locked_until=None)
    )


def upsert_account(
    conn: Connection,
    *,
    email: str,
    display_name: str,
    password_hash: str,
    roles: list[str],
    tenant_names: list[str],
) -> list[str]:
    """Create or update a dashboard account and add its memberships; returns unknown tenants."""
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
    result = conn.execute(
        update(User)
        .where(User.email == email.strip().lower())
        .values(password_hash=password_hash, failed_logins=0, locked_until=None)
    )
    return result.rowcount == 1


__all__ += ["set_password"]


ACCOUNT_COLUMNS = ["email", "display_name", "dashboard_roles"]


def dashboard_accounts(conn: Connection, *, scope: TenantScope) -> pd.DataFrame:
    """Active accounts with a dashboard role, without secrets. Columns ACCOUNT_COLUMNS."""
    stmt = (
        select(User.email, User.display_name, User.dashboard_roles)
        .where(User.is_active, func.cardinality(User.dashboard_roles) > 0)
        .order_by(User.email)
    )
    return frame(conn, stmt, ACCOUNT_COLUMNS)


__all__ += ["ACCOUNT_COLUMNS", "dashboard_accounts"]
