"""Checking a sign-in: password, lock, bookkeeping. No Streamlit here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine

from ..config import Settings
from ..queries import auth as q
from ..viewer import Viewer
from .passwords import verify

__all__ = ["SignInResult", "attempt_sign_in", "viewer_from_account"]

WRONG = "Email or password is incorrect."


@dataclass(frozen=True)
class SignInResult:
    ok: bool
    message: str
    email: str = ""
    display_name: str = ""


def _locked_message(until: dt.datetime) -> str:
    return f"This account is locked after too many failed sign-ins, until {until:%H:%M} UTC."


def attempt_sign_in(engine: Engine, settings: Settings, email: str, password: str) -> SignInResult:
    """Verify `password` for `email`, counting failures and locking after too many."""
    with engine.begin() as conn:
        account = q.credential_row(conn, email=email)
        now = dt.datetime.now(dt.UTC)
        if account is None or not account["is_active"] or not account["dashboard_roles"]:
            verify(password, None)
            return SignInResult(False, WRONG)
        if account["locked_until"] is not None and account["locked_until"] > now:
            return SignInResult(False, _locked_message(account["locked_until"]))
        if not verify(password, account["password_hash"]):
            until = q.record_failed_sign_in(
                conn,
                user_id=account["id"],
                max_attempts=settings.login_max_attempts,
                lock_minutes=settings.login_lock_minutes,
            )
            locked = until is not None and until > now
            return SignInResult(False, _locked_message(until) if locked else WRONG)
        q.record_sign_in(conn, user_id=account["id"])
    return SignInResult(True, "", account["email"], account["display_name"] or account["email"])


def viewer_from_account(row: pd.DataFrame) -> Viewer | None:
    """The Viewer for a `queries.auth.viewer_account` result, or None when it may not sign in."""
    if row.empty:
        return None
    account = row.iloc[0]
    roles = frozenset(account["dashboard_roles"] or ())
    if not account["is_active"] or not roles:
        return None
    return Viewer(
        user_id=str(account["user_id"]),
        email=account["email"],
        display_name=account["display_name"] or account["email"],
        roles=roles,
        member_tenant_ids=tuple(sorted(account["tenant_ids"] or ())),
    )
