"""Portfolios, signals, orders, fills, holdings and broker accounts (seed 002).

Broker credentials live in `broker_accounts`; no dashboard query ever selects them."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Double,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, CreatedAt, TenantOwned, new_id

__all__ = ["BrokerAccount", "Fill", "Holding", "Order", "Portfolio", "Signal"]


def _tenant_fk(col: str, table: str, ondelete: str = "CASCADE") -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["tenant_id", col], [f"{table}.tenant_id", f"{table}.id"], ondelete=ondelete
    )


class BrokerAccount(TenantOwned, CreatedAt, Base):
    __tablename__ = "broker_accounts"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("users.id"))
    broker: Mapped[str] = mapped_column(Text)
    broker_user_id: Mapped[str | None] = mapped_column(Text)
    api_key: Mapped[str | None] = mapped_column(Text)
    access_token: Mapped[str | None] = mapped_column(Text)
    refresh_token: Mapped[str | None] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(server_default=text("true"))


class Portfolio(TenantOwned, CreatedAt, Base):
    __tablename__ = "portfolios"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), ForeignKey("users.id"))
    broker_account_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    name: Mapped[str] = mapped_column(Text)
    currency: Mapped[str] = mapped_column(Text, server_default="USD")
    starting_cash: Mapped[float] = mapped_column(Double)
    __table_args__ = (
        _tenant_fk("broker_account_id", "broker_accounts", "SET NULL"),
        CheckConstraint("starting_cash >= 0", name="cash_nonneg"),
    )


class Signal(TenantOwned, CreatedAt, Base):
    __tablename__ = "signals"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    portfolio_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    asset_id: Mapped[str] = mapped_column(Text, ForeignKey("assets.id"))
    strategy_version_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    signal_type: Mapped[str] = mapped_column(Text)
    confidence_score: Mapped[float] = mapped_column(Double)
    entry_price: Mapped[float] = mapped_column(Double)
    target_price: Mapped[float | None] = mapped_column(Double)
    stop_loss: Mapped[float | None] = mapped_column(Double)
    generated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (
        _tenant_fk("portfolio_id", "portfolios"),
        CheckConstraint("signal_type IN ('BUY','SELL','SHORT','COVER')", name="type_known"),
        CheckConstraint("confidence_score BETWEEN 0 AND 1", name="confidence_unit"),
        CheckConstraint("entry_price > 0", name="entry_positive"),
        Index("ix_signals_portfolio_time", "tenant_id", "portfolio_id", "generated_at"),
    )


class Order(TenantOwned, CreatedAt, Base):
    __tablename__ = "orders"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    portfolio_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    signal_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    asset_id: Mapped[str] = mapped_column(Text, ForeignKey("assets.id"))
    broker_order_id: Mapped[str | None] = mapped_column(Text)
    order_type: Mapped[str] = mapped_column(Text)
    transaction_type: Mapped[str] = mapped_column(Text)
    quantity: Mapped[float] = mapped_column(Double)
    price: Mapped[float | None] = mapped_column(Double)
    status: Mapped[str] = mapped_column(Text)
    filled_quantity: Mapped[float] = mapped_column(Double, server_default="0")
    average_price: Mapped[float | None] = mapped_column(Double)
    fees: Mapped[float] = mapped_column(Double, server_default="0")
    taxes: Mapped[float] = mapped_column(Double, server_default="0")
    order_timestamp: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (
        _tenant_fk("portfolio_id", "portfolios"),
        _tenant_fk("signal_id", "signals", "SET NULL"),
        CheckConstraint("order_type IN ('MARKET','LIMIT','SL','SL-M')", name="type_known"),
        CheckConstraint("transaction_type IN ('BUY','SELL')", name="side_known"),
        CheckConstraint(
            "status IN ('PENDING','OPEN','COMPLETE','CANCELLED','REJECTED')", name="status_known"
        ),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("filled_quantity >= 0 AND filled_quantity <= quantity", name="fill_range"),
        CheckConstraint("fees >= 0 AND taxes >= 0", name="costs_nonneg"),
        Index("ix_orders_portfolio_time", "tenant_id", "portfolio_id", "order_timestamp"),
    )


class Fill(TenantOwned, Base):
    __tablename__ = "fills"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    order_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    portfolio_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    asset_id: Mapped[str] = mapped_column(Text, ForeignKey("assets.id"))
    side: Mapped[str] = mapped_column(Text)
    quantity: Mapped[float] = mapped_column(Double)
    price: Mapped[float] = mapped_column(Double)
    fees: Mapped[float] = mapped_column(Double, server_default="0")
    filled_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (
        _tenant_fk("order_id", "orders"),
        _tenant_fk("portfolio_id", "portfolios"),
        CheckConstraint("side IN ('BUY','SELL')", name="side_known"),
        CheckConstraint("quantity > 0 AND price > 0 AND fees >= 0", name="amounts_valid"),
        Index("ix_fills_portfolio_time", "tenant_id", "portfolio_id", "filled_at"),
    )


class Holding(TenantOwned, Base):
    """The platform's position snapshot; the dashboard re-derives positions from fills."""

    __tablename__ = "holdings"

    portfolio_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    asset_id: Mapped[str] = mapped_column(Text, ForeignKey("assets.id"), primary_key=True)
    quantity: Mapped[float] = mapped_column(Double)
    average_price: Mapped[float] = mapped_column(Double)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (
        _tenant_fk("portfolio_id", "portfolios"),
        CheckConstraint("quantity >= 0 AND average_price >= 0", name="amounts_nonneg"),
    )
