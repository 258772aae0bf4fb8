"""The benchmark's load client against a real `streamlit run`: simulated viewers sign in
with the session cookie over the websocket and every page they ask for finishes without
an exception (benchmarks/load.py; the timings themselves are for docs/benchmarks.md)."""

from __future__ import annotations

import pytest

from benchmarks.load import run_server_load
from regime_dashboard.navigation import pages_for

pytestmark = [pytest.mark.e2e, pytest.mark.db]


def test_simulated_viewers_get_every_page_they_ask_for(e2e_db: str) -> None:
    pages = [spec.slug for spec in pages_for(frozenset({"admin"})) if not spec.default]
    cold, warm = run_server_load(pages, sessions=2, visits=3, env={"DATABASE_URL": e2e_db})
    for load in (cold, warm):
        assert load.error_samples == [] and load.errors == 0
        assert load.page_views == 2 * 3
        assert 0 < load.p50_ms <= load.p95_ms <= load.max_ms
    assert (cold.phase, warm.phase) == ("caches empty", "caches filled")
    assert warm.rss_mb > 50  # read from the server process, not this one
