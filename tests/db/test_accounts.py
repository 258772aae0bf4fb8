"""`regime-dashboard create-user` and `reset-password`, password read from stdin."""

from __future__ import annotations

import io

import bcrypt
import psycopg
import pytest
from sqlalchemy.engine import make_url

from regime_dashboard.cli import main
from regime_dashboard.config import get_settings
from regime_dashboard.db.engine import libpq_dsn

pytestmark = pytest.mark.db


@pytest.fixture
def db(seeded_copy: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DATABASE_URL", seeded_copy)
    get_settings.cache_clear()
    yield seeded_copy
    get_settings.cache_clear()


def _one(url: str, query: str, *params: object) -> tuple:
    with psycopg.connect(libpq_dsn(make_url(url))) as conn:
        return conn.execute(query, params).fetchone()


def _run(monkeypatch: pytest.MonkeyPatch, password: str, *argv: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    return main(list(argv))


def test_create_user_hashes_the_password_and_adds_memberships(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = _one(db, "SELECT name FROM tenants ORDER BY name LIMIT 1")[0]
    code = _run(monkeypatch, "a-long-enough-secret", "create-user", "New.Analyst@Example.com",
                "--role", "analyst", "--tenant", tenant)  # fmt: skip
    assert code == 0
    roles, hashed, tenants = _one(db, """
        SELECT u.dashboard_roles, u.password_hash, array_agg(t.name) FROM users u
        JOIN tenant_users m ON m.user_id = u.id JOIN tenants t ON t.id = m.tenant_id
        WHERE u.email = 'new.analyst@example.com' GROUP BY u.id""")  # fmt: skip
    assert roles == ["analyst"] and tenants == [tenant]
    assert hashed.startswith("$2b$12$") and bcrypt.checkpw(b"a-long-enough-secret", hashed.encode())


@pytest.mark.parametrize(
    ("password", "argv", "message"),
    [
        ("short", ["--role", "admin"], "at least 10 characters"),
        ("x" * 73, ["--role", "admin"], "at most 72 bytes"),
        (
            "a-long-enough-secret",
            ["--role", "admin", "--tenant", "No Such Tenant"],
            "unknown tenant",
        ),
    ],
)
def test_bad_input_writes_nothing(db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                  password: str, argv: list[str], message: str) -> None:  # fmt: skip
    before = _one(db, "SELECT count(*) FROM users")[0]
    assert _run(monkeypatch, password, "create-user", "someone@example.com", *argv) == 1
    assert message in capsys.readouterr().err
    assert _one(db, "SELECT count(*) FROM users")[0] == before


def test_reset_password_replaces_the_hash_and_unlocks(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with psycopg.connect(libpq_dsn(make_url(db))) as conn:
        conn.execute("UPDATE users SET locked_until = now() + interval '1 hour', failed_logins = 3 "
                     "WHERE email = 'admin@demo.local'")  # fmt: skip
    assert _run(monkeypatch, "brand-new-password", "reset-password", "admin@demo.local") == 0
    hashed, locked, failed = _one(db, "SELECT password_hash, locked_until, failed_logins FROM users "
                                  "WHERE email = 'admin@demo.local'")  # fmt: skip
    assert bcrypt.checkpw(b"brand-new-password", hashed.encode()) and locked is None and failed == 0
    assert _run(monkeypatch, "brand-new-password", "reset-password", "ghost@demo.local") == 1
