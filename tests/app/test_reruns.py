"""What a rerun costs the database, through app.py: a warm rerun reads the data version once
and runs no other query; a bump of the version (an edit or an import elsewhere) makes the
next rerun read fresh rows, and without one the cached rows stay."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, event
from streamlit.testing.v1 import AppTest

from regime_dashboard.config import get_settings
from tests.app.conftest import APP, signed_in
from tests.helpers import sql

REGIMES = "views/regimes.py"


@contextmanager
def statements() -> Iterator[list[str]]:
    """Every SQL statement any engine of this process sends while the block runs."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", record)


def _analyst_on_regimes(monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("DEMO_MODE", "true")
    get_settings.cache_clear()
    at = signed_in(AppTest.from_file(APP, default_timeout=60), "analyst").run()
    at.switch_page(REGIMES).run()
    assert not at.exception and at.title[0].value == "Regimes"
    return at


def test_a_warm_rerun_reads_the_data_version_once_and_runs_no_other_query(
    app_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Besides the data version, only the session check (the account's session epoch, one
    indexed read of the primary: docs/security.md)."""
    at = _analyst_on_regimes(monkeypatch)
    with statements() as seen:
        at.run()
    assert not at.exception
    queries = [s for s in seen if not s.upper().startswith("SET ")]
    assert len(queries) == 2, queries
    assert "data_versions" in queries[0] and "users.session_epoch" in queries[1]


def test_the_next_rerun_after_a_version_bump_reads_fresh_rows(
    app_env_copy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _analyst_on_regimes(monkeypatch)
    before = list(at.selectbox(key="tenant").options)
    old = before[0]
    sql(app_env_copy, "UPDATE tenants SET name = %s WHERE name = %s", "Renamed Capital", old)

    at.run()  # same data version: the cached names stay
    assert list(at.selectbox(key="tenant").options) == before

    sql(app_env_copy, "UPDATE data_versions SET version = version + 1")
    at.run()
    after = list(at.selectbox(key="tenant").options)
    assert "Renamed Capital" in after and old not in after
