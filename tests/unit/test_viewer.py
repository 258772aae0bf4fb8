"""Roles and tenant scope of a viewer."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, MetaData, Table, Text, select

from regime_dashboard.scope import TenantScope
from regime_dashboard.viewer import PermissionDeniedError, Viewer


def _viewer(*roles: str, tenants: tuple[str, ...] = ("b", "a")) -> Viewer:
    return Viewer("u1", "x@y.io", "X", frozenset(roles), tenants)


def test_analysts_see_their_tenants_and_admins_or_leadership_see_all() -> None:
    assert _viewer("analyst").scope == TenantScope(("a", "b"))
    assert _viewer("admin").scope.is_all
    assert _viewer("leadership").scope.is_all
    assert _viewer("analyst", tenants=()).scope == TenantScope(())


@pytest.mark.parametrize(
    ("roles", "allowed"),
    [
        (("analyst",), {"analyst"}),
        (("leadership",), {"leadership"}),
        (("admin",), {"analyst", "leadership", "admin"}),
        (("analyst", "leadership"), {"analyst", "leadership"}),
        ((), set()),
    ],
)
def test_areas_by_role(roles: tuple[str, ...], allowed: set[str]) -> None:
    viewer = _viewer(*roles)
    assert {a for a in ("analyst", "leadership", "admin") if viewer.can(a)} == allowed
    for area in {"analyst", "leadership", "admin"} - allowed:
        with pytest.raises(PermissionDeniedError):
            viewer.require(area)


def test_scope_clause_binds_ids_as_parameters() -> None:
    table = Table("t", MetaData(), Column("tenant_id", Text))
    sql = select(table).where(TenantScope(("x'; DROP TABLE t; --",)).clause(table.c.tenant_id))
    compiled = sql.compile()
    assert "DROP" not in str(compiled)
    assert list(compiled.params.values()) == [["x'; DROP TABLE t; --"]]
    assert "true" in str(select(table).where(TenantScope(None).clause(table.c.tenant_id))).lower()
