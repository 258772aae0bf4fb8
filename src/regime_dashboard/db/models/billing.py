"""Plans, subscriptions and their event ledger, payments, usage and quota overrides."""

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
    Numeric,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, CreatedAt, TenantOwned, Versioned, new_id

__all__ = [
    "SUBSCRIPTION_EVENT_TYPES",
    "SUBSCRIPTION_STATUSES",
    "Payment",
    "Plan",
    "Subscription",
    "SubscriptionEvent",
    "TenantQuotaOverride",
    "UsageDaily",
    "UsageEvent",
]

SUBSCRIPTION_STATUSES = ("trialing", "active", "past_due", "canceled")
SUBSCRIPTION_EVENT_TYPES = (
    "trial_started",
    "activated",
    "upgraded",
    "downgraded",
    "price_changed",
    "past_due",
    "recovered",
    "canceled",
    "reactivated",
)
_STATUS_CHECK = "IN ('trialing','active','past_due','canceled')"


class Plan(CreatedAt, Versioned, Base):
    """`limits_json` maps a usage metric to its limit per calendar month; null = unlimited."""

    __tablename__ = "plans"

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    price_monthly_cents: Mapped[int] = mapped_column()
    price_annual_cents: Mapped[int | None] = mapped_column()
    currency: Mapped[str] = mapped_column(Text, server_default="USD")
    features_json: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'"))
    limits_json: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'"))
    is_active: Mapped[bool] = mapped_column(server_default=text("true"))
    __table_args__ = (
        CheckConstraint("id ~ '^[a-z][a-z0-9_-]{0,31}$'", name="id_form"),
        CheckConstraint("price_monthly_cents >= 0", name="monthly_nonneg"),
        CheckConstraint(
            "price_annual_cents IS NULL OR price_annual_cents >= 0", name="annual_nonneg"
        ),
        CheckConstraint("currency ~ '^[A-Z]{3}$'", name="currency_iso"),
        CheckConstraint("jsonb_typeof(limits_json) = 'object'", name="limits_object"),
        CheckConstraint("jsonb_typeof(features_json) = 'object'", name="features_object"),
    )


class TenantQuotaOverride(TenantOwned, CreatedAt, Versioned, Base):
    """An admin-set limit for one tenant and metric; `limit_value` null = unlimited."""

    __tablename__ = "tenant_quota_overrides"

    metric: Mapped[str] = mapped_column(Text, primary_key=True)
    limit_value: Mapped[int | None] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), ForeignKey("users.id"))
    __table_args__ = (
        CheckConstraint("limit_value IS NULL OR limit_value >= 0", name="limit_nonneg"),
        CheckConstraint("length(btrim(reason)) > 0", name="reason_given"),
    )


class Subscription(TenantOwned, CreatedAt, Versioned, Base):
    """Current state; `price_cents` is per billing cycle, in `currency`."""

    __tablename__ = "subscriptions"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    plan_id: Mapped[str] = mapped_column(Text, ForeignKey("plans.id"))
    status: Mapped[str] = mapped_column(Text)
    billing_cycle: Mapped[str] = mapped_column(Text, server_default="monthly")
    price_cents: Mapped[int] = mapped_column()
    currency: Mapped[str] = mapped_column(Text, server_default="USD")
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    trial_ends_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    current_period_start: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    current_period_end: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    cancel_at_period_end: Mapped[bool] = mapped_column(server_default=text("false"))
    stripe_customer_id: Mapped[str | None] = mapped_column(Text)
    stripe_subscription_id: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (
        CheckConstraint(f"status {_STATUS_CHECK}", name="status_known"),
        CheckConstraint("billing_cycle IN ('monthly','annual')", name="cycle_known"),
        CheckConstraint("price_cents >= 0", name="price_nonneg"),
        CheckConstraint("currency ~ '^[A-Z]{3}$'", name="currency_iso"),
        CheckConstraint("ends_at IS NULL OR ends_at >= started_at", name="ends_after_start"),
        Index("ix_subscriptions_status_plan", "status", "plan_id"),
        Index("ix_subscriptions_period_end", "current_period_end"),
    )


class SubscriptionEvent(TenantOwned, Base):
    """One change of a subscription; each row holds the subscription's state *after* it, so
    MRR at any instant is the state of the latest event before it."""

    __tablename__ = "subscription_events"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    subscription_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    event_type: Mapped[str] = mapped_column(Text)
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    plan_id: Mapped[str] = mapped_column(Text, ForeignKey("plans.id"))
    status: Mapped[str] = mapped_column(Text)
    billing_cycle: Mapped[str] = mapped_column(Text)
    price_cents: Mapped[int] = mapped_column()
    currency: Mapped[str] = mapped_column(Text)
    actor: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "subscription_id"],
            ["subscriptions.tenant_id", "subscriptions.id"],
            ondelete="CASCADE",
        ),
        CheckConstraint(
            "event_type IN ('trial_started','activated','upgraded','downgraded','price_changed',"
            "'past_due','recovered','canceled','reactivated')",
            name="type_known",
        ),
        CheckConstraint(f"status {_STATUS_CHECK}", name="status_known"),
        CheckConstraint("billing_cycle IN ('monthly','annual')", name="cycle_known"),
        CheckConstraint("price_cents >= 0", name="price_nonneg"),
        Index("ix_subscription_events_occurred", "occurred_at"),
        Index("ix_subscription_events_sub", "tenant_id", "subscription_id", "occurred_at"),
    )


class Payment(TenantOwned, CreatedAt, Base):
    __tablename__ = "payments"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    subscription_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    amount_cents: Mapped[int] = mapped_column()
    tax_cents: Mapped[int] = mapped_column(server_default="0")
    total_cents: Mapped[int] = mapped_column()
    currency: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text)
    billed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    paid_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    provider: Mapped[str] = mapped_column(Text, server_default="stripe")
    provider_payment_id: Mapped[str] = mapped_column(Text)
    payment_method: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "subscription_id"], ["subscriptions.tenant_id", "subscriptions.id"]
        ),
        UniqueConstraint("tenant_id", "provider", "provider_payment_id"),
        CheckConstraint("amount_cents >= 0 AND tax_cents >= 0", name="amounts_nonneg"),
        CheckConstraint("total_cents = amount_cents + tax_cents", name="total_sums"),
        CheckConstraint(
            "status IN ('pending','succeeded','failed','refunded')", name="status_known"
        ),
        CheckConstraint("currency ~ '^[A-Z]{3}$'", name="currency_iso"),
        CheckConstraint("status <> 'succeeded' OR paid_at IS NOT NULL", name="paid_has_time"),
        Index("ix_payments_billed", "billed_at"),
    )


class UsageEvent(Base):
    """High-volume metered usage. Key (tenant_id, occurred_at, id) so that TimescaleDB can
    partition it by time; a statement trigger keeps `usage_daily` in step."""

    __tablename__ = "usage_events"

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    run_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    metric: Mapped[str] = mapped_column(Text)
    quantity: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    __table_args__ = (CheckConstraint("quantity >= 0", name="quantity_nonneg"),)


class UsageDaily(TenantOwned, Base):
    """Daily rollup of `usage_events`, maintained incrementally by trigger."""

    __tablename__ = "usage_daily"

    metric: Mapped[str] = mapped_column(Text, primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    quantity: Mapped[Decimal] = mapped_column(Numeric(20, 4))
    events: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    __table_args__ = (Index("ix_usage_daily_day", "day", "metric"),)
