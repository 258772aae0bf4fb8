"""Sign-in, the gate in front of every URL, and sign-out that survives a reload."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from regime_dashboard.navigation import PAGES
from regime_dashboard.ui.preload import PRELOAD_KEY

from .conftest import TIMEOUT_MS
from .helpers import assert_no_error, screenshot, settle, sign_in, wait_for_cookie

pytestmark = [pytest.mark.e2e, pytest.mark.db]
PAGE_PATHS = [p.url for p in PAGES]


@pytest.mark.parametrize("path", PAGE_PATHS)
def test_every_url_shows_only_the_sign_in_form_before_sign_in(
    page: Any, server: str, path: str
) -> None:
    page.goto(f"{server}/{path}")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=TIMEOUT_MS)
    settle(page)
    # the only chart is the hidden Plotly preload (ui/preload.py), which shows nothing
    assert page.locator(".js-plotly-plot:visible").count() == 0
    assert page.locator(f".st-key-{PRELOAD_KEY}").is_hidden()
    assert page.locator("[data-testid='stDataFrame']").count() == 0
    assert page.locator("[data-testid='stMetric']").count() == 0
    assert_no_error(page)


def test_a_shared_link_opens_after_sign_in(page: Any, server: str) -> None:
    sign_in(page, server, "analyst", "regimes")
    expect(page.locator(".js-plotly-plot:visible").first).to_be_visible(timeout=TIMEOUT_MS)
    settle(page)
    assert_no_error(page)
    screenshot(page, "analyst-regimes")


def test_the_session_cookie_keeps_the_viewer_signed_in_on_reload(page: Any, server: str) -> None:
    sign_in(page, server, "analyst")
    wait_for_cookie(page, present=True)
    page.reload()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible(timeout=TIMEOUT_MS)


def test_sign_out_survives_a_reload(page: Any, server: str) -> None:
    sign_in(page, server, "leadership")
    wait_for_cookie(page, present=True)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=TIMEOUT_MS)
    wait_for_cookie(page, present=False)
    page.reload()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=TIMEOUT_MS)
    settle(page)
    assert page.get_by_role("button", name="Sign out").count() == 0


def test_the_sign_in_card_is_narrow_and_password_managers_can_fill_it(
    page: Any, server: str
) -> None:
    page.goto(server)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=TIMEOUT_MS)
    settle(page)
    password = page.get_by_role("textbox", name="Password")
    assert password.get_attribute("autocomplete") == "current-password"
    assert password.get_attribute("type") == "password"
    assert page.get_by_role("textbox", name="Email").get_attribute("autocomplete") == "username"
    card = page.locator("[data-testid='stForm']").bounding_box()
    assert card is not None and 380 <= card["width"] <= 460  # ~420 px, not the page's width
    expect(page.get_by_text("admin@demo.local")).to_be_visible()  # demo mode: the accounts
    screenshot(page, "sign-in-card")
