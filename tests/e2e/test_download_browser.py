"""CSV exports in Chromium: the file is written only when the button is pressed (deferred),
so the browser must still receive the table's rows, and pressing it must not rerun the
page."""

from __future__ import annotations

import csv
from typing import Any

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from tests.helpers import sql

from .conftest import TIMEOUT_MS
from .helpers import screenshot, settle, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.db]


def test_the_plans_csv_holds_the_plans_of_the_database(page: Any, server: str, e2e_db: str) -> None:
    sign_in(page, server, "admin")
    page.goto(f"{server}/admin-plans")  # a fresh session, signed in by the cookie
    expect(page.get_by_role("heading", name="Plans")).to_be_visible(timeout=TIMEOUT_MS)
    settle(page)
    download = _download(page, page.get_by_role("button", name="Download plans (CSV)"))
    assert download.suggested_filename == "plans.csv"
    with open(download.path(), newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))

    plans = sql(e2e_db, "SELECT id, price_monthly_cents, name FROM plans ORDER BY id")
    # raw values (money in currency units); row versions are no longer a column
    assert sorted((r["Plan"], float(r["Monthly price"]), r["Name"]) for r in rows) == [
        (plan, cents / 100, name) for plan, cents, name in plans
    ]
    expect(page.get_by_role("heading", name="Plans")).to_be_visible()


def _download(page: Any, button: Any, attempts: int = 2) -> Any:
    """Press `button` and return the download. Each run registers the deferred file
    anew; a click that lands while a rerun replaces it can ask for a file Streamlit has
    dropped (seen once in CI: no download, no error). As a user would, press again once
    the page has settled."""
    expect(button).to_be_visible(timeout=TIMEOUT_MS)
    wait_ms = TIMEOUT_MS // attempts
    for attempt in range(1, attempts):
        try:
            with page.expect_download(timeout=wait_ms) as started:
                button.click()
            return started.value
        except PlaywrightTimeoutError:
            screenshot(page, f"download-retry-{attempt}")
            settle(page)
    with page.expect_download(timeout=wait_ms) as started:
        button.click()
    return started.value
