"""Sign-in against the users table: bcrypt, bookkeeping, lockout after five failures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, pool, text

from regime_dashboard.auth.signin import WRONG, attempt_sign_in
from regime_dashboard.config import Settings

pytestmark = pytest.mark.db
EMAIL, PASSWORD = "analyst@demo.local", "analyst-demo-pass"


@pytest.fixture
def engine(seeded_copy: str) -> Iterator[Engine]:
    engine = create_engine(seeded_copy, poolclass=pool.NullPool)
    yield engine
    engine.dispose()


def _account(engine: Engine) -> dict:
    with engine.connect() as conn:
        return dict(conn.execute(text(
            "SELECT failed_logins, locked_until, last_login_at FROM users WHERE email = :e"), {"e": EMAIL}
        ).mappings().one())  # fmt: skip


def test_the_right_password_signs_in_and_records_the_time(engine: Engine) -> None:
    result = attempt_sign_in(engine, Settings(), EMAIL.upper() + " ", PASSWORD)
    assert (result.ok, result.email, result.display_name) == (True, EMAIL, "Ana Analyst")
    account = _account(engine)
    assert account["last_login_at"] is not None and account["failed_logins"] == 0


def test_unknown_email_and_wrong_password_get_the_same_message(engine: Engine) -> None:
    assert attempt_sign_in(engine, Settings(), "nobody@demo.local", PASSWORD).message == WRONG
    assert attempt_sign_in(engine, Settings(), EMAIL, "wrong-password").message == WRONG
    assert _account(engine)["failed_logins"] == 1


def test_five_failures_lock_the_account_for_fifteen_minutes(engine: Engine) -> None:
    for _ in range(4):
        assert attempt_sign_in(engine, Settings(), EMAIL, "wrong-password").message == WRONG
    fifth = attempt_sign_in(engine, Settings(), EMAIL, "wrong-password")
    assert "locked" in fifth.message
    with engine.connect() as conn:
        minutes = conn.execute(text(
            "SELECT extract(epoch FROM locked_until - now()) / 60 FROM users WHERE email = :e"), {"e": EMAIL}
        ).scalar()  # fmt: skip
    assert 14.9 < float(minutes) <= 15.0
    locked = attempt_sign_in(engine, Settings(), EMAIL, PASSWORD)
    assert not locked.ok and "locked" in locked.message
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE users SET locked_until = now() - interval '1 second' WHERE email = :e"),
            {"e": EMAIL},
        )
    assert attempt_sign_in(engine, Settings(), EMAIL, PASSWORD).ok
    assert _account(engine)["locked_until"] is None


@pytest.mark.parametrize(
    "attack", ["' OR '1'='1", "analyst@demo.local'--", 'x"; DROP TABLE users; --']
)
def test_injection_strings_are_just_wrong_credentials(engine: Engine, attack: str) -> None:
    assert attempt_sign_in(engine, Settings(), attack, attack).message == WRONG
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM users")).scalar() > 0
