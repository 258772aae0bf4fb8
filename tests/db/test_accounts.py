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


def _epoch(url: str, email: str) -> int:
    return _one(url, "SELECT session_epoch FROM users WHERE email = %s", email)[0]


def test_reset_password_ends_every_session_and_clears_the_source_locks(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with psycopg.connect(libpq_dsn(make_url(db))) as conn:
        conn.execute("INSERT INTO sign_in_throttle (email, source, failures, locked_until) "
                     "VALUES ('admin@demo.local', '203.0.113.7', 0, now() + interval '1 hour')")  # fmt: skip
    before = _epoch(db, "admin@demo.local")
    assert _run(monkeypatch, "brand-new-password", "reset-password", "admin@demo.local") == 0
    assert _epoch(db, "admin@demo.local") == before + 1
    assert _one(db, "SELECT count(*) FROM sign_in_throttle")[0] == 0


def test_a_role_change_through_create_user_ends_the_sessions(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _run(monkeypatch, "a-long-enough-secret", "create-user", "ops@example.com",
                "--role", "analyst") == 0  # fmt: skip
    first = _epoch(db, "ops@example.com")
    assert _run(monkeypatch, "a-long-enough-secret", "create-user", "ops@example.com",
                "--role", "admin") == 0  # fmt: skip
    assert _epoch(db, "ops@example.com") == first + 1


@pytest.mark.parametrize(
    ("change", "bumps"),
    [
        ("is_active = false", True),
        ("locked_until = now() + interval '1 hour'", True),
        ("dashboard_roles = ARRAY['admin']", True),
        ("password_hash = 'x'", True),
        ("failed_logins = failed_logins + 1", False),
        ("last_login_at = now()", False),
        ("locked_until = NULL", False),
        ("display_name = 'Someone Else'", False),
    ],
)
def test_the_trigger_bumps_the_epoch_on_security_changes_only(
    db: str, change: str, bumps: bool
) -> None:
    before = _epoch(db, "analyst@demo.local")
    with psycopg.connect(libpq_dsn(make_url(db))) as conn:
        conn.execute(f"UPDATE users SET {change} WHERE email = 'analyst@demo.local'")
    assert _epoch(db, "analyst@demo.local") == before + int(bumps)


def test_create_user_refuses_the_demo_emails(
    db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(monkeypatch, "a-long-enough-secret", "create-user", "Admin@Demo.local",
                "--role", "admin") == 1  # fmt: skip
    assert "demo account" in capsys.readouterr().err
