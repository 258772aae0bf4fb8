"""Services run without a Streamlit runtime (the CLI, the benchmark, a notebook): the cache
keys on the viewer's scope and the data version it reads itself, never on session state.

Runs in a fresh interpreter, so that no other test has imported Streamlit before: the
services must neither need it nor import it."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import ROOT
from tests.helpers import sql

pytestmark = pytest.mark.db

SCRIPT = textwrap.dedent(
    """
    import datetime as dt, json, sys

    from regime_dashboard import cache
    from regime_dashboard.services import regimes, revenue
    from regime_dashboard.services.periods import activity_span, resolve_period
    from regime_dashboard.viewer import Viewer

    release_id = sys.argv[1]
    start, end = dt.date.fromisoformat(sys.argv[2]), dt.date.fromisoformat(sys.argv[3])
    leader = Viewer(None, "lead@x.test", "Lead", frozenset({"leadership"}))
    analyst = Viewer(None, "admin@x.test", "Admin", frozenset({"admin"}))
    first, last = activity_span(leader)
    period = resolve_period("3m", last)
    first_view = revenue.load_revenue_view(leader, period)
    again = revenue.load_revenue_view(leader, period)  # served by the cache
    with cache.pinned_data_version() as pinned:
        inside = cache.data_version()
    regime_view = regimes.load_regimes_view(analyst, release_id, start, end)
    print(json.dumps({
        "streamlit_imported": "streamlit" in sys.modules,
        "months": len(first_view.movements),
        "same_months": first_view.movements.equals(again.movements),
        "pinned": [pinned, inside, cache.data_version()],
        "regime_days": len(regime_view.series.regimes),
    }))
    """
)


def test_a_leadership_and_an_analyst_view_load_from_plain_python(
    seeded_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", seeded_url)
    monkeypatch.delenv("DATABASE_READ_URL", raising=False)
    release_id, last = sql(
        seeded_url,
        "SELECT release_id::text, max(date) FROM engine_outputs_daily "
        "GROUP BY release_id ORDER BY release_id LIMIT 1",
    )[0]
    start = last - dt.timedelta(days=60)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, release_id, start.isoformat(), last.isoformat()],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["streamlit_imported"] is False
    # "3m" = 3 whole months, then the as-of month to date (issue 15)
    assert result["months"] == 4 and result["same_months"] is True
    pinned, inside, after = result["pinned"]
    assert pinned == inside == after  # nothing written meanwhile: one version throughout
    assert result["regime_days"] > 0
