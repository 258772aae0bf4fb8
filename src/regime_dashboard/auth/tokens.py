"""The session token carried in the sign-in cookie: who, which session epoch, until when.

An HS256 JWT with the claims `sub` (the account's email), `epoch` (`users.session_epoch`
when it was issued), `iat` and `exp` (Unix seconds). It lives `SESSION_HOURS` and slides:
a run that finds it older than `REFRESH_AFTER_SECONDS` issues a new one. `read_token`
turns every malformed token (another algorithm, `alg: none`, a missing or non-numeric
claim, a bad signature, an expired or over-long one) into None, never an exception.
No Streamlit and no database here.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TypeGuard

import jwt

__all__ = [
    "ALGORITHM",
    "REFRESH_AFTER_SECONDS",
    "SESSION_HOURS",
    "SessionClaims",
    "issue_token",
    "read_token",
]

ALGORITHM = "HS256"
SESSION_HOURS = 12
SESSION_SECONDS = SESSION_HOURS * 3600
REFRESH_AFTER_SECONDS = 3600
_CLOCK_SKEW_SECONDS = 60
_REQUIRED = ["sub", "epoch", "iat", "exp"]


@dataclass(frozen=True)
class SessionClaims:
    """A verified session: the account, its epoch when issued, issue and expiry times."""

    email: str
    epoch: int
    issued_at: int
    expires_at: int

    def expired(self, now: float | None = None) -> bool:
        return (time.time() if now is None else now) >= self.expires_at

    def needs_refresh(self, now: float | None = None) -> bool:
        """True once the token is an hour old: the sliding renewal."""
        return (time.time() if now is None else now) - self.issued_at >= REFRESH_AFTER_SECONDS


def new_claims(email: str, epoch: int, now: float | None = None) -> SessionClaims:
    issued = int(time.time() if now is None else now)
    return SessionClaims(email, int(epoch), issued, issued + SESSION_SECONDS)


def issue_token(claims: SessionClaims, key: str) -> str:
    payload = {
        "sub": claims.email,
        "epoch": claims.epoch,
        "iat": claims.issued_at,
        "exp": claims.expires_at,
    }
    return jwt.encode(payload, key, algorithm=ALGORITHM)


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def read_token(token: object, key: str, now: float | None = None) -> SessionClaims | None:
    """The claims of a well-formed, correctly signed, unexpired token; None otherwise."""
    if not isinstance(token, str) or not token or len(token) > 4096:
        return None
    try:
        payload = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            options={"require": _REQUIRED, "verify_exp": False, "verify_iat": False},
        )
    except (jwt.PyJWTError, ValueError, TypeError):
        return None
    if not isinstance(payload, dict):
        return None
    sub, epoch, iat, exp = (payload.get(name) for name in _REQUIRED)
    if not (isinstance(sub, str) and sub and _is_int(epoch) and _is_int(iat) and _is_int(exp)):
        return None
    current = time.time() if now is None else now
    if epoch < 0 or exp - iat > SESSION_SECONDS or iat > current + _CLOCK_SKEW_SECONDS:
        return None
    claims = SessionClaims(sub, epoch, iat, exp)
    return None if claims.expired(current) else claims


__all__ += ["SESSION_SECONDS", "new_claims"]
