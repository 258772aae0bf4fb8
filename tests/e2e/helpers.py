"""Steps shared by the browser tests."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from .conftest import ARTIFACTS, TIMEOUT_MS

PASSWORDS = {
    "analyst": "analyst-demo-pass",
    "admin": "admin-demo-pass",
    "leadership": "leadership-demo-pass",
}


def sign_in(page: Any, base_url: str, role: str, path: str = "") -> None:
    page.goto(f"{base_url}/{path}")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=TIMEOUT_MS)
    settle(page)
    page.get_by_role("textbox", name="Email").fill(f"{role}@demo.local")
    page.get_by_role("textbox", name="Password").fill(PASSWORDS[role])
    page.get_by_role("button", name="Sign in").click()
    try:
        expect(page.get_by_role("button", name="Sign out")).to_be_visible(timeout=TIMEOUT_MS)
    except AssertionError:
        screenshot(page, f"sign-in-failed-{role}")
        raise
    wait_for_cookie(page, present=True)  # later page.goto() calls open new sessions


COOKIE = "regime_dashboard_session"


def wait_for_cookie(page: Any, present: bool, seconds: float = 30) -> None:
    """The cookie component writes (or deletes) the session cookie a moment after the run."""
    for _ in range(int(seconds * 5)):
        if any(c["name"] == COOKIE for c in page.context.cookies()) == present:
            return
        page.wait_for_timeout(200)
    raise AssertionError(f"session cookie {'never set' if present else 'never removed'}")


IDLE_APP = "[data-testid='stApp'][data-test-script-state='notRunning']"


def settle(page: Any) -> None:
    """Wait until Streamlit has finished running the script: the app's own script state
    (`data-test-script-state`) is "notRunning" and its running widget is gone, twice in a
    row 250 ms apart (a rerun the cookie or a widget asked for starts within that gap),
    rather than after a fixed delay."""
    running = page.locator("[data-testid='stStatusWidget']")
    for _ in range(2):
        page.wait_for_timeout(250)
        page.wait_for_selector(IDLE_APP, timeout=TIMEOUT_MS)
        expect(running).to_have_count(0, timeout=TIMEOUT_MS)


def open_signed_in(page: Any, url: str) -> None:
    """Open `url` in a browser that has signed in, and wait until the page is drawn: the
    script runs are over (the app says so itself) and the sidebar offers
    Sign out. Each step waits on a state of the page, so a busy machine only makes it
    slower, never wrong; a page that is drawn but shows the sign-in form fails at once."""
    page.goto(url)
    settle(page)
    sign_out, sign_in_button = (
        page.get_by_role("button", name=name) for name in ("Sign out", "Sign in")
    )
    expect(sign_out.or_(sign_in_button).first).to_be_visible(timeout=TIMEOUT_MS)
    if sign_out.count() == 0:
        screenshot(page, "signed-out-unexpectedly")
        raise AssertionError(f"{url} shows the sign-in form: the session cookie was not used")


def assert_no_error(page: Any) -> None:
    expect(page.locator("[data-testid='stException']")).to_have_count(0)


def screenshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
