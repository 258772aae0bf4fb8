"""Which database: DATABASE_URL when given, else the embedded Postgres."""

from __future__ import annotations

from dataclasses import dataclass

from ..config import Settings
from .embedded import EmbeddedPostgres, start_embedded
from .engine import normalise_url, safe_url

__all__ = ["ResolvedDatabase", "resolve_database"]


@dataclass
class ResolvedDatabase:
    url: str
    embedded: EmbeddedPostgres | None

    def describe(self) -> str:
        """The one line that tells the user which database is in use."""
        if self.embedded is not None:
            return f"Database: embedded Postgres in {self.embedded.pgdata} ({safe_url(self.url)})"
        return f"Database: {safe_url(self.url)} (from DATABASE_URL)"

    def close(self) -> None:
        if self.embedded is not None:
            self.embedded.stop()


def resolve_database(settings: Settings, *, force_embedded: bool = False) -> ResolvedDatabase:
    if settings.database_url and not force_embedded:
        return ResolvedDatabase(url=normalise_url(settings.database_url), embedded=None)
    embedded = start_embedded(settings.data_dir)
    return ResolvedDatabase(url=embedded.url(), embedded=embedded)
