"""Sign-in against the users table: bcrypt, bookkeeping, and the lock per (email, source)
with its backoff; parallel attempts cannot get past it; unknown and locked accounts are
answered alike; demo accounts sign in only in demo mode."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

import pytest
import sqlalchemy.exc
from sqlalchemy import Engine, create_engine, pool, text

from regime_dashboard.auth import signin
from regime_dashboard.auth.signin import WRONG, attempt_sign_in
from regime_dashboard.config import Settings

pytestmark = pytest.mark.db
EMAIL, PASSWORD = "analyst@demo.local", "analyst-demo-pass"
HERE, THERE = "203.0.113.7", "198.51.100.20"
DEMO = Settings(demo_mode=True)


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


def _lock_minutes(engine: Engine, email: str, source: str) -> float:
    with engine.connect() as conn:
        return float(conn.execute(text(
            "SELECT extract(epoch FROM locked_until - now()) / 60 FROM sign_in_throttle "
            "WHERE email = :e AND source = :s"), {"e": email, "s": source}).scalar())  # fmt: skip


def _expire_locks(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("UPDATE sign_in_throttle SET locked_until = now() - interval '1 second'"))


def _fail(engine: Engine, times: int, email: str = EMAIL, source: str = HERE) -> list[str]:
    return [
        attempt_sign_in(engine, DEMO, email, "wrong-password", source).message for _ in range(times)
    ]


def test_the_right_password_signs_in_and_records_the_time(engine: Engine) -> None:
    result = attempt_sign_in(engine, DEMO, EMAIL.upper() + " ", PASSWORD, HERE)
    assert (result.ok, result.email, result.display_name) == (True, EMAIL, "Ana Analyst")
    assert result.session_epoch == 0
    account = _account(engine)
    assert account["last_login_at"] is not None and account["failed_logins"] == 0


def test_unknown_email_and_wrong_password_get_the_same_message(engine: Engine) -> None:
    assert attempt_sign_in(engine, DEMO, "nobody@demo.local", PASSWORD, HERE).message == WRONG
    assert attempt_sign_in(engine, DEMO, EMAIL, "wrong-password", HERE).message == WRONG
    assert _account(engine)["failed_logins"] == 1


def test_five_failures_lock_the_email_from_that_source_for_fifteen_minutes(engine: Engine) -> None:
    assert _fail(engine, 4) == [WRONG] * 4
    fifth = attempt_sign_in(engine, DEMO, EMAIL, "wrong-password", HERE)
    assert fifth.message.startswith("Too many failed sign-ins")
    assert 14.9 < _lock_minutes(engine, EMAIL, HERE) <= 15.0
    locked = attempt_sign_in(engine, DEMO, EMAIL, PASSWORD, HERE)
    assert not locked.ok and locked.message == fifth.message
    # the account itself is not locked: the owner signs in from elsewhere
    assert attempt_sign_in(engine, DEMO, EMAIL, PASSWORD, THERE).ok
    assert _account(engine)["locked_until"] is None
    _expire_locks(engine)
    assert attempt_sign_in(engine, DEMO, EMAIL, PASSWORD, HERE).ok
    with engine.connect() as conn:  # a success forgets the pair
        assert conn.execute(text("SELECT count(*) FROM sign_in_throttle")).scalar() == 0


def test_each_further_lock_lasts_twice_as_long(engine: Engine) -> None:
    minutes = []
    for _ in range(3):
        _fail(engine, 5)
        minutes.append(round(_lock_minutes(engine, EMAIL, HERE)))
        _expire_locks(engine)
    assert minutes == [15, 30, 60]
    assert attempt_sign_in(engine, DEMO, EMAIL, PASSWORD, HERE).ok
    _fail(engine, 5)  # after a success the backoff starts again
    assert round(_lock_minutes(engine, EMAIL, HERE)) == 15
    assert signin.lock_minutes(DEMO, 20) == 24 * 60  # capped at a day


def _shape(message: str) -> str:
    return re.sub(r"\d\d:\d\d", "HH:MM", message)


def test_unknown_and_locked_accounts_are_answered_alike(engine: Engine) -> None:
    known = [_shape(m) for m in _fail(engine, 6, EMAIL)]
    unknown = [_shape(m) for m in _fail(engine, 6, "nobody-here@demo.local")]
    assert known == unknown == [WRONG] * 4 + [_shape(signin.locked_message(_now(engine)))] * 2
    with engine.begin() as conn:  # an account locked by an admin looks like an unknown one
        conn.execute(text("UPDATE users SET locked_until = now() + interval '1 hour' "
                          "WHERE email = 'admin@demo.local'"))  # fmt: skip
    assert (
        attempt_sign_in(engine, DEMO, "admin@demo.local", "admin-demo-pass", HERE).message == WRONG
    )


def _now(engine: Engine):  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return conn.execute(text("SELECT now()")).scalar()


def test_demo_accounts_sign_in_only_in_demo_mode(engine: Engine) -> None:
    production = Settings(demo_mode=False)
    refused = attempt_sign_in(engine, production, EMAIL, PASSWORD, HERE)
    assert (refused.ok, refused.message) == (False, WRONG)
    assert attempt_sign_in(engine, DEMO, EMAIL, PASSWORD, THERE).ok


def test_parallel_guesses_cannot_get_past_the_lock(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """30 attempts at once from one source, 29 wrong and the right one last: exactly
    LOGIN_MAX_ATTEMPTS passwords are checked and nobody signs in."""
    limit = DEMO.login_max_attempts
    checks: list[str] = []
    limit_reached = threading.Event()
    real_verify = signin.verify

    def counting_verify(password: str, password_hash: str | None) -> bool:
        checks.append(password)
        try:
            return real_verify(password, password_hash)
        finally:
            if len(checks) >= limit:
                limit_reached.set()

    monkeypatch.setattr(signin, "verify", counting_verify)
    results: dict[int, signin.SignInResult] = {}
    start = threading.Barrier(29)

    def guess(i: int) -> None:
        if i == 29:  # the right password, once LOGIN_MAX_ATTEMPTS guesses were checked
            limit_reached.wait(120)
            results[i] = attempt_sign_in(engine, DEMO, EMAIL, PASSWORD, HERE)
        else:
            start.wait(120)
            results[i] = attempt_sign_in(engine, DEMO, EMAIL, f"wrong-password-{i}", HERE)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert len(results) == 30
    assert not any(r.ok for r in results.values())
    assert len(checks) == limit and PASSWORD not in checks
    assert sum(r.message == WRONG for r in results.values()) == limit - 1
    assert _account(engine)["failed_logins"] == limit


@pytest.mark.parametrize(
    "attack", ["' OR '1'='1", "analyst@demo.local'--", 'x"; DROP TABLE users; --']
)
def test_injection_strings_are_just_wrong_credentials(engine: Engine, attack: str) -> None:
    assert attempt_sign_in(engine, DEMO, attack, attack, attack).message == WRONG
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM users")).scalar() > 0


@pytest.mark.parametrize(
    "query", ["SELECT email, source FROM sign_in_throttle", "SELECT session_epoch FROM users"]
)
def test_the_viewer_role_cannot_read_the_sign_in_bookkeeping(engine: Engine, query: str) -> None:
    with engine.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = 'regime_viewer'")).first():
            pytest.skip("the server has no viewer role (migration 0003 could not create it)")
        conn.execute(text("SET ROLE regime_viewer"))
        with pytest.raises(sqlalchemy.exc.ProgrammingError, match="permission denied"):
            conn.execute(text(query))


def test_two_right_sign_ins_at_once_after_a_failure_both_succeed(engine: Engine) -> None:
    """A double click (or two tabs) after one failure: the first success deletes the pair's
    failure row while the second waits for it; the second must sign in, not crash."""
    assert not attempt_sign_in(engine, DEMO, EMAIL, "wrong-password", HERE).ok
    results: list[object] = []
    start = threading.Barrier(2)

    def sign_in() -> None:
        start.wait(60)
        try:
            results.append(attempt_sign_in(engine, DEMO, EMAIL, PASSWORD, HERE).ok)
        except Exception as error:  # the defect: NoResultFound from the vanished row
            results.append(type(error).__name__)

    threads = [threading.Thread(target=sign_in) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert results == [True, True]
