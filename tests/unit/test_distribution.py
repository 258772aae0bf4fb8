"""The schema can be distributed by tenant_id (Citus co-location): every primary and unique
key of a tenant table includes tenant_id, and so does every foreign key between tenant
tables. Checked on the models (tests/db checks the models equal the migrations)."""

from __future__ import annotations

import pytest
from sqlalchemy import PrimaryKeyConstraint, UniqueConstraint

from regime_dashboard.db.models import Base

TENANT_TABLES = sorted(
    t for t, table in Base.metadata.tables.items() if "tenant_id" in table.c and t != "audit_log"
)


def test_the_tenant_tables_are_the_ones_expected() -> None:
    assert {"engine_outputs_daily", "usage_events", "orders", "subscriptions", "runs"} <= set(
        TENANT_TABLES
    )


@pytest.mark.parametrize("name", TENANT_TABLES)
def test_keys_of_a_tenant_table_include_tenant_id(name: str) -> None:
    table = Base.metadata.tables[name]
    keys = [c for c in table.constraints if isinstance(c, PrimaryKeyConstraint | UniqueConstraint)]
    keys += [i for i in table.indexes if i.unique]
    for key in keys:
        assert "tenant_id" in [c.name for c in key.columns], f"{name}: {key.name} lacks tenant_id"


@pytest.mark.parametrize("name", TENANT_TABLES)
def test_foreign_keys_between_tenant_tables_include_tenant_id(name: str) -> None:
    table = Base.metadata.tables[name]
    for fk in table.foreign_key_constraints:
        if fk.referred_table.name in TENANT_TABLES:
            assert "tenant_id" in [c.name for c in fk.columns], (
                f"{name} -> {fk.referred_table.name}"
            )
