"""Fixtures of the database tests that call services or commands: DATABASE_URL names the
test's own database, and settings, engines and caches are dropped before and after."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from regime_dashboard import cache
from regime_dashboard.config import get_settings


@pytest.fixture
def db(empty_db: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An empty migrated database as DATABASE_URL."""
    monkeypatch.setenv("DATABASE_URL", empty_db)
    get_settings.cache_clear()
    yield empty_db
    get_settings.cache_clear()


def _fresh_process_state() -> None:
    cache.dispose()
    get_settings.cache_clear()
    cache.clear()


@pytest.fixture
def seeded_db(seeded_copy: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A private writable copy of the seeded database as DATABASE_URL."""
    monkeypatch.setenv("DATABASE_URL", seeded_copy)
    _fresh_process_state()
    yield seeded_copy
    _fresh_process_state()
