"""An admin types a quota and its reason and clicks Save once: the save happens. Save is
disabled until the form is valid, so the typed text must reach the server while the admin
types (live inputs), not only when the field loses focus to the click on Save."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import TIMEOUT_MS
from .helpers import open_signed_in, screenshot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.db]


def test_one_click_saves_a_quota_typed_without_leaving_the_field(page: Any, server: str) -> None:
    sign_in(page, server, "admin")
    open_signed_in(page, f"{server}/admin-tenants?tenant=Dune+Partners&section=Quota+overrides")
    save = page.get_by_role("button", name="Save override")
    expect(save).to_be_disabled()
    page.get_by_role("textbox", name="Limit per month").press_sequentially("3000", delay=50)
    page.get_by_role("textbox", name="Reason").press_sequentially("pilot deal", delay=50)
    # the focus stays in Reason: only the live commit can enable Save
    expect(save).to_be_enabled(timeout=TIMEOUT_MS)
    save.click()
    expect(page.get_by_text("Saved tenant quota overrides of Dune Partners.")).to_be_visible(
        timeout=TIMEOUT_MS
    )
    screenshot(page, "admin-quota-saved-with-one-click")


def test_clicking_a_row_of_the_tenant_grid_opens_that_tenant(page: Any, server: str) -> None:
    sign_in(page, server, "admin")
    open_signed_in(page, f"{server}/admin-tenants")
    page.get_by_role("textbox", name="Search tenants").fill("Harbor")
    page.keyboard.press("Enter")
    grid = page.locator("[data-testid='stDataFrame']").first
    expect(grid).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_text("1 of ")).to_be_visible(timeout=TIMEOUT_MS)
    box = grid.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 12, box["y"] + 52)  # the selection cell of the first row
    expect(page).to_have_url(re.compile(r"tenant=Harbor\+Capital"), timeout=TIMEOUT_MS)
    name = page.get_by_role("textbox", name="Tenant name")  # the tenant's form is open
    expect(name).to_have_value("Harbor Capital", timeout=TIMEOUT_MS)
    screenshot(page, "admin-tenant-grid-row-opened")
