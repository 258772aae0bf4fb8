"""Revenue's period in Chromium: four changes in a row each show and land in the address
bar (none lost), and the address bar, opened again, shows the same view."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from .conftest import TIMEOUT_MS
from .helpers import assert_no_error, open_signed_in, screenshot, settle, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.db]

# The seeded data's last day of activity is 2026-11-20: each period's first month by hand
# (N whole months before November, then November to date).
PERIODS = (
    ("Last 6 months", "May 2026"),
    ("Last 3 months", "Aug 2026"),
    ("Last 24 months", "Nov 2024"),
    ("Last 12 months", "Nov 2025"),  # the default: left out of the address bar
)


def _choose(page: Any, label: str, option: str) -> None:
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option, exact=True).click()
    settle(page)


def _label(choice: str, first_month: str) -> str:
    """The start of Revenue's caption for `choice` ("Last N months"): N whole months up to
    October, then November to date (`services.periods.Period.label`)."""
    months = int(choice.split()[1])
    whole = f"{first_month} – Oct 2026 ({months} whole months)"
    return f"{whole} + 1–20 Nov 2026 to date · all amounts in USD"


def _period_in_url(page: Any) -> list[str] | None:
    return parse_qs(urlparse(page.url).query).get("period")


def test_revenue_keeps_every_period_change_in_the_url(page: Any, server: str) -> None:
    sign_in(page, server, "leadership")
    page.goto(f"{server}/revenue")  # a session that opens signed in (the session cookie)
    settle(page)
    box = page.get_by_role("combobox", name="Period")
    for choice, first_month in PERIODS:
        _choose(page, "Period", choice)
        expect(box).to_have_value(choice, timeout=TIMEOUT_MS)
        caption = _label(choice, first_month)  # whole months, then November to date
        expect(page.get_by_text(caption, exact=False).first).to_be_visible(timeout=TIMEOUT_MS)
        expected = None if choice == "Last 12 months" else [choice]
        for _ in range(50):  # the browser writes the address a moment after the choice
            if _period_in_url(page) == expected:
                break
            page.wait_for_timeout(100)
        assert _period_in_url(page) == expected, page.url
        assert_no_error(page)
    _choose(page, "Period", "Last 24 months")
    link = page.url
    assert _period_in_url(page) == ["Last 24 months"], link
    screenshot(page, "leadership-revenue-after-period-changes")

    other = page.context.new_page()  # the link opened again (same signed-in browser)
    other.goto(link)
    settle(other)
    expect(other.get_by_role("combobox", name="Period")).to_have_value(
        "Last 24 months", timeout=TIMEOUT_MS
    )
    # compared with as many calendar months just before (25: Nov 2024 to 20 Nov 2026)
    caption = f"{_label('Last 24 months', 'Nov 2024')} · changes against Oct 2022 – 20 Oct 2024"
    expect(other.get_by_text(caption, exact=True)).to_be_visible(timeout=TIMEOUT_MS)
    other.close()


def _alerts(page: Any) -> list[str]:
    alerts = page.locator("[data-testid='stAlert']")
    return [alerts.nth(i).inner_text() for i in range(alerts.count())]


def test_a_link_to_an_unknown_tenant_with_reversed_dates_is_said_until_changed(
    page: Any, server: str
) -> None:
    """The browser runs a page more than once when a link opens it (the session cookie, the
    corrected dates): the messages must outlive those runs, and go once the viewer chooses."""
    sign_in(page, server, "analyst")
    open_signed_in(page, f"{server}/regimes?tenant=Nobody+Inc&dates=2026-06-30&dates=2024-12-01")
    shown = _alerts(page)
    assert any("Tenant “Nobody Inc” is not visible to you; showing " in a for a in shown), shown
    assert any("2026-06-30 – 2024-12-01 were in reverse order" in a for a in shown), shown
    assert parse_qs(urlparse(page.url).query).get("dates") == ["2024-12-01", "2026-06-30"]

    tenant_box = page.get_by_role("combobox", name="Tenant")
    tenant_box.click()
    page.get_by_role("option").nth(1).click()
    settle(page)
    assert not any("Nobody Inc" in a for a in _alerts(page))
    assert_no_error(page)


def _in_url(page: Any, key: str) -> list[str] | None:
    return parse_qs(urlparse(page.url).query).get(key)


def test_regimes_range_presets_keep_every_change_in_the_url(page: Any, server: str) -> None:
    """1M, YTD, 3M in a row: each lands in the address bar and sets the date range (the
    range's own parameter left out: its value is the preset's); a link reopens the view."""
    sign_in(page, server, "analyst")
    open_signed_in(page, f"{server}/regimes")
    dates = page.locator("[data-testid='stDateInput'] input").first
    shown = []
    for preset in ("1M", "YTD", "3M"):
        group = page.locator("[data-testid='stButtonGroup']").first
        group.locator("button").filter(has_text=preset).first.click()
        settle(page)
        for _ in range(50):  # the browser writes the address a moment after the choice
            if _in_url(page, "range") == [preset]:
                break
            page.wait_for_timeout(100)
        assert _in_url(page, "range") == [preset], page.url
        assert _in_url(page, "dates") is None, page.url
        shown.append(dates.input_value())
        assert_no_error(page)
    assert len(set(shown)) == 3, shown  # each preset set another range
    link = page.url
    screenshot(page, "analyst-regimes-after-range-presets")
    other = page.context.new_page()
    other.goto(link)
    settle(other)
    expect(other.locator("[data-testid='stDateInput'] input").first).to_have_value(
        shown[-1], timeout=TIMEOUT_MS
    )
    other.close()
