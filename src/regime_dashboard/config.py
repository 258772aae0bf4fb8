"""Settings: environment variables first, then `.streamlit/secrets.toml`, then defaults.

Nothing is read at import; call :func:`get_settings`.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

import platformdirs
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

__all__ = ["SECRETS_FILE", "Settings", "get_settings"]

SECRETS_FILE = Path(".streamlit") / "secrets.toml"


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
    demo_mode: bool = Field(default=False, description="Demo accounts and default cookie key")

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
