"""Assets, daily price bars, engine releases and their daily outputs (seed 000 exactly,
plus `tenant_id` on the outputs so that every key of a tenant table leads with it)."""

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
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from ...engine_fields import ENGINE_OUTPUT_FIELDS, OPTIONAL_OUTPUT_FIELDS
from .base import Base, CreatedAt, TenantOwned, new_id

__all__ = [
    "ASSET_CLASSES",
    "CALENDARS",
    "ENGINE_OUTPUT_FIELDS",
    "OPTIONAL_OUTPUT_FIELDS",
    "Asset",
    "EngineOutputDaily",
    "EngineRelease",
    "PriceBar",
]

ASSET_CLASSES = ("equity", "crypto", "fx", "commodity")
# calendars.STORED_NAMES: the exchange-calendars names, and the two from before migration 0008
CALENDARS = ("XNYS", "24/7", "24/5", "trading_252", "calendar_365")


class Asset(Base):
    __tablename__ = "assets"

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    asset_class: Mapped[str] = mapped_column(Text)
    calendar: Mapped[str] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(server_default=text("true"))
    __table_args__ = (
        CheckConstraint("asset_class IN ('equity','crypto','fx','commodity')", name="class_known"),
        CheckConstraint(
            "calendar IN (" + ",".join(f"'{c}'" for c in CALENDARS) + ")", name="calendar_known"
        ),
        CheckConstraint("id ~ '^[A-Z0-9][A-Z0-9._^=-]{0,31}$'", name="symbol_form"),
    )


class PriceBar(Base):
    __tablename__ = "price_bars"

    asset_id: Mapped[str] = mapped_column(
        Text, ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True
    )
    date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    open: Mapped[float] = mapped_column(Double)
    high: Mapped[float] = mapped_column(Double)
    low: Mapped[float] = mapped_column(Double)
    close: Mapped[float] = mapped_column(Double)
    adj_close: Mapped[float | None] = mapped_column(Double)
    volume: Mapped[float | None] = mapped_column(Double)
    source: Mapped[str] = mapped_column(Text, server_default="manual")
    ingested_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    __table_args__ = (
        CheckConstraint("open > 0 AND high > 0 AND low > 0 AND close > 0", name="prices_positive"),
        CheckConstraint("adj_close IS NULL OR adj_close > 0", name="adj_close_positive"),
        CheckConstraint("high >= low", name="high_ge_low"),
        CheckConstraint("volume IS NULL OR volume >= 0", name="volume_nonneg"),
    )


class EngineRelease(TenantOwned, CreatedAt, Base):
    __tablename__ = "engine_releases"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    asset_id: Mapped[str] = mapped_column(Text, ForeignKey("assets.id", ondelete="CASCADE"))
    release_date: Mapped[dt.date] = mapped_column(Date)
    version: Mapped[str] = mapped_column(Text)
    git_commit: Mapped[str | None] = mapped_column(Text)
    data_sha256: Mapped[str | None] = mapped_column(Text)
    env_json: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'"))
    __table_args__ = (
        UniqueConstraint("tenant_id", "asset_id", "version"),
        CheckConstraint("data_sha256 IS NULL OR data_sha256 ~ '^[0-9a-f]{64}$'", name="sha_form"),
        CheckConstraint("length(btrim(version)) > 0", name="version_not_blank"),
    )


class EngineOutputDaily(TenantOwned, Base):
    __tablename__ = "engine_outputs_daily"

    release_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    regime: Mapped[str] = mapped_column(Text)
    confidence: Mapped[float] = mapped_column(Double)
    conviction: Mapped[str | None] = mapped_column(Text)
    escalation_v2: Mapped[float | None] = mapped_column(Double)
    risk_level: Mapped[float | None] = mapped_column(Double)
    realized_vol: Mapped[float | None] = mapped_column(Double)
    vrs: Mapped[float | None] = mapped_column(Double)
    iix: Mapped[float | None] = mapped_column(Double)
    dsr: Mapped[float | None] = mapped_column(Double)
    ss: Mapped[float | None] = mapped_column(Double)
    mb: Mapped[float | None] = mapped_column(Double)
    lq: Mapped[float | None] = mapped_column(Double)
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "release_id"],
            ["engine_releases.tenant_id", "engine_releases.id"],
            ondelete="CASCADE",
        ),
        CheckConstraint("confidence >= 0 AND confidence <= 1", name="confidence_unit"),
        CheckConstraint("length(btrim(regime)) > 0", name="regime_not_blank"),
        CheckConstraint("realized_vol IS NULL OR realized_vol >= 0", name="vol_nonneg"),
        CheckConstraint("risk_level IS NULL OR risk_level BETWEEN 0 AND 1", name="risk_unit"),
    )


Index("ix_engine_releases_asset", EngineRelease.asset_id, EngineRelease.tenant_id)
