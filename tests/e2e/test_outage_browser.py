"""A page opened while the database refuses connections: the message, then Retry brings back
the page the viewer asked for (it once went to Home: no page was registered on that run)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy.engine import make_url

from benchmarks.load import streamlit_server
from tests.conftest import Server
from tests.helpers import sql

from .conftest import ARTIFACTS, TIMEOUT_MS
from .helpers import settle, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.db]


@pytest.fixture
def outage_db(pg_server: Server, seeded_url: str) -> Iterator[str]:
    url = pg_server.create("outage", template=make_url(seeded_url).database)
    yield url
    _accept_connections(pg_server, url, True)
    pg_server.drop(url)


def _accept_connections(pg_server: Server, url: str, accept: bool) -> None:
    """An outage without stopping a server: the database refuses new connections and its
    open ones are ended, so every read of the app fails until it accepts them again."""
    name = make_url(url).database
    admin = pg_server.admin_url
    sql(admin, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {"true" if accept else "false"}')
    if not accept:
        sql(
            admin, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", name
        )


def test_retry_after_an_outage_returns_to_the_page_asked_for(
    browser: Any, pg_server: Server, outage_db: str
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    env = {"DATABASE_URL": outage_db, "DEMO_MODE": "true"}
    try:
        with streamlit_server(env, log=ARTIFACTS / "streamlit-outage.log") as (port, _):
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            base = f"http://127.0.0.1:{port}"
            sign_in(page, base, "analyst", "regimes")
            expect(page.get_by_role("heading", name="Regimes").first).to_be_visible(
                timeout=TIMEOUT_MS
            )
            settle(page)
            _accept_connections(pg_server, outage_db, False)
            page.reload()  # a new session: the cookie signs in, the first read fails
            expect(page.get_by_text("The database is not answering")).to_be_visible(
                timeout=TIMEOUT_MS
            )
            settle(page)
            _accept_connections(pg_server, outage_db, True)
            page.get_by_role("button", name="Retry").click()
            expect(page.get_by_role("heading", name="Regimes").first).to_be_visible(
                timeout=TIMEOUT_MS
            )
            settle(page)
            assert urlsplit(page.url).path == "/regimes"
    finally:
        context.close()
