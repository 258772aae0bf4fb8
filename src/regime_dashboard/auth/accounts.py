"""`create-user` and `reset-password`: dashboard accounts from the command line. Both end
the account's open sessions when they change its password or roles (the session epoch)."""

from __future__ import annotations

import getpass
import sys
from typing import TextIO

from sqlalchemy import Engine

from ..demo.tenants import DEMO_EMAILS
from ..queries import auth as q
from ..queries.versions import bump_data_version
from ..viewer import AREAS
from .passwords import check_password_rules, hash_password

__all__ = ["AccountError", "create_user", "read_password", "reset_password"]


class AccountError(ValueError):
    pass


def read_password(stdin: TextIO | None = None) -> str:
    """From stdin when it is not a terminal (scripts), else prompted twice."""
    stdin = stdin or sys.stdin
    if not stdin.isatty():
        return stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat password: ") != first:
        raise AccountError("the passwords differ")
    return first


def _email(email: str) -> str:
    clean = email.strip().lower()
    if "@" not in clean[1:]:
        raise AccountError(f"not an email address: {email!r}")
    return clean


def create_user(
    engine: Engine,
    *,
    email: str,
    roles: list[str],
    tenants: list[str],
    password: str,
    display_name: str | None = None,
) -> None:
    """Create (or update) an account; refuses unknown roles or tenants, writing nothing."""
    unknown = sorted(set(roles) - set(AREAS))
    if not roles or unknown:
        raise AccountError(f"roles must be among {sorted(AREAS)}; got {roles}")
    check_password_rules(password)
    address = _email(email)
    if address in DEMO_EMAILS:
        raise AccountError(f"{address} is a demo account, which signs in only in demo mode")
    with engine.begin() as conn:
        missing = q.upsert_account(
            conn,
            email=address,
            display_name=display_name or address,
            password_hash=hash_password(password),
            roles=sorted(set(roles)),
            tenant_names=tenants,
        )
        if missing:
            conn.rollback()
            raise AccountError(f"unknown tenant(s): {', '.join(missing)}")
        bump_data_version(conn)


def reset_password(engine: Engine, *, email: str, password: str) -> None:
    """New password: unlocks the account and its (email, source) pairs and ends every
    session signed in with the old one."""
    check_password_rules(password)
    with engine.begin() as conn:
        if not q.set_password(conn, email=_email(email), password_hash=hash_password(password)):
            raise AccountError(f"no account with email {email!r}")
        bump_data_version(conn)
