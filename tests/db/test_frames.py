"""Query frames: uuid columns come back as their canonical text, and a NULL uuid as None;
timestamps in UTC; an empty result with the contract's dtypes."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import false, literal, null, select, text
from sqlalchemy.types import Uuid

from regime_dashboard.db.engine import make_engine, read_only
from regime_dashboard.db.models import Tenant
from regime_dashboard.queries._frames import frame

pytestmark = pytest.mark.db


def test_uuid_columns_are_text_and_null_stays_none(seeded_url: str) -> None:
    engine = make_engine(seeded_url)
    known = uuid.UUID("12345678-1234-5678-1234-567812345678")
    stmt = select(
        Tenant.id,
        Tenant.name,
        literal(known, Uuid).label("known"),
        null().cast(Uuid).label("missing"),
    ).order_by(Tenant.name)
    try:
        with read_only(engine) as conn:
            tenants = frame(conn, stmt, ["name", "id", "known", "missing"])
            expected = conn.execute(select(Tenant.name, Tenant.id).order_by(Tenant.name)).all()
    finally:
        engine.dispose()
    assert list(tenants.columns) == ["name", "id", "known", "missing"]
    assert tenants["id"].tolist() == [str(tenant_id) for _, tenant_id in expected]
    assert tenants["known"].iloc[0] == "12345678-1234-5678-1234-567812345678"
    assert tenants["missing"].tolist() == [None] * len(expected)


CONTRACT = {"name": "str", "id": "object", "created_at": "datetime64[us, UTC]"}


def test_an_empty_result_carries_the_declared_dtypes(seeded_url: str) -> None:
    engine = make_engine(seeded_url)
    stmt = select(Tenant.id, Tenant.name, Tenant.created_at).where(false())
    try:
        with read_only(engine) as conn:
            typed = frame(conn, stmt, CONTRACT)
            untyped = frame(conn, stmt, list(CONTRACT))  # names only: still accepted
    finally:
        engine.dispose()
    assert typed.empty and {c: str(t) for c, t in typed.dtypes.items()} == CONTRACT
    assert untyped.empty and list(untyped.columns) == list(CONTRACT)


def test_timestamps_are_utc_whatever_the_session_time_zone(seeded_url: str) -> None:
    engine = make_engine(seeded_url)
    stmt = select(Tenant.name, Tenant.id, Tenant.created_at).order_by(Tenant.name)
    try:
        with read_only(engine) as conn:
            conn.execute(text("SET LOCAL TIME ZONE 'America/New_York'"))
            tenants = frame(conn, stmt, CONTRACT)
            expected = conn.execute(stmt).all()
    finally:
        engine.dispose()
    assert {c: str(t) for c, t in tenants.dtypes.items()} == CONTRACT
    assert tenants["created_at"].tolist() == [created for _, _, created in expected]
