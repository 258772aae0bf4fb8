"""Row-level security: an analyst's transaction sees only their tenants' rows, whatever the
SQL says; allowed viewers get the same answers with it on and off; secrets are unreadable."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import sqlalchemy.exc
from pandas.testing import assert_frame_equal
from sqlalchemy import Engine, text

from regime_dashboard.db.engine import make_engine, read_only
from regime_dashboard.db.models import Base
from regime_dashboard.queries import regimes
from regime_dashboard.scope import TenantScope

pytestmark = pytest.mark.db
TENANT_TABLES = sorted(
    t.name for t in Base.metadata.tables.values() if "tenant_id" in t.c and t.name != "audit_log"
)


@pytest.fixture(scope="module")
def engine(seeded_url: str) -> Iterator[Engine]:
    engine = make_engine(seeded_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def analyst_scope(engine: Engine) -> TenantScope:
    with engine.connect() as conn:
        ids = conn.execute(text(
            "SELECT m.tenant_id::text FROM tenant_users m JOIN users u ON u.id = m.user_id "
            "WHERE u.email = 'analyst@demo.local'")).scalars().all()  # fmt: skip
    return TenantScope.only(ids)


def test_every_tenant_table_has_row_level_security(engine: Engine) -> None:
    with engine.connect() as conn:
        enabled = set(conn.execute(text(
            "SELECT relname FROM pg_class WHERE relrowsecurity AND relnamespace = current_schema()::regnamespace"
        )).scalars())  # fmt: skip
    assert set(TENANT_TABLES) | {"tenants"} <= enabled


@pytest.mark.parametrize("table", TENANT_TABLES)
def test_an_unscoped_query_still_returns_only_the_viewers_tenants(
    engine: Engine, analyst_scope: TenantScope, table: str
) -> None:
    with read_only(engine, analyst_scope, rls=True) as conn:
        seen = conn.execute(text(f"SELECT count(*), count(DISTINCT tenant_id) FROM {table}")).one()
        foreign = conn.execute(text(f"SELECT count(*) FROM {table} WHERE NOT (tenant_id::text = ANY(:ids))"),
                               {"ids": list(analyst_scope.tenant_ids)}).scalar()  # fmt: skip
    with read_only(engine) as conn:
        expected = conn.execute(text(f"SELECT count(*) FROM {table} WHERE tenant_id::text = ANY(:ids)"),
                                {"ids": list(analyst_scope.tenant_ids)}).scalar()  # fmt: skip
    assert foreign == 0
    assert seen[0] == expected


def test_tenant_names_of_other_tenants_are_hidden(
    engine: Engine, analyst_scope: TenantScope
) -> None:
    with read_only(engine, analyst_scope, rls=True) as conn:
        ids = set(conn.execute(text("SELECT id::text FROM tenants")).scalars())
    assert ids == set(analyst_scope.tenant_ids)


@pytest.mark.parametrize("table", [*TENANT_TABLES, "tenants"])
def test_the_policy_reads_the_viewers_scope_once_per_query_not_per_row(
    engine: Engine, analyst_scope: TenantScope, table: str
) -> None:
    """A setting read inside the row filter costs a function call per scanned row (it tripled
    the portfolio list's time); read in an init-plan, the filter compares parameters."""
    with read_only(engine, analyst_scope, rls=True) as conn:
        column = "id" if table == "tenants" else "tenant_id"
        plan = conn.execute(text(f"EXPLAIN SELECT {column} FROM {table}")).scalars().all()
    filters = [line for line in plan if "Filter:" in line or "Cond:" in line]
    assert filters, plan
    assert not [f for f in filters if "current_setting" in f or "CURRENT_USER" in f], plan


@pytest.mark.parametrize(("table", "column"), [("users", "password_hash"), ("broker_accounts", "access_token"),
                                               ("broker_accounts", "api_key")])  # fmt: skip
def test_the_viewer_role_cannot_read_secrets(engine: Engine, table: str, column: str) -> None:
    with pytest.raises(sqlalchemy.exc.ProgrammingError, match="permission denied"), \
            read_only(engine, TenantScope.everything(), rls=True) as conn:  # fmt: skip
        conn.execute(text(f"SELECT {column} FROM {table}")).all()


def test_reads_cannot_write(engine: Engine) -> None:
    with pytest.raises(sqlalchemy.exc.InternalError, match="read-only"), read_only(engine) as conn:
        conn.execute(text("UPDATE plans SET name = name"))


def test_allowed_viewers_get_the_same_answers_with_rls_on_and_off(
    engine: Engine, analyst_scope: TenantScope
) -> None:
    for scope in (analyst_scope, TenantScope.everything()):
        with read_only(engine, scope, rls=False) as conn:
            off = regimes.list_releases(conn, scope=scope)
        with read_only(engine, scope, rls=True) as conn:
            on = regimes.list_releases(conn, scope=scope)
        assert_frame_equal(on, off)
        row = off.iloc[0]
        params = {"tenant_id": str(row.tenant_id), "release_id": str(row.release_id),
                  "start": dt.date(2020, 1, 1), "end": dt.date(2030, 1, 1)}  # fmt: skip
        with read_only(engine, scope, rls=False) as conn:
            series_off = regimes.regime_series(conn, scope=scope, **params)
        with read_only(engine, scope, rls=True) as conn:
            series_on = regimes.regime_series(conn, scope=scope, **params)
        assert_frame_equal(series_on, series_off)
        assert len(series_on) > 0


def test_a_statement_over_the_timeout_is_cancelled(seeded_url: str) -> None:
    quick = make_engine(seeded_url, statement_timeout_ms=200)
    with (
        pytest.raises(sqlalchemy.exc.OperationalError, match="statement timeout"),
        read_only(quick) as conn,
    ):
        conn.execute(text("SELECT pg_sleep(2)"))
    quick.dispose()
