"""The database going away and coming back: a clear message, then the page works again."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from regime_dashboard.auth.accounts import create_user
from regime_dashboard.config import get_settings
from regime_dashboard.db.embedded import start_embedded
from regime_dashboard.db.engine import make_engine
from regime_dashboard.db.migrate import upgrade_to_head
from tests.app.conftest import APP, _reset_caches

pytestmark = [pytest.mark.app, pytest.mark.db]


def test_an_outage_shows_a_message_and_the_app_recovers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = start_embedded(tmp_path)
    url = server.url()
    upgrade_to_head(url)
    engine = make_engine(url)
    create_user(
        engine,
        email="ops@example.com",
        roles=["admin"],
        tenants=[],
        password="outage-test-password",
    )
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DEMO_MODE", "true")
    _reset_caches()
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = "ops@example.com"
    try:
        at.run().switch_page("views/regimes.py").run()
        assert not at.exception and "regime-dashboard seed" in at.info[0].value
        server.stop()
        at.run()
        assert not at.exception
        assert "The database is not answering" in at.error[0].value
        server = start_embedded(tmp_path)
        at.run()
        assert not at.exception and not at.error
        assert "regime-dashboard seed" in at.info[0].value
    finally:
        _reset_caches()
        server.stop()
        get_settings.cache_clear()
