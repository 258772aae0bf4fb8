"""What the analyst page tests share: the viewers they open a page as, and the page itself
(a Streamlit AppTest, not yet run) with the viewer signed in and a link's parameters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import psycopg
from streamlit.testing.v1 import AppTest

from regime_dashboard.viewer import Viewer
from tests.conftest import ROOT

__all__ = ["ADMIN", "LEADER", "LONG_DAYS", "add_long_asset", "open_page"]

ADMIN = Viewer("00000000-0000-0000-0000-000000000001", "ops@x.test", "Ops", frozenset({"admin"}))
LEADER = Viewer(None, "lead@x.test", "Lead", frozenset({"leadership"}))
LONG_DAYS = [dt.date(1990, 1, 1) + dt.timedelta(days=i) for i in range(12_000)]
Bar = tuple[float, float, float, float, float | None]  # open, high, low, close, volume


def open_page(page: str, viewer: Viewer = ADMIN, **params: str | list[str]) -> AppTest:
    """`views/<page>.py` as `viewer`, opened from a link with `params`."""
    at = AppTest.from_file(str(ROOT / "views" / f"{page}.py"), default_timeout=30)
    at.session_state["_viewer"] = viewer
    at.query_params.update(params)
    return at


def add_long_asset(conn: psycopg.Connection, bar: Callable[[int], Bar]) -> None:
    """Asset LONG (crypto, every calendar day) with a bar on each of LONG_DAYS: `bar(i)`
    for the i-th."""
    conn.execute(
        "INSERT INTO assets (id, name, asset_class, calendar) "
        "VALUES ('LONG', 'Long', 'crypto', 'calendar_365')"
    )
    columns = "asset_id, date, open, high, low, close, volume"
    with conn.cursor().copy(f"COPY price_bars ({columns}) FROM STDIN") as copy:
        for i, day in enumerate(LONG_DAYS):
            copy.write_row(("LONG", day, *bar(i)))
