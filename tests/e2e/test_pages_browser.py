"""Every page of every role in Chromium: it renders, shows no error, and is photographed;
and an admin's edit reaches an analyst's open session on its next rerun."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from regime_dashboard.navigation import pages_for

from .conftest import TIMEOUT_MS
from .helpers import assert_no_error, open_signed_in, screenshot, settle, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.db]
ROLES = ("analyst", "leadership", "admin")


@pytest.mark.parametrize("role", ROLES)
def test_each_page_of_the_role_renders_without_errors(page: Any, server: str, role: str) -> None:
    sign_in(page, server, role)
    for spec in pages_for(frozenset({role})):
        open_signed_in(page, f"{server}/{spec.url}")
        plots = page.locator(".js-plotly-plot").count()
        if plots:  # every chart drawn by Plotly (charts in hidden tabs included)
            page.wait_for_function(
                f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {plots}"
            )
        assert_no_error(page)
        assert page.locator("[data-testid='stAlertContentError']").count() == 0, spec.slug
        screenshot(page, f"{role}-{spec.slug}")


def test_an_admin_rename_reaches_an_open_analyst_session(browser: Any, server: str) -> None:
    analyst_ctx, admin_ctx = browser.new_context(), browser.new_context()
    analyst, admin = analyst_ctx.new_page(), admin_ctx.new_page()
    for tab in (analyst, admin):
        tab.set_default_timeout(TIMEOUT_MS)
    try:
        sign_in(analyst, server, "analyst", "regimes")
        settle(analyst)
        tenant_box = analyst.get_by_role("combobox", name="Tenant")
        old_name = tenant_box.input_value()
        new_name = old_name + " Renamed"
        sign_in(admin, server, "admin", f"admin-tenants?tenant={old_name.replace(' ', '+')}")
        settle(admin)
        name_box = admin.get_by_role("textbox", name="Tenant name")
        expect(name_box).to_have_count(1, timeout=TIMEOUT_MS)  # no stale copy from a rerun
        settle(admin)
        name_box.fill(new_name)
        expect(admin.get_by_role("button", name="Rename")).to_have_count(1, timeout=TIMEOUT_MS)
        admin.get_by_role("button", name="Rename").click()
        expect(admin.get_by_text(f"Saved tenants of {old_name}.")).to_be_visible(timeout=TIMEOUT_MS)
        analyst.get_by_role("heading", name="Regimes").first.click()
        analyst.keyboard.press("r")  # Streamlit's rerun shortcut: same session, next run
        expect(tenant_box).to_have_value(new_name, timeout=TIMEOUT_MS)
        screenshot(analyst, "analyst-after-admin-rename")
    finally:
        analyst_ctx.close()
        admin_ctx.close()


def test_pages_read_well_in_the_dark_theme(browser: Any, server: str) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, color_scheme="dark")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    try:
        sign_in(page, server, "admin", "regimes")
        for slug in ("regimes", "revenue", "admin-plans"):
            open_signed_in(page, f"{server}/{slug}")
            background = page.evaluate(
                "getComputedStyle(document.querySelector('.stApp')).backgroundColor"
            )
            assert background not in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)"), background
            assert_no_error(page)
            screenshot(page, f"dark-{slug}")
    finally:
        context.close()
