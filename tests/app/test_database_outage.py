"""The database going away and coming back, or every pooled connection busy: a clear
message, one log line without credentials, then the page works again."""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from regime_dashboard import cache
from regime_dashboard.auth.accounts import create_user
from regime_dashboard.auth.gate import CLAIMS_KEY
from regime_dashboard.auth.tokens import new_claims
from regime_dashboard.config import get_settings
from regime_dashboard.db.embedded import start_embedded
from regime_dashboard.db.engine import make_engine
from regime_dashboard.db.migrate import upgrade_to_head
from tests.app.conftest import APP, SEEDED_EPOCH, _reset_caches, signed_in

pytestmark = [pytest.mark.app, pytest.mark.db]
PASSWORD = "never-shown-s3cret"


def _everything_shown(at: AppTest) -> str:
    return "\n".join(str(e.value) for kind in ("error", "info", "caption", "markdown")
                     for e in getattr(at, kind))  # fmt: skip


def test_an_outage_shows_a_message_and_the_app_recovers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
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
    # The embedded server trusts local connections: the password is sent and ignored, and
    # must appear neither in the log nor on the page.
    monkeypatch.setenv("DATABASE_URL", f"{url}&password={PASSWORD}")
    monkeypatch.setenv("DEMO_MODE", "true")
    _reset_caches()
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state[CLAIMS_KEY] = new_claims("ops@example.com", SEEDED_EPOCH)
    caplog.set_level(logging.INFO, logger="regime_dashboard.database")
    try:
        at.run().switch_page("views/regimes.py").run()
        assert not at.exception and "regime-dashboard seed" in at.info[0].value
        assert not [r for r in caplog.records if r.name == "regime_dashboard.database"]
        server.stop()
        at.run()
        assert not at.exception
        assert "The database is not answering" in at.error[0].value
        logged = [r.getMessage() for r in caplog.records if r.name == "regime_dashboard.database"]
        assert len(logged) == 1 and logged[0].startswith("database down: OperationalError")
        assert PASSWORD not in caplog.text and PASSWORD not in _everything_shown(at)
        server = start_embedded(tmp_path)
        at.button(key="_retry_database").click().run()
        assert not at.exception and not at.error
        assert "regime-dashboard seed" in at.info[0].value
    finally:
        _reset_caches()
        server.stop()
        get_settings.cache_clear()


@pytest.fixture
def one_connection(app_env: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The app's engines get one connection each and wait at most 0.2 s for it."""
    monkeypatch.setenv("POOL_SIZE", "1")
    monkeypatch.setenv("DEMO_MODE", "true")
    monkeypatch.setattr(cache, "make_engine", functools.partial(make_engine, pool_timeout_s=0.2))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_a_busy_pool_shows_the_database_message_and_retry_works(
    one_connection: None, caplog: pytest.LogCaptureFixture
) -> None:
    """The pool's wait running out raises sqlalchemy.exc.TimeoutError, not a DBAPIError:
    it once escaped as a traceback."""
    at = signed_in(AppTest.from_file(APP, default_timeout=30), "admin")
    at.run().switch_page("views/admin_plans.py").run()
    assert not at.exception and not at.error
    held = cache.get_read_engine().connect()  # the one connection, taken by someone else
    try:
        at.run()
    finally:
        held.close()
    assert not at.exception
    assert "Every database connection of this server is in use" in at.error[0].value
    logged = [r.getMessage() for r in caplog.records if r.name == "regime_dashboard.database"]
    assert logged and logged[0].startswith("database busy: TimeoutError")
    at.button(key="_retry_database").click().run()
    assert not at.exception and not at.error
    assert at.title[0].value == "Plans"
