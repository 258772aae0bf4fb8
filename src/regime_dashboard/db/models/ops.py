"""The job ledger (runs), notifications and alert evaluations, compliance events, the audit
log, data versions."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    Numeric,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, CreatedAt, TenantOwned, new_id

__all__ = [
    "RUN_KINDS",
    "RUN_STATUSES",
    "AlertEvaluation",
    "AuditLog",
    "ComplianceEvent",
    "DataVersion",
    "Notification",
    "Run",
]

RUN_KINDS = ("backtest", "paper_trade", "engine_release", "agent", "training", "import")
RUN_STATUSES = ("queued", "processing", "succeeded", "failed", "canceled")


class Run(TenantOwned, Base):
    """One job of any kind (seed 003 runs + 004 agent executions + 002 training jobs)."""

    __tablename__ = "runs"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text)
    queued_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    error: Mapped[str | None] = mapped_column(Text)
    tokens_input: Mapped[int] = mapped_column(BigInteger, server_default="0")
    tokens_output: Mapped[int] = mapped_column(BigInteger, server_default="0")
    compute_seconds: Mapped[Decimal] = mapped_column(Numeric(14, 3), server_default="0")
    cost_usd: Mapped[Decimal] = mapped_column(Numeric(14, 6), server_default="0")
    request_id: Mapped[str | None] = mapped_column(Text)
    idempotency_key: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (
        UniqueConstraint("tenant_id", "idempotency_key"),
        CheckConstraint(
            "kind IN ('backtest','paper_trade','engine_release','agent','training','import')",
            name="kind_known",
        ),
        CheckConstraint(
            "status IN ('queued','processing','succeeded','failed','canceled')",
            name="status_known",
        ),
        CheckConstraint("started_at IS NULL OR started_at >= queued_at", name="starts_after_queue"),
        CheckConstraint(
            "finished_at IS NULL OR started_at IS NULL OR finished_at >= started_at",
            name="finishes_after_start",
        ),
        CheckConstraint(
            "tokens_input >= 0 AND tokens_output >= 0 AND compute_seconds >= 0 AND cost_usd >= 0",
            name="costs_nonneg",
        ),
        Index("ix_runs_queued", "queued_at", "kind", "status"),
        Index("ix_runs_tenant_status", "tenant_id", "status", "queued_at"),
    )


class Notification(TenantOwned, CreatedAt, Base):
    """A message to one user. Alerts (migration 0009) carry a `dedup_key` unique per tenant,
    so each firing is written once, and the record of their webhook POST (`delivery_*`;
    NULL status: no webhook)."""

    __tablename__ = "notifications"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("users.id"))
    type: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    channel: Mapped[str] = mapped_column(Text)
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    dedup_key: Mapped[str | None] = mapped_column(Text)
    delivery_status: Mapped[str | None] = mapped_column(Text)
    delivery_attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    delivery_error: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (
        UniqueConstraint("tenant_id", "dedup_key"),
        CheckConstraint(
            "delivery_status IS NULL OR delivery_status IN ('pending','delivered','failed')",
            name="delivery_known",
        ),
        CheckConstraint("delivery_attempts >= 0", name="attempts_nonneg"),
        Index("ix_notifications_user_unread", "user_id", "read_at", "created_at"),
    )


class AlertEvaluation(TenantOwned, Base):
    """How far one alert rule (`user_asset_settings` document of tenant, user, asset; rule
    `user_settings.rule_key`) has evaluated one release: its last output date read."""

    __tablename__ = "alert_evaluations"

    user_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    asset_id: Mapped[str] = mapped_column(Text, primary_key=True)
    rule_key: Mapped[str] = mapped_column(Text, primary_key=True)
    release_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    evaluated_until: Mapped[dt.date] = mapped_column(Date)
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "release_id"],
            ["engine_releases.tenant_id", "engine_releases.id"],
            ondelete="CASCADE",
        ),
    )


class ComplianceEvent(TenantOwned, CreatedAt, Base):
    __tablename__ = "compliance_events"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    entity_type: Mapped[str] = mapped_column(Text)
    entity_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    event_type: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    status: Mapped[str] = mapped_column(Text)
    created_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), ForeignKey("users.id"))
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    __table_args__ = (
        Index("ix_compliance_events_entity", "tenant_id", "entity_type", "entity_id"),
        CheckConstraint("status IN ('open','resolved','dismissed')", name="status_known"),
    )


class AuditLog(Base):
    """Every dashboard edit, written in the same transaction as the edit."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    actor_user_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    actor_email: Mapped[str] = mapped_column(Text)
    table_name: Mapped[str] = mapped_column(Text)
    row_key: Mapped[dict[str, Any]] = mapped_column(JSONB)
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    action: Mapped[str] = mapped_column(Text)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    reverts_audit_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("audit_log.id"))
    # The admin action (one transaction) that wrote the row: migration 0010.
    action_id: Mapped[int] = mapped_column(
        BigInteger, server_default=text("(pg_current_xact_id())::text::bigint")
    )
    __table_args__ = (
        CheckConstraint("action IN ('insert','update','delete','revert')", name="action_known"),
        Index("ix_audit_log_action", "action_id"),
        Index("ix_audit_log_table_time", "table_name", "occurred_at"),
        Index("ix_audit_log_tenant_time", "tenant_id", "occurred_at"),
        Index("ix_audit_log_actor_time", "actor_email", "occurred_at"),
        Index("ix_audit_log_reverts", "reverts_audit_id"),
    )


class DataVersion(Base):
    """A counter per scope, bumped in the same transaction as every dashboard edit; part of
    every cache key, so an edit reaches every session on its next rerun."""

    __tablename__ = "data_versions"

    scope: Mapped[str] = mapped_column(Text, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, server_default="0")
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
