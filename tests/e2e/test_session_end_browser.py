"""A copied session cookie, in a real browser: it signs in another browser until the owner
signs out, and never after."""

from __future__ import annotations

from typing import Any

import jwt
import pytest
from playwright.sync_api import expect

from regime_dashboard.config import DEMO_COOKIE_KEY

from .conftest import TIMEOUT_MS
from .helpers import COOKIE, assert_no_error, settle, sign_in, wait_for_cookie

pytestmark = [pytest.mark.e2e, pytest.mark.db]


def _open_with_cookie(browser: Any, server: str, cookie: dict) -> Any:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_cookies([{k: cookie[k] for k in ("name", "value", "domain", "path")}])
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(server)
    return page


def test_a_copied_cookie_stops_working_after_sign_out(page: Any, browser: Any, server: str) -> None:
    sign_in(page, server, "admin")
    (cookie,) = [c for c in page.context.cookies() if c["name"] == COOKIE]
    thief = _open_with_cookie(browser, server, cookie)
    expect(thief.get_by_role("button", name="Sign out")).to_be_visible(timeout=TIMEOUT_MS)
    thief.context.close()

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=TIMEOUT_MS)
    wait_for_cookie(page, present=False)

    thief = _open_with_cookie(browser, server, cookie)
    expect(thief.get_by_role("button", name="Sign in")).to_be_visible(timeout=TIMEOUT_MS)
    settle(thief)
    assert thief.get_by_role("button", name="Sign out").count() == 0
    assert_no_error(thief)
    thief.context.close()


FORGED = {
    "alg none": "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0."
    "eyJzdWIiOiJhZG1pbkBkZW1vLmxvY2FsIiwiZXBvY2giOjAsImlhdCI6MSwiZXhwIjo5OTk5OTk5OTk5fQ.",
    # streamlit-authenticator's own cookie format, signed, without its expiry
    "no expiry": jwt.encode({"username": "admin@demo.local"}, DEMO_COOKIE_KEY),
}


@pytest.mark.parametrize("name", sorted(FORGED))
def test_a_forged_cookie_shows_the_sign_in_form(browser: Any, server: str, name: str) -> None:
    host = server.split("//", 1)[1].split(":", 1)[0]
    cookie = {"name": COOKIE, "value": FORGED[name], "domain": host, "path": "/"}
    page = _open_with_cookie(browser, server, cookie)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=TIMEOUT_MS)
    settle(page)
    assert_no_error(page)
    page.context.close()
