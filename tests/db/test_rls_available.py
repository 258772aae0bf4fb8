"""The app uses row-level security only where its login may: a member of the viewer role
that may also call the scope token's issuer (migration 0007)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from regime_dashboard.db.engine import libpq_dsn, rls_available

pytestmark = pytest.mark.db


def _run(url: str, *statements: str) -> None:
    with psycopg.connect(libpq_dsn(make_url(url)), autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


@pytest.fixture
def other_login(empty_db: str) -> Iterator[str]:
    """A login that is not the owner of the schema, but a member of the viewer role."""
    role = f"rdt_login_{os.getpid()}"
    _run(empty_db, f"DROP ROLE IF EXISTS {role}", f"CREATE ROLE {role} LOGIN IN ROLE regime_viewer")
    yield role
    _run(empty_db, f"DROP OWNED BY {role}", f"DROP ROLE IF EXISTS {role}")


def test_a_member_login_without_the_issuer_grant_reads_without_the_role(
    empty_db: str, other_login: str
) -> None:
    engine = create_engine(make_url(empty_db).set(username=other_login, password=None))
    try:
        assert rls_available(engine) is False
        _run(
            empty_db,
            f"GRANT EXECUTE ON FUNCTION dashboard_scope_token(boolean, text) TO {other_login}",
        )
        assert rls_available(engine) is True
    finally:
        engine.dispose()


def test_the_owner_login_uses_the_role(empty_db: str) -> None:
    engine = create_engine(empty_db)
    try:
        assert rls_available(engine) is True
    finally:
        engine.dispose()
