"""`regime-dashboard bench` measures pages, not error boxes: it sets what it needs itself
(demo mode on loopback, a cookie key of its run) and stops at the first page that cannot
render, with that page's message."""

from __future__ import annotations

import pytest

from benchmarks.harness import PageError, first_render
from regime_dashboard.cli import _bench_environment
from regime_dashboard.config import get_settings
from regime_dashboard.navigation import PAGES

pytestmark = [pytest.mark.app, pytest.mark.db]
REGIMES = next(p for p in PAGES if p.slug == "regimes")


@pytest.fixture
def served_without_settings(app_env: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The environment a user starts the bench from: DATABASE_URL only."""
    for name in ("COOKIE_KEY", "DEMO_MODE"):
        monkeypatch.setenv(name, "recorded")  # so that the teardown restores the original
        monkeypatch.delenv(name)
    get_settings.cache_clear()
    return app_env


def test_a_page_that_cannot_render_stops_the_bench_with_its_reason(
    served_without_settings: str,
) -> None:
    with pytest.raises(PageError, match=r"regimes renders an error: .*COOKIE_KEY"):
        first_render(REGIMES)


def test_the_bench_environment_lets_the_pages_render(served_without_settings: str) -> None:
    _bench_environment()

    at = first_render(REGIMES)

    assert not at.exception
    assert at.title[0].value == "Regimes"
