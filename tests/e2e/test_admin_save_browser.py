"""An admin types a quota and its reason and clicks Save once: the save happens. Save is
disabled until the form is valid, so the typed text must reach the server while the admin
types (live inputs), not only when the field loses focus to the click on Save."""

from __future__ import annotations

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
