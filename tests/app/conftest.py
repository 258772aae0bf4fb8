"""AppTest fixtures: the app reads the seeded database through DATABASE_URL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from regime_dashboard import cache
from regime_dashboard.config import get_settings
from tests.conftest import ROOT

APP = str(ROOT / "app.py")


def _reset_caches() -> None:
    cache.dispose()
    get_settings.cache_clear()
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def app_env(seeded_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("DATABASE_URL", seeded_url)
    monkeypatch.chdir(ROOT)
    _reset_caches()
    yield seeded_url
    _reset_caches()


@pytest.fixture
def app(app_env: str) -> AppTest:
    """A fresh AppTest of app.py (not yet run)."""
    return AppTest.from_file(APP, default_timeout=30)
