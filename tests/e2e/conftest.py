"""A real `streamlit run` on 127.0.0.1 and Debian's Chromium driven by Playwright.

Chromium is never downloaded: the tests use /usr/bin/chromium (apt package `chromium`).
Without it they are skipped, unless REQUIRE_E2E=1 (CI sets it), where that is a failure."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.load import streamlit_server
from tests.conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
ARTIFACTS = ROOT / "test-artifacts"
TIMEOUT_MS = 45_000


@pytest.fixture(scope="session")
def e2e_db(pg_server, seeded_url: str) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A copy of the seeded database: browser sessions sign in and admins edit."""
    from sqlalchemy.engine import make_url

    url = pg_server.create("e2e", template=make_url(seeded_url).database)
    yield url
    pg_server.drop(url)


@pytest.fixture(scope="session")
def server(e2e_db: str) -> Iterator[str]:
    ARTIFACTS.mkdir(exist_ok=True)
    env = {"DATABASE_URL": e2e_db, "DEMO_MODE": "true"}
    with streamlit_server(env, log=ARTIFACTS / "streamlit.log") as (port, _):
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        if os.environ.get("REQUIRE_E2E") == "1":
            pytest.fail(
                "REQUIRE_E2E=1 but /usr/bin/chromium is missing (apt-get install -y chromium)"
            )
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser) -> Iterator[object]:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    yield page
    context.close()
