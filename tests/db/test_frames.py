"""Query frames: uuid columns come back as their canonical text, and a NULL uuid as None."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import literal, null, select
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
