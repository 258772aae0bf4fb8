"""bcrypt password hashes (cost 12); bcrypt reads at most 72 bytes, so longer is refused."""

from __future__ import annotations

import bcrypt

__all__ = [
    "MAX_BYTES",
    "MIN_LENGTH",
    "PasswordRuleError",
    "check_password_rules",
    "hash_password",
    "verify",
]

MIN_LENGTH = 10
MAX_BYTES = 72
# a real hash of a random password: verifying unknown emails against it costs the same time
_DUMMY_HASH = b"$2b$12$C6UzMDM.H6dfI/f/IKxGhuQt.vFXWLnbpxjhyNVhy1utC88zx3T5G"


class PasswordRuleError(ValueError):
    pass


def check_password_rules(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise PasswordRuleError(f"the password must have at least {MIN_LENGTH} characters")
    if len(password.encode()) > MAX_BYTES:
        raise PasswordRuleError(f"the password must be at most {MAX_BYTES} bytes (bcrypt's limit)")


def hash_password(password: str) -> str:
    check_password_rules(password)
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=12)).decode()


def verify(password: str, password_hash: str | None) -> bool:
    """Constant-cost check; an account without a hash never matches."""
    encoded = password.encode()[:MAX_BYTES]
    if not password_hash:
        bcrypt.checkpw(encoded, _DUMMY_HASH)
        return False
    try:
        return bcrypt.checkpw(encoded, password_hash.encode())
    except ValueError:
        return False
