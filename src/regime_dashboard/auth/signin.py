"""Checking a sign-in: throttle, password, bookkeeping. No Streamlit here.

Failures are counted per (email, source), where source is the client's address
(`st.context.ip_address`, "unknown" when Streamlit gives none). One transaction locks the
pair's row FOR UPDATE before the password is checked and counts the failure before it
commits, so parallel attempts queue and no more than LOGIN_MAX_ATTEMPTS passwords are
checked before the pair is locked. Each further lock of the pair lasts twice as long
(`lock_minutes`). Unknown, inactive, role-less, locked and (outside demo mode) demo
accounts are answered exactly like a wrong password, and are counted and locked the same
way, so no answer tells whether an account exists.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, Engine

from ..config import Settings
from ..demo.tenants import DEMO_EMAILS
from ..queries import auth as q
from ..viewer import Viewer
from .passwords import verify

__all__ = [
    "MAX_LOCK_MINUTES",
    "UNKNOWN_SOURCE",
    "WRONG",
    "SignInResult",
    "attempt_sign_in",
    "lock_minutes",
    "locked_message",
    "may_sign_in",
    "viewer_from_account",
]

WRONG = "Email or password is incorrect."
UNKNOWN_SOURCE = "unknown"
MAX_LOCK_MINUTES = 24 * 60
MAX_EMAIL_LENGTH = 320


@dataclass(frozen=True)
class SignInResult:
    ok: bool
    message: str
    email: str = ""
    display_name: str = ""
    session_epoch: int = 0


def locked_message(until: dt.datetime) -> str:
    """The same words whether or not the email has an account."""
    return (
        "Too many failed sign-ins with this email from your address. "
        f"Try again after {until.astimezone(dt.UTC):%H:%M} UTC."
    )


def lock_minutes(settings: Settings, locks_before: int) -> float:
    """LOGIN_LOCK_MINUTES for the pair's first lock, doubled for each lock since its last
    successful sign-in, at most a day."""
    return float(min(settings.login_lock_minutes * 2 ** min(locks_before, 20), MAX_LOCK_MINUTES))


def may_sign_in(account: dict | None, settings: Settings, now: dt.datetime) -> bool:
    """Active, with a dashboard role, not locked, and not a demo account outside demo mode."""
    if account is None or not account["is_active"] or not account["dashboard_roles"]:
        return False
    if account["locked_until"] is not None and account["locked_until"] > now:
        return False
    return settings.demo_mode or account["email"] not in DEMO_EMAILS


def _fail(
    conn: Connection, settings: Settings, address: str, source: str, throttle: dict, user_id
) -> SignInResult:
    failures = q.record_failed_sign_in(conn, email=address, source=source, user_id=user_id)
    if failures < settings.login_max_attempts:
        return SignInResult(False, WRONG)
    minutes = lock_minutes(settings, throttle["locks"])
    until = q.lock_throttle(conn, email=address, source=source, minutes=minutes)
    return SignInResult(False, locked_message(until))


def attempt_sign_in(
    engine: Engine, settings: Settings, email: str, password: str, source: str | None = None
) -> SignInResult:
    """Verify `password` for `email` from `source`, counting failures and locking the
    (email, source) pair after LOGIN_MAX_ATTEMPTS of them."""
    address = q.normalise_email(email)[:MAX_EMAIL_LENGTH]
    source = (source or UNKNOWN_SOURCE)[:100]
    with engine.begin() as conn:
        throttle = q.throttle_for_update(conn, email=address, source=source)
        now = throttle["now"]
        if throttle["locked_until"] is not None and throttle["locked_until"] > now:
            return SignInResult(False, locked_message(throttle["locked_until"]))
        account = q.credential_row(conn, email=address)
        usable = account if may_sign_in(account, settings, now) else None
        if usable is None or not verify(password, usable["password_hash"]):
            if usable is None:
                verify(password, None)  # the same bcrypt cost as a real account
            user_id = account["id"] if account else None
            return _fail(conn, settings, address, source, throttle, user_id)
        account = usable
        q.clear_throttle(conn, email=address, source=source)
        q.record_sign_in(conn, user_id=account["id"])
    return SignInResult(
        True,
        "",
        account["email"],
        account["display_name"] or account["email"],
        int(account["session_epoch"]),
    )


def viewer_from_account(account: dict | None, settings: Settings) -> Viewer | None:
    """The Viewer for a `queries.auth.session_account` row, or None when it may not sign in
    (see `may_sign_in`)."""
    if account is None or not may_sign_in(account, settings, dt.datetime.now(dt.UTC)):
        return None
    return Viewer(
        user_id=str(account["user_id"]),
        email=account["email"],
        display_name=account["display_name"] or account["email"],
        roles=frozenset(account["dashboard_roles"]),
        member_tenant_ids=tuple(sorted(account["tenant_ids"] or ())),
    )
