"""A real `streamlit run` on 127.0.0.1 and Debian's Chromium driven by Playwright.

Chromium is never downloaded: the tests use /usr/bin/chromium (apt package `chromium`).
Without it they are skipped, unless REQUIRE_E2E=1 (CI sets it), where that is a failure."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
ARTIFACTS = ROOT / "test-artifacts"
TIMEOUT_MS = 45_000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError("streamlit did not answer /_stcore/health")


@pytest.fixture(scope="session")
def e2e_db(pg_server, seeded_url: str) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A copy of the seeded database: browser sessions sign in and admins edit."""
    from sqlalchemy.engine import make_url

    url = pg_server.create("e2e", template=make_url(seeded_url).database)
    yield url
    pg_server.drop(url)


@pytest.fixture(scope="session")
def server(e2e_db: str) -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": e2e_db, "DEMO_MODE": "true"}
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
           "--server.address", "127.0.0.1", "--server.port", str(port),
           "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]  # fmt: skip
    log = (ARTIFACTS / "streamlit.log") if ARTIFACTS.mkdir(exist_ok=True) is None else None
    with open(log, "w") as out:  # type: ignore[arg-type]
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(url, proc)
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=20)


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
