"""Revenue's period in Chromium on the very page the sign-in form was shown on: after
signing in through the form (no page opened again), each change lands in the address bar."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from .conftest import TIMEOUT_MS
from .helpers import assert_no_error, screenshot, settle, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.db]

# The seeded data's last day of activity is 2026-11-20: each period's first month by hand
# (N whole months before November, then November to date).
PERIODS = (
    ("Last 6 months", "May 2026"),
    ("Last 24 months", "Nov 2024"),
    ("Last 3 months", "Aug 2026"),
)


def _period_in_url(page: Any) -> list[str] | None:
    return parse_qs(urlparse(page.url).query).get("period")


def test_period_changes_reach_the_url_on_the_page_signed_in_on(page: Any, server: str) -> None:
    sign_in(page, server, "leadership", "revenue")  # the form, then this page: no goto
    settle(page)
    assert urlparse(page.url).path == "/revenue", page.url
    box = page.get_by_role("combobox", name="Period")
    expect(box).to_have_value("Last 12 months", timeout=TIMEOUT_MS)
    for choice, first_month in PERIODS:
        box.click()
        page.get_by_role("option", name=choice, exact=True).click()
        settle(page)
        expect(box).to_have_value(choice, timeout=TIMEOUT_MS)
        caption = f"{first_month} – Oct 2026 ("  # whole months, then November to date
        expect(page.get_by_text(caption, exact=False).first).to_be_visible(timeout=TIMEOUT_MS)
        for _ in range(50):  # the browser writes the address a moment after the choice
            if _period_in_url(page) == [choice]:
                break
            page.wait_for_timeout(100)
        if _period_in_url(page) != [choice]:
            screenshot(page, "revenue-period-not-in-url-after-sign-in")
        assert _period_in_url(page) == [choice], page.url
        assert_no_error(page)
