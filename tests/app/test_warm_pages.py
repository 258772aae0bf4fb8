"""ui/warm_pages.py: the launcher draws the sign-in form, Home and every analyst and
leadership page once before the server opens its port, as a start-up viewer of every
tenant, and writes nothing (docs/performance.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from regime_dashboard.navigation import PAGES
from regime_dashboard.ui.warm_pages import WARM_UP_VIEWER, warm_pages
from tests.conftest import ROOT
from tests.helpers import sql

WARM_UP_AREAS = ("analyst", "leadership")  # the start-up viewer's areas: all but admin
EDITS = "SELECT (SELECT max(version) FROM data_versions), (SELECT count(*) FROM audit_log)"


def test_every_page_is_drawn_once_without_error_and_nothing_is_written(
    app_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEMO_MODE", "true")
    before = sql(app_env, EDITS)
    warmed = warm_pages(ROOT / "app.py", timeout_s=60)
    pages = [Path(s.path).name for s in PAGES if s.area in WARM_UP_AREAS or s.default]
    assert [page.path for page in warmed] == ["app.py", *pages]
    assert len(pages) == len([s for s in PAGES if s.area != "admin"])
    assert [(page.path, page.error) for page in warmed if page.error] == []
    assert sql(app_env, EDITS) == before


def test_the_start_up_viewer_opens_its_pages_over_every_tenant_and_has_no_account() -> None:
    assert all(WARM_UP_VIEWER.can(area) for area in WARM_UP_AREAS)
    assert not WARM_UP_VIEWER.can("admin")
    assert WARM_UP_VIEWER.user_id is None and WARM_UP_VIEWER.scope.is_all


def test_a_page_that_fails_is_reported_and_start_up_goes_on(tmp_path: Path) -> None:
    warmed = warm_pages(tmp_path / "app.py", timeout_s=5)
    assert len(warmed) == len([s for s in PAGES if s.area != "admin"]) + 1
    assert all(page.error and page.error.startswith("FileNotFoundError") for page in warmed)
