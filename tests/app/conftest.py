"""AppTest fixtures: the app reads the seeded database through DATABASE_URL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from streamlit.testing.v1 import AppTest

from regime_dashboard import cache
from regime_dashboard.auth.gate import CLAIMS_KEY
from regime_dashboard.auth.tokens import new_claims
from regime_dashboard.config import get_settings
from tests.conftest import ROOT

SEEDED_EPOCH = 0  # users.session_epoch of an account nobody has changed (migration 0006)

APP = str(ROOT / "app.py")


def _reset_caches() -> None:
    cache.dispose()
    get_settings.cache_clear()
    cache.clear()


def _app_reading(url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The app reads the database at `url` (from the project folder), with fresh caches
    before and after."""
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.chdir(ROOT)
    _reset_caches()
    yield url
    _reset_caches()


@pytest.fixture
def app_env(seeded_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The app reads the seeded database (read-only for tests)."""
    yield from _app_reading(seeded_url, monkeypatch)


DEMO_EMAILS = {
    "analyst": "analyst@demo.local",
    "admin": "admin@demo.local",
    "leadership": "leadership@demo.local",
}


def signed_in(at: AppTest, role: str) -> AppTest:
    """Sign `at` in as the seeded demo account of `role` (before its first run): the claims
    a sign-in gives, at the epoch every seeded account starts with."""
    at.session_state[CLAIMS_KEY] = new_claims(DEMO_EMAILS[role], SEEDED_EPOCH)
    return at


@pytest.fixture
def app(app_env: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """A fresh AppTest of app.py (not yet run), signed in as the demo analyst."""
    monkeypatch.setenv("DEMO_MODE", "true")
    get_settings.cache_clear()
    return signed_in(AppTest.from_file(APP, default_timeout=30), "analyst")


@pytest.fixture
def app_env_copy(seeded_copy: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Like app_env, on a private copy of the seeded database that tests may write to."""
    yield from _app_reading(seeded_copy, monkeypatch)
