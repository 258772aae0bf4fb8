"""Settings: environment variables first, then `.streamlit/secrets.toml`, then defaults.

Nothing is read at import; call :func:`get_settings`.
"""

from __future__ import annotations

import math
import tomllib
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any

import platformdirs
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

__all__ = [
    "DEMO_COOKIE_KEY",
    "MIN_COOKIE_KEY_BITS",
    "MIN_COOKIE_KEY_LENGTH",
    "SECRETS_FILE",
    "CookieKeyError",
    "Settings",
    "estimated_key_bits",
    "get_settings",
]

SECRETS_FILE = Path(".streamlit") / "secrets.toml"
# Public (it is in this file): it signs cookies of the demo alone, on 127.0.0.1.
DEMO_COOKIE_KEY = "regime-dashboard-demo-cookie-key-not-a-secret"
MIN_COOKIE_KEY_LENGTH = 32
MIN_COOKIE_KEY_BITS = 96.0
_KEY_ADVICE = (
    "Set a random key in the environment or .streamlit/secrets.toml, e.g. "
    "`python3 -c 'import secrets; print(secrets.token_urlsafe(48))'`."
)


class CookieKeyError(ValueError):
    """The session cookie's signing key may not be used for this server."""


def estimated_key_bits(key: str) -> float:
    """A rough upper bound of the key's entropy: its length times the Shannon entropy of
    its character frequencies. 32 x "a" gives 0 bits, 32 spaces 0, "ab" x 16 32 bits; a key
    from `secrets.token_urlsafe(48)` about 340 and one from `secrets.token_hex(16)` about
    120. Catches placeholder and typed keys, not every weak one."""
    if not key:
        return 0.0
    counts = Counter(key)
    per_char = -sum(n / len(key) * math.log2(n / len(key)) for n in counts.values())
    return per_char * len(key)


# words of placeholder keys ("changeme", "your-secret-key-here"); six letters or more, so
# that a random key holds one by chance with a probability of about 1e-10
PLACEHOLDER_WORDS = ("secret", "change", "password", "example", "placeholder", "replace")


def repeats_a_shorter_key(key: str) -> bool:
    """Whether `key` is a shorter text repeated ("0123456789abcdef" twice, "changeme-" x 4)."""
    return any(
        key == (key[:period] * (len(key) // period + 1))[: len(key)]
        for period in range(1, len(key) // 2 + 1)
    )


def placeholder_reason(key: str) -> str | None:
    """Why `key` looks like a placeholder or a variant of the demo key, else None."""
    folded = key.strip().lower()
    if DEMO_COOKIE_KEY.lower() in folded:
        return "is a variant of the public demo key"
    if any(word in folded for word in PLACEHOLDER_WORDS):
        return "looks like a placeholder (it holds a word such as 'secret' or 'change')"
    if repeats_a_shorter_key(key):
        return "repeats a shorter text"
    return None


class _SecretsTomlSource(PydanticBaseSettingsSource):
    """Top-level keys of `.streamlit/secrets.toml` (in the working directory), lower-cased."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self._values().get(field_name), field_name, False

    def _values(self) -> dict[str, Any]:
        if not SECRETS_FILE.is_file():
            return {}
        raw = tomllib.loads(SECRETS_FILE.read_text(encoding="utf-8"))
        return {k.lower(): v for k, v in raw.items() if not isinstance(v, dict)}

    def __call__(self) -> dict[str, Any]:
        return {k: v for k, v in self._values().items() if k in self.settings_cls.model_fields}


def _default_data_dir() -> Path:
    return platformdirs.user_data_path("regime-dashboard")


class Settings(BaseSettings):
    """Every setting of the dashboard; see the README's Configuration table."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", case_sensitive=False)

    database_url: str | None = Field(
        default=None, description="The shared Postgres; unset = embedded"
    )
    database_read_url: str | None = Field(default=None, description="A read replica for queries")
    data_dir: Path = Field(default_factory=_default_data_dir, description="Embedded Postgres home")
    statement_timeout_ms: int = Field(default=5000, ge=100, description="Per-statement limit")
    pool_size: int = Field(default=5, ge=1, le=50, description="Connections per process")
    cache_ttl_seconds: int = Field(default=60, ge=1, description="Freshness of external writes")
    row_level_security: bool = Field(default=True, description="Reads as the RLS viewer role")
    login_max_attempts: int = Field(default=5, ge=1, description="Failed sign-ins before a lock")
    login_lock_minutes: int = Field(default=15, ge=1, description="How long a lock lasts")
    cookie_key: SecretStr | None = Field(default=None, description="Session cookie signing key")
    demo_mode: bool = Field(
        default=False, description="Demo accounts and the demo cookie key, on 127.0.0.1 only"
    )

    def production_cookie_key(self) -> str:
        """`COOKIE_KEY` when it may sign the cookies of a served dashboard, whatever
        DEMO_MODE says; else CookieKeyError with a one-line reason (`run` calls this)."""
        key = self.cookie_key.get_secret_value() if self.cookie_key else ""
        if not key.strip():
            raise CookieKeyError(f"COOKIE_KEY is missing. {_KEY_ADVICE}")
        if key == DEMO_COOKIE_KEY:
            raise CookieKeyError(f"COOKIE_KEY is the public demo key. {_KEY_ADVICE}")
        if len(key) < MIN_COOKIE_KEY_LENGTH:
            raise CookieKeyError(
                f"COOKIE_KEY is too short (< {MIN_COOKIE_KEY_LENGTH} characters). {_KEY_ADVICE}"
            )
        if reason := placeholder_reason(key):
            raise CookieKeyError(f"COOKIE_KEY {reason}. {_KEY_ADVICE}")
        if estimated_key_bits(key) < MIN_COOKIE_KEY_BITS:
            raise CookieKeyError(
                "COOKIE_KEY is too predictable (repeated or few distinct characters). "
                + _KEY_ADVICE
            )
        return key

    def app_cookie_key(self) -> str:
        """The key the app signs cookies with: in demo mode `COOKIE_KEY` or the demo key
        (the app then serves loopback clients only), else `production_cookie_key()`."""
        if self.demo_mode:
            key = self.cookie_key.get_secret_value() if self.cookie_key else ""
            return key or DEMO_COOKIE_KEY
        return self.production_cookie_key()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _SecretsTomlSource(settings_cls))


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once."""
    return Settings()
