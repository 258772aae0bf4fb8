"""Strategies, their versions, backtest runs with daily equity, paper-trade runs (seed 001)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    Double,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, CreatedAt, TenantOwned, Versioned, new_id

__all__ = ["BacktestEquityDaily", "BacktestRun", "PaperTradeRun", "Strategy", "StrategyVersion"]


def _tenant_fk(cols: list[str], table: str) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["tenant_id", *cols], [f"{table}.tenant_id", f"{table}.id"], ondelete="CASCADE"
    )


class Strategy(TenantOwned, CreatedAt, Versioned, Base):
    __tablename__ = "strategies"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    owner_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(Text)
    slug: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text, server_default="draft")
    visibility: Mapped[str] = mapped_column(Text, server_default="private")
    tags: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'::text[]"))
    __table_args__ = (
        UniqueConstraint("tenant_id", "slug"),
        CheckConstraint("status IN ('draft','active','archived')", name="status_known"),
        CheckConstraint("visibility IN ('private','tenant','public')", name="visibility_known"),
    )


class StrategyVersion(TenantOwned, CreatedAt, Base):
    __tablename__ = "strategy_versions"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    strategy_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    version: Mapped[int] = mapped_column()
    graph_json: Mapped[dict[str, Any]] = mapped_column(JSONB)
    notes: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), ForeignKey("users.id"))
    __table_args__ = (
        _tenant_fk(["strategy_id"], "strategies"),
        UniqueConstraint("tenant_id", "strategy_id", "version"),
        CheckConstraint("version >= 1", name="version_positive"),
    )


class BacktestRun(TenantOwned, CreatedAt, Base):
    __tablename__ = "backtest_runs"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    strategy_version_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    requested_by: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id")
    )
    parameters: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'"))
    status: Mapped[str] = mapped_column(Text)
    metrics: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    __table_args__ = (
        _tenant_fk(["strategy_version_id"], "strategy_versions"),
        CheckConstraint(
            "status IN ('queued','running','succeeded','failed','canceled')", name="status_known"
        ),
        CheckConstraint(
            "completed_at IS NULL OR started_at IS NULL OR completed_at >= started_at",
            name="completes_after_start",
        ),
        Index("ix_backtest_runs_version", "tenant_id", "strategy_version_id", "created_at"),
    )


class BacktestEquityDaily(TenantOwned, Base):
    """End-of-day equity of a backtest; metrics are re-derived from it."""

    __tablename__ = "backtest_equity_daily"

    backtest_run_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    equity: Mapped[float] = mapped_column(Double)
    __table_args__ = (
        _tenant_fk(["backtest_run_id"], "backtest_runs"),
        CheckConstraint("equity > 0", name="equity_positive"),
    )


class PaperTradeRun(TenantOwned, CreatedAt, Base):
    __tablename__ = "paper_trade_runs"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    strategy_version_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    schedule: Mapped[dict[str, Any]] = mapped_column(JSONB)
    status: Mapped[str] = mapped_column(Text)
    last_execution_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    performance_snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    alert_config: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    __table_args__ = (
        _tenant_fk(["strategy_version_id"], "strategy_versions"),
        CheckConstraint("status IN ('active','paused','stopped','failed')", name="status_known"),
    )
