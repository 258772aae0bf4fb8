"""Fixtures of the database tests that run commands: DATABASE_URL names the test's own
database, and the settings are read afresh before and after."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from regime_dashboard.config import get_settings


@pytest.fixture
def db(empty_db: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An empty migrated database as DATABASE_URL."""
    monkeypatch.setenv("DATABASE_URL", empty_db)
    get_settings.cache_clear()
    yield empty_db
    get_settings.cache_clear()
