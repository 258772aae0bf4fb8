"""Row-level security: an analyst's transaction sees only their tenants' rows, whatever the
SQL says and whatever it sets; allowed viewers get the same answers with it on and off;
secrets are unreadable."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import sqlalchemy.exc
from pandas.testing import assert_frame_equal
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from regime_dashboard.db.engine import make_engine, read_only
from regime_dashboard.db.models import Base
from regime_dashboard.queries import backtests, portfolio, regimes
from regime_dashboard.scope import TenantScope
from tests.conftest import Server

pytestmark = pytest.mark.db
TENANT_TABLES = sorted(
    t.name for t in Base.metadata.tables.values() if "tenant_id" in t.c and t.name != "audit_log"
)
PRIVATE_TABLES = ["audit_log", "users"]
WIDEN = (
    "SELECT set_config('app.all_tenants', 'on', true), "
    "set_config('app.tenant_ids', (SELECT string_agg(id::text, ',') FROM tenants), true)"
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
    assert set(TENANT_TABLES) | {"tenants", *PRIVATE_TABLES} <= enabled


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


def _scoped_count(engine: Engine, table: str, scope: TenantScope) -> int:
    """Rows of `table` in `scope`, counted as the owner (no row security) with a WHERE."""
    where = {
        "tenants": "id::text = ANY(:ids)",
        "users": "id IN (SELECT user_id FROM tenant_users WHERE tenant_id::text = ANY(:ids))",
    }.get(table, "tenant_id::text = ANY(:ids)")
    with read_only(engine) as conn:
        query = text(f"SELECT count(*) FROM {table} WHERE {where}")
        return conn.execute(query, {"ids": list(scope.tenant_ids or ())}).scalar_one()


@pytest.mark.parametrize("table", [*TENANT_TABLES, "tenants", *PRIVATE_TABLES])
def test_the_viewer_role_cannot_widen_its_scope_with_settings(
    engine: Engine, analyst_scope: TenantScope, table: str
) -> None:
    """`set_config('app.all_tenants', 'on')` and a list of every tenant id in
    `app.tenant_ids` once widened the scope to every tenant; now nothing reads them."""
    with read_only(engine, analyst_scope, rls=True) as conn:
        conn.execute(text(WIDEN))
        assert conn.execute(text("SELECT current_setting('app.all_tenants')")).scalar() == "on"
        seen = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
    with read_only(engine) as conn:
        everything = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
    assert seen == _scoped_count(engine, table, analyst_scope)
    if table not in ("audit_log", "tenant_quota_overrides", "user_asset_settings"):  # no rows
        # of other tenants in the seeded data
        assert seen < everything


def _token(conn: sqlalchemy.Connection) -> str:
    return conn.execute(text("SELECT current_setting('app.scope')")).scalar_one()


def test_an_edited_scope_token_is_refused(engine: Engine, analyst_scope: TenantScope) -> None:
    with read_only(engine, analyst_scope, rls=True) as conn:
        pid, started, _all, ids, signature = _token(conn).split(":")
        for forged in (
            f"{pid}:{started}:1:{ids}:{signature}",  # all tenants, old signature
            f"{pid}:{started}:1::{'0' * 64}",  # all tenants, made-up signature
        ):
            conn.execute(text("SAVEPOINT forged"))
            conn.execute(text("SELECT set_config('app.scope', :t, true)"), {"t": forged})
            with pytest.raises(sqlalchemy.exc.ProgrammingError, match=r"scope .* is not valid"):
                conn.execute(text("SELECT count(*) FROM tenants")).scalar()
            conn.execute(text("ROLLBACK TO SAVEPOINT forged"))


def test_a_scope_token_of_another_transaction_is_refused(
    engine: Engine, analyst_scope: TenantScope
) -> None:
    """The sign-in path's all-tenants token, replayed in an analyst's transaction."""
    with read_only(engine, TenantScope.everything(), rls=True) as conn:
        everything = _token(conn)
    with read_only(engine, analyst_scope, rls=True) as conn:
        conn.execute(text("SELECT set_config('app.scope', :t, true)"), {"t": everything})
        with pytest.raises(sqlalchemy.exc.ProgrammingError, match="another transaction"):
            conn.execute(text("SELECT count(*) FROM tenants")).scalar()


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT dashboard_scope_token(true, '')",
        "SELECT * FROM regime_dashboard_private.scope_key",
    ],
    ids=["sign_a_scope", "read_the_key"],
)
def test_the_viewer_role_can_neither_sign_a_scope_nor_read_the_key(
    engine: Engine, analyst_scope: TenantScope, statement: str
) -> None:
    with (
        pytest.raises(sqlalchemy.exc.ProgrammingError, match="permission denied"),
        read_only(engine, analyst_scope, rls=True) as conn,
    ):
        conn.execute(text(statement)).all()


def test_the_viewer_role_without_a_scope_sees_no_tenant_rows(engine: Engine) -> None:
    with read_only(engine) as conn:
        conn.execute(text("SET LOCAL ROLE regime_viewer"))
        conn.execute(text(WIDEN.replace("(SELECT string_agg(id::text, ',') FROM tenants)", "''")))
        counts = [conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in
                  ("tenants", "users", "portfolios", "audit_log")]  # fmt: skip
    assert counts == [0, 0, 0, 0]


def test_users_of_other_tenants_are_hidden(engine: Engine, analyst_scope: TenantScope) -> None:
    with read_only(engine, analyst_scope, rls=True) as conn:
        seen = set(conn.execute(text("SELECT email FROM users")).scalars())
    with read_only(engine) as conn:
        members = set(conn.execute(text(
            "SELECT DISTINCT u.email FROM users u JOIN tenant_users m ON m.user_id = u.id "
            "WHERE m.tenant_id::text = ANY(:ids)"), {"ids": list(analyst_scope.tenant_ids)}
        ).scalars())  # fmt: skip
        total = conn.execute(text("SELECT count(*) FROM users")).scalar_one()
    assert seen == members
    assert "analyst@demo.local" in seen and "admin@demo.local" not in seen
    assert len(seen) < total


@pytest.fixture
def private_copy(engine: Engine, pg_server: Server, seeded_url: str) -> Iterator[str]:
    """A writable copy of the seeded database (the module's pool closed first: a template
    database must have no other connections)."""
    engine.dispose()
    url = pg_server.create("rls_copy", template=make_url(seeded_url).database)
    yield url
    pg_server.drop(url)


def test_audit_rows_of_other_tenants_are_hidden(private_copy: str) -> None:
    """Three audit rows: the analyst's tenant, another tenant, and no tenant (a plan edit).
    The analyst's transaction reads only the first; an all-tenants one reads all three."""
    engine = make_engine(private_copy)
    with engine.begin() as conn:
        ids = conn.execute(text(
            "SELECT m.tenant_id::text FROM tenant_users m JOIN users u ON u.id = m.user_id "
            "WHERE u.email = 'analyst@demo.local' ORDER BY 1 LIMIT 1")).scalar_one()  # fmt: skip
        other = conn.execute(text(
            "SELECT id::text FROM tenants WHERE id NOT IN (SELECT tenant_id FROM tenant_users m "
            "JOIN users u ON u.id = m.user_id WHERE u.email = 'analyst@demo.local') LIMIT 1"
        )).scalar_one()  # fmt: skip
        conn.execute(text("DELETE FROM audit_log"))
        for tenant, key in ((ids, "mine"), (other, "other"), (None, "plan")):
            conn.execute(text(
                "INSERT INTO audit_log (actor_email, table_name, row_key, tenant_id, action, after) "
                "VALUES ('admin@demo.local', 't', CAST(:k AS jsonb), CAST(:t AS uuid), 'insert', "
                "'{\"secret\": 1}')"), {"k": f'{{"k": "{key}"}}', "t": tenant})  # fmt: skip
    try:
        keys = {}
        for name, scope in (
            ("analyst", TenantScope.only([ids])),
            ("all", TenantScope.everything()),
        ):
            with read_only(engine, scope, rls=True) as conn:
                conn.execute(text(WIDEN))
                rows = conn.execute(text("SELECT row_key->>'k' FROM audit_log")).scalars()
                keys[name] = sorted(rows)
    finally:
        engine.dispose()
    assert keys == {"analyst": ["mine"], "all": ["mine", "other", "plan"]}


def test_queries_that_name_users_give_the_same_answers_with_rls_on_and_off(
    engine: Engine, analyst_scope: TenantScope
) -> None:
    """Backtest requesters and portfolio owners come from `users`: members of the scope's
    tenants, so row security on `users` hides none of them from the pages."""
    for scope in (analyst_scope, TenantScope.everything()):
        for query in (backtests.list_runs, portfolio.list_portfolios):
            with read_only(engine, scope, rls=False) as conn:
                off = query(conn, scope=scope)
            with read_only(engine, scope, rls=True) as conn:
                on = query(conn, scope=scope)
            assert len(on) > 0
            assert_frame_equal(on, off)
