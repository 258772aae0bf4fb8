"""Tenants, users, memberships and the per-user asset settings (seed 000, with 003/004)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Text, func, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, CreatedAt, TenantOwned, Versioned, new_id

__all__ = [
    "DASHBOARD_ROLES",
    "TENANT_ROLES",
    "SignInThrottle",
    "Tenant",
    "TenantUser",
    "User",
    "UserAssetSetting",
]

DASHBOARD_ROLES = ("analyst", "admin", "leadership")
TENANT_ROLES = ("owner", "admin", "member")


class Tenant(CreatedAt, Versioned, Base):
    __tablename__ = "tenants"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(Text, unique=True)
    settings_json: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'"))
    __table_args__ = (CheckConstraint("length(btrim(name)) > 0", name="name_not_blank"),)


class User(CreatedAt, Base):
    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(Text, unique=True)
    display_name: Mapped[str | None] = mapped_column(Text)
    password_hash: Mapped[str | None] = mapped_column(Text)
    dashboard_roles: Mapped[list[str]] = mapped_column(
        ARRAY(Text), server_default=text("'{}'::text[]")
    )
    is_active: Mapped[bool] = mapped_column(server_default=text("true"))
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    failed_logins: Mapped[int] = mapped_column(server_default="0")
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # Carried in the session cookie; a token of an older epoch is refused. Sign-out bumps
    # it; a trigger (migration 0006) bumps it when the password, the roles or the email
    # change, the account is deactivated or locked.
    session_epoch: Mapped[int] = mapped_column(server_default="0")
    __table_args__ = (
        CheckConstraint("email = lower(email) AND position('@' in email) > 1", name="email_form"),
        CheckConstraint(
            "dashboard_roles <@ ARRAY['analyst','admin','leadership']::text[]", name="roles_known"
        ),
        CheckConstraint("failed_logins >= 0", name="failed_logins_nonneg"),
        CheckConstraint("session_epoch >= 0", name="session_epoch_nonneg"),
    )


class SignInThrottle(Base):
    """Failed sign-ins per (email as typed, normalised; client address): not tenant data
    and unreadable by the dashboard's viewer role. Unknown emails get rows too, so that
    they are answered exactly like known ones. `locks` counts the locks in a row: each
    lasts twice as long as the one before (capped), until a sign-in succeeds."""

    __tablename__ = "sign_in_throttle"

    email: Mapped[str] = mapped_column(Text, primary_key=True)
    source: Mapped[str] = mapped_column(Text, primary_key=True)
    failures: Mapped[int] = mapped_column(server_default="0")
    locks: Mapped[int] = mapped_column(server_default="0")
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_failure_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    __table_args__ = (
        CheckConstraint("failures >= 0 AND locks >= 0", name="counts_nonneg"),
        Index("ix_sign_in_throttle_last_failure_at", "last_failure_at"),
    )


class TenantUser(TenantOwned, CreatedAt, Base):
    __tablename__ = "tenant_users"

    user_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(Text, server_default="member")
    __table_args__ = (CheckConstraint("role IN ('owner','admin','member')", name="role_known"),)


class UserAssetSetting(TenantOwned, CreatedAt, Base):
    __tablename__ = "user_asset_settings"

    user_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    asset_id: Mapped[str] = mapped_column(
        Text, ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True
    )
    settings_json: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'"))
