"""Which database: DATABASE_URL when given, else the embedded Postgres, and where that
choice came from (the environment, `.streamlit/secrets.toml`, or the embedded default)."""

from __future__ import annotations

import hashlib
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..config import SECRETS_FILE, Settings
from .embedded import PGDATA_DIRNAME, EmbeddedPostgres, start_embedded
from .engine import normalise_url, safe_url

__all__ = ["SOURCE_ENV", "ResolvedDatabase", "database_source", "resolve_database"]

# Set by a process that started the embedded server, for the processes it starts (the
# `regime-dashboard demo` app gets the server's URL as DATABASE_URL): the URL's digest and
# the server's data directory, so that the child says where its DATABASE_URL came from.
SOURCE_ENV = "REGIME_DASHBOARD_EMBEDDED_SOURCE"
ENVIRONMENT = "the DATABASE_URL environment variable"
SECRETS = f"DATABASE_URL in {SECRETS_FILE}"


def _digest(url: str) -> str:
    return hashlib.sha256(normalise_url(url).encode()).hexdigest()


def _embedded(pgdata: Path | None) -> str:
    return "the embedded Postgres" + (f" in {pgdata}" if pgdata else "")


def _inherited_pgdata(url: str) -> Path | None:
    """The embedded server's data directory when `url` was handed down by its starter."""
    digest, _, pgdata = os.environ.get(SOURCE_ENV, "").partition(" ")
    return Path(pgdata) if pgdata and digest == _digest(url) else None


def _in_environment() -> bool:
    return any(key.upper() == "DATABASE_URL" and value for key, value in os.environ.items())


def _in_secrets_file() -> bool:
    if not SECRETS_FILE.is_file():
        return False
    raw = tomllib.loads(SECRETS_FILE.read_text(encoding="utf-8"))
    return any(key.lower() == "database_url" and value for key, value in raw.items())


def database_source(settings: Settings, *, paths: bool = True) -> str:
    """Where the database in use was named, in words (no address, no secret); without
    `paths`, the embedded server's data directory is left out too."""
    if not settings.database_url:
        pgdata = settings.data_dir / PGDATA_DIRNAME
        return f"{_embedded(pgdata if paths else None)}, since no DATABASE_URL is set"
    inherited = _inherited_pgdata(settings.database_url)
    if inherited:
        return _embedded(inherited if paths else None)
    if _in_environment():
        return ENVIRONMENT
    return SECRETS if _in_secrets_file() else "DATABASE_URL"


@dataclass
class ResolvedDatabase:
    url: str
    embedded: EmbeddedPostgres | None
    source: str

    def describe(self) -> str:
        """The one line that tells the user which database is in use (credentials hidden)."""
        return f"Database: {safe_url(self.url)} (from {self.source})"

    def close(self) -> None:
        if self.embedded is not None:
            self.embedded.stop()


def resolve_database(settings: Settings, *, force_embedded: bool = False) -> ResolvedDatabase:
    """DATABASE_URL when set (unless `force_embedded`), else the embedded server, started or
    attached to. Processes started from this one learn where the URL came from (SOURCE_ENV)."""
    if settings.database_url and not force_embedded:
        url = normalise_url(settings.database_url)
        return ResolvedDatabase(url=url, embedded=None, source=database_source(settings))
    embedded = start_embedded(settings.data_dir)
    url = embedded.url()
    source = _embedded(embedded.pgdata)
    if not force_embedded:
        source += ", since no DATABASE_URL is set"
    os.environ[SOURCE_ENV] = f"{_digest(url)} {embedded.pgdata}"
    return ResolvedDatabase(url=url, embedded=embedded, source=source)
