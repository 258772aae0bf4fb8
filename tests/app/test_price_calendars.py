"""The Prices page's data quality on a 20-year S&P 500-like file: the New York Stock
Exchange's closures (regular holidays, 2001-09-11..14, 2004-06-11, 2007-01-02,
2012-10-29..30, 2018-12-05) are not missing sessions, and zero-volume bars are flagged."""

from __future__ import annotations

import datetime as dt
import json
import warnings

import exchange_calendars as xc
import numpy as np
import psycopg
import pytest
from pandas.errors import Pandas4Warning
from sqlalchemy.engine import make_url
from streamlit.testing.v1 import AppTest

from regime_dashboard.db.engine import libpq_dsn
from regime_dashboard.viewer import Viewer
from tests.conftest import ROOT
from tests.helpers import plotly_values as _values

pytestmark = [pytest.mark.app, pytest.mark.db]

ADMIN = Viewer("00000000-0000-0000-0000-000000000001", "ops@x.test", "Ops", frozenset({"admin"}))
ZERO_VOLUME = [dt.date(2003, 11, 28), dt.date(2010, 12, 27)]  # half-day and quiet sessions


def _nyse_sessions() -> list[dt.date]:
    """NYSE sessions 1999-2018 straight from exchange-calendars, as a vendor's file has."""
    with warnings.catch_warnings():  # exchange-calendars' own pandas 3.1 deprecation
        warnings.simplefilter("ignore", Pandas4Warning)
        nyse = xc.get_calendar("XNYS", start="1999-01-01", end="2018-12-31")
    return list(nyse.sessions_in_range("1999-01-04", "2018-12-31").date)


def _load_spx(url: str, days: list[dt.date]) -> None:
    close = 1200 * np.exp(np.cumsum(np.full(len(days), 0.0002)))
    with psycopg.connect(libpq_dsn(make_url(url))) as conn:
        conn.execute(
            "INSERT INTO assets (id, name, asset_class, calendar) "
            "VALUES ('SPX', 'S&P 500', 'equity', 'XNYS')"
        )
        with conn.cursor().copy(
            "COPY price_bars (asset_id, date, open, high, low, close, volume) FROM STDIN"
        ) as copy:
            for i, (day, c) in enumerate(zip(days, close, strict=True)):
                o = close[i - 1] if i else c
                volume = 0.0 if day in ZERO_VOLUME else 1.5e9
                copy.write_row(("SPX", day, o, max(o, c) * 1.001, min(o, c) * 0.999, c, volume))


def test_twenty_years_of_sp500_have_no_false_missing_sessions(
    empty_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.app.conftest import _reset_caches

    days = _nyse_sessions()
    assert dt.date(2001, 9, 11) not in days and dt.date(2018, 12, 5) not in days
    _load_spx(empty_db, days)
    monkeypatch.setenv("DATABASE_URL", empty_db)
    _reset_caches()
    at = AppTest.from_file(str(ROOT / "views/prices.py"), default_timeout=60)
    at.session_state["_viewer"] = ADMIN
    at.run()
    assert at.selectbox[0].value == "SPX"  # the only asset
    at.date_input[0].set_value((dt.date(1999, 1, 4), dt.date(2018, 12, 31))).run()
    assert not at.exception
    issues = dict(at.dataframe[0].value.itertuples(index=False, name=None))
    assert issues["Missing sessions"] == 0
    assert issues["Zero volume"] == 2
    assert sum(issues.values()) == 2
    assert [w.value for w in at.warning if "issue(s)" in w.value] == [
        f"2 issue(s) in {len(days):,} bars from 1999-01-04 to 2018-12-31 (XNYS calendar)."
    ]
    (zero,) = (d.value for d in at.dataframe[1:] if "close" in d.value.columns)
    assert [d.date() for d in zero["date"]] == ZERO_VOLUME
    candles = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    assert len(_values(candles["close"])) == 2000  # 5,031 bars merged into candles
    _reset_caches()
